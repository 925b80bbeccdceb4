"""The phase portrait writes a valid PNG (signature, IHDR chunk with its CRC, IEND)."""

from __future__ import annotations

import struct
import zlib

import pytest

from clsc.errors import ParameterError
from clsc.evolution import bimatrix, formation_game
from clsc.evolution.plot import phase_portrait


def assert_valid_png(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    width, height = struct.unpack(">II", data[16:24])
    assert width > 100 and height > 100
    (crc,) = struct.unpack(">I", data[29:33])
    assert crc == zlib.crc32(data[12:29])
    assert data[-12:] == b"\x00\x00\x00\x00IEND\xaeB`\x82"
    from matplotlib.image import imread  # decodes every chunk

    assert imread(path).shape[:2] == (height, width)


def test_formation_phase_portrait_png(tmp_path):
    game = formation_game(178.244, 0.7869)
    out = phase_portrait(game, tmp_path / "sub" / "formation.png", title="formation",
                         basin_options={"grid": 19})  # fmt: skip
    assert_valid_png(out)


def test_centre_phase_portrait_png(tmp_path):
    assert_valid_png(phase_portrait(bimatrix([[1, -1], [-1, 1]]), tmp_path / "mp.png"))


def test_plot_rejects_other_games_and_paths(tmp_path):
    with pytest.raises(ParameterError) as info:
        phase_portrait([[1, 0], [0, 1]], tmp_path / "a.png")
    assert info.value.name == "game"
    with pytest.raises(ParameterError) as info:
        phase_portrait(bimatrix([[1, 0], [0, 1]]), tmp_path / "a.pdf")
    assert info.value.name == "path"
