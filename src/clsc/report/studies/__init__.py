"""Study files shipped with clsc (TOML; read by :mod:`clsc.report.study`)."""
