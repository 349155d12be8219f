"""Output codec table and guessing a codec from an output path."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from vfi_plugin.errors import UserInputError

DEFAULT_CODEC = "h264"
SEQUENCE_PATTERN = "frame_%06d.png"


@dataclass(frozen=True)
class CodecSpec:
    """How to write one output kind.

    `args` are ffmpeg output options (name without dash, value) for the
    video encoder; `audio_args` likewise for audio (empty: no audio).
    `chroma` is "420", "422", "444" or "rgb" (no YUV matrix needed).
    """

    name: str
    label: str
    extension: str  # "" for an image-sequence folder
    format: str  # ffmpeg muxer name (-f)
    args: tuple[tuple[str, str], ...]
    pix_fmt: str
    chroma: str
    audio_args: tuple[tuple[str, str], ...] = ()
    min_size: tuple[int, int] = (1, 1)

    @property
    def is_sequence(self) -> bool:
        """True when the output path is a folder of numbered images."""
        return self.extension == ""


CODECS: dict[str, CodecSpec] = {
    "h264": CodecSpec(
        "h264", "H.264 (MP4)", ".mp4", "mp4",
        (("c:v", "libx264"), ("preset", "medium"), ("crf", "16"), ("movflags", "+faststart")),
        "yuv420p", "420", (("c:a", "aac"), ("b:a", "192k")),
    ),
    "h265": CodecSpec(
        "h265", "H.265 / HEVC (MP4)", ".mp4", "mp4",
        (("c:v", "libx265"), ("preset", "medium"), ("crf", "18"), ("tag:v", "hvc1"),
         ("x265-params", "log-level=error"), ("movflags", "+faststart")),
        "yuv420p", "420", (("c:a", "aac"), ("b:a", "192k")),
    ),
    "prores": CodecSpec(
        "prores", "ProRes 422 HQ (MOV)", ".mov", "mov",
        (("c:v", "prores_ks"), ("profile:v", "3"), ("vendor", "apl0")),
        "yuv422p10le", "422", (("c:a", "pcm_s16le"),),
    ),
    "dnxhr": CodecSpec(
        "dnxhr", "DNxHR HQ (MOV)", ".mov", "mov",
        (("c:v", "dnxhd"), ("profile:v", "dnxhr_hq")),
        "yuv422p", "422", (("c:a", "pcm_s16le"),), min_size=(256, 120),
    ),
    "ffv1": CodecSpec(
        "ffv1", "FFV1 lossless (MKV)", ".mkv", "matroska",
        (("c:v", "ffv1"), ("level", "3"), ("g", "1"), ("slicecrc", "1")),
        "gbrp", "rgb", (("c:a", "flac"),),
    ),
    "png": CodecSpec(
        "png", "PNG sequence (folder)", "", "image2",
        (("c:v", "png"), ("start_number", "1")),
        "rgb24", "rgb",
    ),
}

_EXTENSIONS = {".mp4": "h264", ".m4v": "h264", ".mov": "prores", ".mkv": "ffv1"}


def codec_for_path(path: str | os.PathLike[str]) -> str:
    """Guess the codec from an output path: .mp4 h264, .mov prores, .mkv ffv1, folder png."""
    path = Path(path)
    suffix = path.suffix.lower()
    if path.is_dir() or not suffix:
        return "png"
    if suffix in _EXTENSIONS:
        return _EXTENSIONS[suffix]
    raise UserInputError(
        f"{path}: unknown output type '{suffix}': use .mp4, .mov, .mkv or a folder for PNG frames")


def get_codec(name: str) -> CodecSpec:
    """The CodecSpec called `name`; UserInputError if there is none."""
    try:
        return CODECS[name]
    except KeyError:
        raise UserInputError(f"unknown codec '{name}': use one of {', '.join(CODECS)}") from None
