"""Fixtures for the media tests: tiny clips made with the real ffmpeg (see clips.py)."""
from __future__ import annotations

import shutil
import sys
from fractions import Fraction
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # noqa: kept for `pytest tests/media` alone
if str(ROOT) not in sys.path:  # lets `pytest tests/media` import vfi_plugin
    sys.path.insert(0, str(ROOT))

if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
    pytest.skip("ffmpeg/ffprobe not installed", allow_module_level=True)

from clips import write_clip  # noqa: E402


@pytest.fixture
def make_clip(tmp_path):
    """make_clip(w, h, fps, frames, name="clip.mp4", **kw) -> Path in tmp_path."""

    def make(width: int, height: int, fps, frames: int, name: str = "clip.mp4", **kw) -> Path:
        return write_clip(tmp_path / name, width, height, Fraction(fps), frames, **kw)

    return make


@pytest.fixture(scope="session")
def clip_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("clips")


@pytest.fixture(scope="session")
def h264_clip(clip_dir) -> Path:
    """64x48, 30000/1001 fps, 60 frames, with a 2 s sine audio track."""
    return write_clip(clip_dir / "h264.mp4", 64, 48, Fraction(30000, 1001), 60, audio=True)


@pytest.fixture(scope="session")
def odd_clip(clip_dir) -> Path:
    """101x77 H.264 4:4:4 at 30000/1001 fps, 45 frames."""
    return write_clip(clip_dir / "odd.mp4", 101, 77, Fraction(30000, 1001), 45)
