"""Output codec table, the containers each codec writes, and choosing a codec for an output path."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from vfi_plugin.errors import UserInputError

DEFAULT_CODEC = "h264"
SEQUENCE_PATTERN = "frame_%06d.png"  # the PNG sequence's; each codec has its own (CodecSpec)


@dataclass(frozen=True)
class Container:
    """A kind of output file: its extension, the ffmpeg muxer and the muxer's options.

    The extension "" stands for a folder of numbered images.
    """

    extension: str
    format: str  # ffmpeg muxer name (-f)
    args: tuple[tuple[str, str], ...] = ()


_FASTSTART = (("movflags", "+faststart"),)

# The muxer follows the output's extension; CodecSpec.extensions says which fit a codec.
CONTAINERS: dict[str, Container] = {
    ".mp4": Container(".mp4", "mp4", _FASTSTART),
    ".m4v": Container(".m4v", "mp4", _FASTSTART),
    ".mov": Container(".mov", "mov"),
    ".mkv": Container(".mkv", "matroska"),
    "": Container("", "image2"),
}


@dataclass(frozen=True)
class Variant:
    """One way a codec stores pixels: bits per component, alpha, pixel format and the
    encoder options that differ from the codec's own (a profile)."""

    depth: int
    alpha: bool
    pix_fmt: str
    args: tuple[tuple[str, str], ...] = ()
    label: str = ""  # the name an editor knows it by, when it differs ("ProRes 4444")


@dataclass(frozen=True)
class CodecSpec:
    """How to write one output kind.

    `args` are ffmpeg output options (name without dash, value) for the
    video encoder; `audio_args` likewise for audio (empty: no audio).
    `chroma` is "420", "422", "444" or "rgb" (no YUV matrix needed).
    `extensions` are the containers (CONTAINERS keys) the codec is written
    in, the first one being its default; ("",) is a folder of images.
    `pix_fmt` is the 8-bit, opaque format; `variants` the deeper and alpha ones
    (see ``variant``). `interlaced`: the codec and its containers carry interlaced
    frames with their field order (see encode.FrameWriter's `fields`).
    """

    name: str
    label: str
    extensions: tuple[str, ...]
    args: tuple[tuple[str, str], ...]
    pix_fmt: str
    chroma: str
    audio_args: tuple[tuple[str, str], ...] = ()
    min_size: tuple[int, int] = (1, 1)
    variants: tuple[Variant, ...] = ()
    sequence_pattern: str = SEQUENCE_PATTERN  # image name inside a sequence folder
    interlaced: bool = False

    @property
    def base(self) -> Variant:
        return Variant(8, False, self.pix_fmt)

    def variant(self, bits: int, alpha: bool) -> Variant | None:
        """The shallowest way to store `bits` per component (with alpha when asked), or
        None when this codec cannot."""
        fits = [v for v in (self.base,) + self.variants
                if v.alpha == alpha and v.depth >= min(bits, 16)]
        return min(fits, key=lambda v: v.depth) if fits else None

    def storing(self, bits: int, alpha: bool) -> Variant:
        """The variant that stores frames of `bits` per component: `variant`, else the
        deepest the codec has (with alpha if it has one, else without)."""
        exact = self.variant(bits, alpha)
        if exact is not None:
            return exact
        kinds = [v for v in (self.base,) + self.variants if v.alpha == alpha] or \
            [v for v in (self.base,) + self.variants if not v.alpha]
        return max(kinds, key=lambda v: v.depth)

    @property
    def has_alpha(self) -> bool:
        return any(v.alpha for v in self.variants)

    @property
    def extension(self) -> str:
        """The default extension ("" for an image-sequence folder)."""
        return self.extensions[0]

    @property
    def format(self) -> str:
        """The ffmpeg muxer of the default container."""
        return CONTAINERS[self.extension].format

    @property
    def is_sequence(self) -> bool:
        """True when the output path is a folder of numbered images."""
        return self.extension == ""

    def writes(self) -> str:
        """What this codec writes, in words: ".mp4, .mov or .mkv" or a folder."""
        if self.is_sequence:
            return f"a folder of {self.label.split()[0]} frames (a path without a video extension)"
        *rest, last = self.extensions
        return f"{', '.join(rest)} or {last}" if rest else last


_AAC = (("c:a", "aac"), ("b:a", "192k"))
_PCM = (("c:a", "pcm_s16le"),)

CODECS: dict[str, CodecSpec] = {
    "h264": CodecSpec(
        "h264", "H.264 (MP4)", (".mp4", ".m4v", ".mov", ".mkv"),
        (("c:v", "libx264"), ("preset", "medium"), ("crf", "16")),
        "yuv420p", "420", _AAC,
        interlaced=True,
    ),
    "h265": CodecSpec(
        "h265", "H.265 / HEVC (MP4)", (".mp4", ".m4v", ".mov", ".mkv"),
        (("c:v", "libx265"), ("preset", "medium"), ("crf", "18"), ("tag:v", "hvc1"),
         ("x265-params", "log-level=error")),
        "yuv420p", "420", _AAC,
        variants=(Variant(10, False, "yuv420p10le", (("profile:v", "main10"),), "H.265 Main10"),
                  Variant(12, False, "yuv420p12le", (("profile:v", "main12"),), "H.265 Main12")),
        interlaced=True,
    ),
    "prores": CodecSpec(
        "prores", "ProRes 422 HQ (MOV)", (".mov",),
        (("c:v", "prores_ks"), ("profile:v", "3"), ("vendor", "apl0")),
        "yuv422p10le", "422", _PCM,
        variants=(Variant(10, False, "yuv422p10le"),
                  Variant(10, True, "yuva444p10le", (("profile:v", "4"), ("alpha_bits", "16")),
                          "ProRes 4444")),
        interlaced=True,
    ),
    "prores4444": CodecSpec(
        "prores4444", "ProRes 4444 (MOV)", (".mov",),
        (("c:v", "prores_ks"), ("profile:v", "4"), ("vendor", "apl0")),
        "yuv444p10le", "444", _PCM,
        variants=(Variant(10, False, "yuv444p10le"),
                  Variant(10, True, "yuva444p10le", (("alpha_bits", "16"),))),
        interlaced=True,
    ),
    "dnxhr": CodecSpec(
        "dnxhr", "DNxHR HQ (MOV)", (".mov",),
        (("c:v", "dnxhd"), ("profile:v", "dnxhr_hq")),
        "yuv422p", "422", _PCM, min_size=(256, 120),
        variants=(Variant(10, False, "yuv422p10le", (("profile:v", "dnxhr_hqx"),), "DNxHR HQX"),),
    ),
    "ffv1": CodecSpec(
        "ffv1", "FFV1 lossless (MKV)", (".mkv",),
        (("c:v", "ffv1"), ("level", "3"), ("g", "1"), ("slicecrc", "1")),
        "gbrp", "rgb", (("c:a", "flac"),),
        variants=(Variant(16, False, "gbrp16le"), Variant(8, True, "gbrap"),
                  Variant(16, True, "gbrap16le")),
        interlaced=True,
    ),
    "png": CodecSpec(
        "png", "PNG sequence (folder)", ("",),
        (("c:v", "png"), ("start_number", "1")),
        "rgb24", "rgb",
        variants=(Variant(16, False, "rgb48be"), Variant(8, True, "rgba"),
                  Variant(16, True, "rgba64be")),
    ),
    "tiff": CodecSpec(
        "tiff", "TIFF sequence (folder)", ("",),
        (("c:v", "tiff"), ("compression_algo", "deflate"), ("start_number", "1")),
        "rgb24", "rgb",
        variants=(Variant(16, False, "rgb48le"), Variant(8, True, "rgba"),
                  Variant(16, True, "rgba64le")),
        sequence_pattern="frame_%06d.tif",
    ),
    "dpx": CodecSpec(
        "dpx", "DPX sequence (folder)", ("",),
        (("c:v", "dpx"), ("start_number", "1")),
        "rgb24", "rgb",
        variants=(Variant(10, False, "gbrp10le", label="DPX 10-bit"),
                  Variant(16, False, "rgb48le"), Variant(8, True, "rgba"),
                  Variant(16, True, "rgba64le")),
        sequence_pattern="frame_%06d.dpx",
    ),
    "exr": CodecSpec(
        "exr", "OpenEXR sequence (folder, half float)", ("",),
        (("c:v", "exr"), ("format", "1"), ("compression", "3"), ("start_number", "1")),
        "gbrpf32le", "rgb",
        variants=(Variant(16, False, "gbrpf32le"), Variant(8, True, "gbrapf32le"),
                  Variant(16, True, "gbrapf32le")),
        sequence_pattern="frame_%06d.exr",
    ),
}

# The codec an extension gets when none is asked for.
_EXTENSIONS = {".mp4": "h264", ".m4v": "h264", ".mov": "prores", ".mkv": "ffv1"}


def ends_in_separator(path: str | os.PathLike[str]) -> bool:
    """True when `path` is written with a trailing path separator ("frames/")."""
    return os.fspath(path).endswith(tuple(s for s in (os.sep, os.altsep) if s))


def codec_for_path(path: str | os.PathLike[str]) -> str:
    """Guess the codec from an output path: .mp4/.m4v h264, .mov prores, .mkv ffv1;
    a path without extension, ending in a separator or naming a folder: png."""
    suffix = Path(path).suffix.lower()
    if ends_in_separator(path) or Path(path).is_dir() or not suffix:
        return "png"
    if suffix in _EXTENSIONS:
        return _EXTENSIONS[suffix]
    raise UserInputError(
        f"{os.fspath(path)}: unknown output type '{suffix}': use .mp4, .m4v, .mov, .mkv "
        f"or a folder for PNG frames")


def output_container(path: str | os.PathLike[str], codec: str,
                     *, strict: bool = True) -> Container:
    """The container `codec` is written in at `path`: the one its extension names.

    An extension the codec cannot write raises UserInputError naming the
    path, the extension and the extensions the codec writes. With
    ``strict=False`` a suffix that names no container (a temporary name
    like "x.tmp") gets the codec's default container instead.
    """
    spec = get_codec(codec)
    text = os.fspath(path)
    suffix = Path(text).suffix.lower()
    known = bool(suffix) and suffix in CONTAINERS
    if spec.is_sequence:
        if not known:  # no suffix, or a folder name like "shot.v2"
            return CONTAINERS[""]
        what = f"the extension {suffix}"
    elif ends_in_separator(text):
        what = "a folder path (it ends in a separator)"
    elif suffix in spec.extensions:
        return CONTAINERS[suffix]
    elif not suffix:
        what = "a path without extension (a folder for PNG frames)"
    elif not known and not strict:
        return CONTAINERS[spec.extension]
    else:
        what = f"the extension {suffix}"
    raise UserInputError(f"{text}: {what} does not fit codec {spec.name}, "
                         f"which writes {spec.writes()}")


def output_codec(path: str | os.PathLike[str], codec: str | None = None) -> str:
    """The codec that writes `path` (the one place that decides).

    Without `codec` the extension chooses (see codec_for_path); with it,
    the extension must be one the codec writes (see output_container).
    """
    name = codec.lower() if codec else codec_for_path(path)
    output_container(path, name)
    return name


def get_codec(name: str) -> CodecSpec:
    """The CodecSpec called `name`; UserInputError if there is none."""
    try:
        return CODECS[name]
    except KeyError:
        raise UserInputError(f"unknown codec '{name}': use one of {', '.join(CODECS)}") from None
