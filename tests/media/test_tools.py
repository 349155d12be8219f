from __future__ import annotations

import os

import pytest

from vfi_plugin.errors import ToolMissingError, UserInputError
from vfi_plugin.media import ffmpeg_exe, ffprobe_exe


def test_found_on_path():
    assert os.path.basename(ffmpeg_exe()) == "ffmpeg"
    assert os.path.basename(ffprobe_exe()) == "ffprobe"


def test_env_override(monkeypatch, tmp_path):
    fake = tmp_path / "my-ffmpeg"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("VFI_SLOWMO_FFMPEG", str(fake))
    assert ffmpeg_exe() == str(fake)


def test_missing_on_path(monkeypatch, tmp_path):
    monkeypatch.delenv("VFI_SLOWMO_FFMPEG", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ToolMissingError) as err:
        ffmpeg_exe()
    assert isinstance(err.value, UserInputError)
    assert str(err.value) == (
        "ffmpeg not found on PATH: install it (Debian/Ubuntu: apt-get install ffmpeg; "
        "macOS: brew install ffmpeg) or set VFI_SLOWMO_FFMPEG")


def test_bad_override(monkeypatch, tmp_path):
    monkeypatch.setenv("VFI_SLOWMO_FFPROBE", str(tmp_path / "nope"))
    with pytest.raises(ToolMissingError, match="VFI_SLOWMO_FFPROBE"):
        ffprobe_exe()
