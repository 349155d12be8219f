"""Colour tags and the YUV<->RGB matrix used when converting frames.

Untagged video is treated like players do: BT.709 when HD (wider than 1024
or taller than 576), BT.601 otherwise. The decoder and the encoder use the
same rule, so RGB round trips keep their colours.
"""
from __future__ import annotations

from dataclasses import dataclass

# ffprobe colour-space name -> swscale matrix name
_SWS_MATRIX = {
    "bt709": "bt709",
    "smpte170m": "smpte170m",
    "bt470bg": "bt470",
    "bt2020nc": "bt2020",
    "bt2020c": "bt2020",
    "smpte240m": "smpte240m",
    "fcc": "fcc",
}
# swscale matrix name -> tag written on the output
_MATRIX_TAG = {"bt709": "bt709", "smpte170m": "smpte170m", "bt470": "bt470bg",
               "bt2020": "bt2020nc", "smpte240m": "smpte240m", "fcc": "fcc"}


@dataclass(frozen=True)
class ColorTags:
    """Colour description of a stream, in ffprobe/ffmpeg names (None = unknown)."""

    color_range: str | None = None
    color_space: str | None = None
    color_transfer: str | None = None
    color_primaries: str | None = None

    @classmethod
    def from_info(cls, info: object) -> "ColorTags":
        """Take the tags of a MediaInfo (or anything with the same attributes)."""
        return cls(
            color_range=getattr(info, "color_range", None),
            color_space=getattr(info, "color_space", None),
            color_transfer=getattr(info, "color_transfer", None),
            color_primaries=getattr(info, "color_primaries", None),
        )


def sws_matrix(color_space: str | None, width: int, height: int) -> str:
    """The swscale matrix for a colour space, guessed from the size when unknown."""
    if color_space in _SWS_MATRIX:
        return _SWS_MATRIX[color_space]
    return "bt709" if width > 1024 or height > 576 else "smpte170m"


def matrix_tag(matrix: str) -> str:
    """The colour-space tag naming an swscale matrix."""
    return _MATRIX_TAG[matrix]
