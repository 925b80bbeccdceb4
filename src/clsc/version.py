"""The package's version, single-sourced: pyproject reads it, ``clsc.__version__`` and
``clsc --version`` show it.

>>> from clsc.version import __version__
>>> __version__.count(".") >= 2
True
"""

__version__ = "0.1.0"
