"""Pixel layouts: the bit depth and alpha of a stream, and how frames travel in pipes.

Frames move between ffmpeg and Python as packed RGB(A) arrays: HxWx3 or HxWx4,
uint8 for sources of at most 8 bits per component, uint16 (full 16-bit range) for
deeper ones (10-, 12-bit video, 16-bit PNG/TIFF). What a pixel format holds comes
from ffprobe's own table (``-show_pixel_formats``), not from guessing its name.
"""
from __future__ import annotations

import functools
import json
import subprocess
from dataclasses import dataclass

import numpy as np

from .tools import ffprobe_exe

# formats with an alpha flag whose alpha is rarely transparency (palette images)
_NOT_ALPHA = frozenset({"pal8"})
_PIPE_FORMATS = {(8, False): "rgb24", (8, True): "rgba", (16, False): "rgb48le",
                 (16, True): "rgba64le"}


@dataclass(frozen=True)
class PixelLayout:
    """How frames travel: 8 or 16 bits per channel, RGB or RGBA."""

    depth: int = 8
    alpha: bool = False

    def __post_init__(self) -> None:
        if self.depth not in (8, 16):
            raise ValueError(f"pipe depth must be 8 or 16, not {self.depth}")

    @property
    def channels(self) -> int:
        return 4 if self.alpha else 3

    @property
    def dtype(self) -> type[np.unsignedinteger]:
        return np.uint16 if self.depth == 16 else np.uint8

    @property
    def pix_fmt(self) -> str:
        """The packed rawvideo format ffmpeg reads and writes for this layout."""
        return _PIPE_FORMATS[(self.depth, self.alpha)]

    @property
    def bytes_per_pixel(self) -> int:
        return self.channels * self.depth // 8


@dataclass(frozen=True)
class FormatFacts:
    """What a pixel format holds: the deepest component's bits and whether it has alpha."""

    bits: int
    alpha: bool
    subsampled: bool = False  # chroma at lower resolution than luma (4:2:0, 4:2:2, ...)


@functools.lru_cache(maxsize=4)
def _format_table(ffprobe: str) -> dict[str, FormatFacts]:
    done = subprocess.run([ffprobe, "-v", "error", "-of", "json", "-show_pixel_formats"],
                          capture_output=True, stdin=subprocess.DEVNULL, timeout=60)
    table: dict[str, FormatFacts] = {}
    if done.returncode != 0:
        return table
    for fmt in json.loads(done.stdout.decode("utf-8", "replace")).get("pixel_formats", []):
        bits = max((int(c.get("bit_depth", 0)) for c in fmt.get("components", [])), default=0)
        alpha = bool((fmt.get("flags") or {}).get("alpha")) and fmt["name"] not in _NOT_ALPHA
        sub = bool(fmt.get("log2_chroma_w") or fmt.get("log2_chroma_h"))
        table[fmt["name"]] = FormatFacts(bits, alpha, sub)
    return table


def format_facts(pix_fmt: str | None) -> FormatFacts:
    """Bits per component and alpha of an ffmpeg pixel format (8-bit, no alpha if unknown)."""
    if not pix_fmt:
        return FormatFacts(8, False)
    return _format_table(ffprobe_exe()).get(pix_fmt, FormatFacts(8, False))
