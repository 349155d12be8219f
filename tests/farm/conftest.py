"""Shared by the farm tests: a tiny clip and the exact reference render (the frame
comparison is in farm_support.py)."""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from clips import write_clip

FPS = Fraction(25)


@pytest.fixture(scope="session")
def weights(tmp_path_factory) -> Path:
    """A copy of the shipped weights, read by every render here (the reference in this
    process, the workers in theirs): a training run that replaces the shipped file while
    the tests run cannot make them compare two models."""
    import shutil

    from vfi_plugin.engine import default_weights_path

    return Path(shutil.copy(default_weights_path(), tmp_path_factory.mktemp("w") / "w.safetensors"))


@pytest.fixture(scope="session")
def interp1(weights):
    """The network run one window per pass, as segments run it (see farm.segments)."""
    from vfi_plugin import load_interpolator
    from vfi_plugin.farm.segments import segment_options

    return load_interpolator(weights, device="cpu", options=segment_options())


@pytest.fixture(scope="session")
def farm_clip(tmp_path_factory) -> Path:
    """64x48, 25 fps, 12 frames, with audio."""
    return write_clip(tmp_path_factory.mktemp("farm") / "clip.mp4", 64, 48, FPS, 12, audio=True)


@pytest.fixture(scope="session")
def reference(tmp_path_factory, farm_clip, interp1) -> Path:
    """A one-process render of farm_clip, factor 2, FFV1."""
    from vfi_plugin import render

    out = tmp_path_factory.mktemp("ref") / "ref.mkv"
    render(farm_clip, out, factor=2, audio="stretch", interpolator=interp1)
    return out
