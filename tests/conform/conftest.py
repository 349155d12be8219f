"""Shared fixtures of the conform tests: the shipped model, and tiny media whose frames carry
their index."""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from clips import write_clip
from timelines import MEDIA_FRAMES, RATE
from vfi_plugin import load_interpolator


@pytest.fixture(scope="session")
def interp():
    return load_interpolator(device="cpu")


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> Path:
    """32x32, 24 fps, 40 lossless frames carrying their index."""
    return write_clip(tmp_path_factory.mktemp("media") / "take.mkv", 32, 32, Fraction(RATE),
                      MEDIA_FRAMES, codec="ffv1")
