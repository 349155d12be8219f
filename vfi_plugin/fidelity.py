"""What the output keeps of the source: bit depth, alpha and HDR, or a clear refusal.

One decision per render, made before anything runs: the codec (the extension's
default may give way to one that keeps the source's depth), the pixel layout frames
travel in, the depth the codec stores, and one-line notices for what changes. A loss
the user did not ask for is refused with the way out named, never written silently.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import UserInputError
from .media import CODECS, MediaInfo, mastering
from .media.codecs import output_container
from .media.pixels import PixelLayout
from .media.probe import HDR_TRANSFERS

# keep: refuse writing a deep (> 8-bit) source at 8 bits (deeper losses, e.g. 12 -> 10, are
# only noticed); codec: accept whatever the codec stores
DEPTH_CHOICES = ("keep", "codec")
ALPHA_CHOICES = ("keep", "drop")
# when no codec is asked for, a deep source swaps the extension's 8-bit default for these
_DEEP_DEFAULTS = {"h264": "h265"}


@dataclass(frozen=True)
class Fidelity:
    """How the output is written: codec, pipe layout, stored bits, notices."""

    codec: str
    layout: PixelLayout
    bits: int                 # bits per component the codec stores
    notices: tuple[str, ...] = ()


def decide(info: MediaInfo, output: Path, codec: str, codec_given: bool,
           depth: str = "keep", alpha: str = "keep", fields: str | None = None) -> Fidelity:
    """The output's codec and pixels for `info` written as `codec` to `output`.

    `codec_given`: the user named the codec (else the extension chose it and may be
    swapped for a deeper one). `fields`: the output is written interlaced with this field
    order ("tt"/"bb"), which the codec must carry. UserInputError names the file, what
    would be lost and the choices that keep it.
    """
    if depth not in DEPTH_CHOICES:
        raise UserInputError(f"bad depth '{depth}': use {', '.join(DEPTH_CHOICES)}")
    if alpha not in ALPHA_CHOICES:
        raise UserInputError(f"bad alpha '{alpha}': use {', '.join(ALPHA_CHOICES)}")
    notices: list[str] = []
    bits = info.bit_depth
    if not codec_given and bits > 8 and codec in _DEEP_DEFAULTS:
        deeper = _DEEP_DEFAULTS[codec]
        if CODECS[deeper].variant(bits, False) is not None:
            notices.append(f"{info.path}: {bits}-bit source: writing "
                           f"{CODECS[deeper].storing(bits, False).label} to keep its depth")
            codec = deeper
    spec = CODECS[codec]
    keep_alpha = info.alpha and alpha == "keep"
    if info.alpha and alpha == "drop":
        notices.append(f"{info.path}: the alpha channel is dropped (--alpha drop)")
    if keep_alpha and not spec.has_alpha:
        raise UserInputError(
            f"{output}: the source has an alpha channel, which {spec.label} cannot carry: "
            f"use {_alpha_codecs()}, or --alpha drop")
    variant = spec.variant(bits, keep_alpha)
    if variant is None:
        variant = spec.storing(bits, keep_alpha)
        stored, label = variant.depth, variant.label or spec.label
        if stored >= 10 and depth != "codec":  # 12/16 -> 10+: no banding; said, not refused
            notices.append(f"{info.path}: {bits}-bit source written at {stored} bits, the most "
                           f"{label} stores (all {bits} bits: {_deep_codecs(bits)})")
        elif depth != "codec":
            raise UserInputError(
                f"{output}: the source has {bits}-bit samples and {label} stores "
                f"{stored}: use {_deep_codecs(bits)}, or --depth codec to write {stored} bits")
        else:
            notices.append(f"{info.path}: {bits}-bit source written at {stored} bits "
                           f"({label}; --depth codec)")
    if info.color_transfer in HDR_TRANSFERS and variant.depth <= 8:
        raise UserInputError(
            f"{output}: the source is HDR ({_transfer_name(info.color_transfer)}), which "
            f"8 bits would band: use {_deep_codecs(10)}")
    if fields is not None and not spec.interlaced:
        what = ("image frames carry no field order" if spec.is_sequence else
                f"ffmpeg cannot write {spec.label} as interlaced frames")
        raise UserInputError(f"{output}: --fields keep: {what}: use {_field_codecs()}, "
                             f"or --fields auto to write progressive frames at the field rate")
    if info.hdr_metadata is not None:
        notices.extend(_hdr_notices(info, output, codec))
    if variant.label and variant.alpha and codec == "prores":
        notices.append(f"{info.path}: writing {variant.label} to keep the alpha channel")
    if spec.is_sequence and info.sample_aspect_ratio is not None:
        sar = info.sample_aspect_ratio
        notices.append(f"{info.path}: {spec.label.split()[0]} frames carry no pixel aspect: the "
                       f"source's {sar.numerator}:{sar.denominator} is not kept")
    if spec.is_sequence and info.timecode:
        notices.append(f"{info.path}: frames are numbered from 1; the source's timecode "
                       f"{info.timecode} is not kept")
    if info.reel_name and (spec.is_sequence or output.suffix.lower() in (".mp4", ".m4v")):
        notices.append(f"{info.path}: {'image frames' if spec.is_sequence else 'MP4'} carry no "
                       f"reel name: {info.reel_name} is not kept (MOV and MKV keep it)")
    layout = PixelLayout(16 if bits > 8 and variant.depth > 8 else 8, keep_alpha)
    return Fidelity(codec, layout, variant.depth, tuple(notices))


def _hdr_notices(info: MediaInfo, output: Path, codec: str) -> list[str]:
    """What happens to the source's mastering-display and light-level metadata: H.265
    carries them in the stream (x265), other video files get them with mkvpropedit."""
    label = CODECS[codec].label
    if CODECS[codec].is_sequence:
        return [f"{info.path}: HDR mastering-display and light-level metadata are not kept "
                f"in {label.split()[0]} frames"]
    if codec == "h265" or mastering.can_write():
        return []  # x265 writes them in the stream; mkvpropedit into MKV, MOV and MP4 files
    kind = output_container(output, codec, strict=False).extension.upper().lstrip(".")
    return [f"{info.path}: HDR mastering-display and light-level metadata need "
            f"{mastering.TOOL} (install mkvtoolnix) to be written into {kind} files; {label} "
            f"keeps the colour tags"]


def _field_codecs() -> str:
    names = [name for name, spec in CODECS.items() if spec.interlaced]
    return ", ".join(names[:-1]) + f" or {names[-1]}"


def _deep_codecs(bits: int) -> str:
    names = [name for name, spec in CODECS.items() if spec.variant(bits, False) is not None]
    return ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else "".join(names)


def _alpha_codecs() -> str:
    names = [f"{name} ({'/'.join(spec.extensions) if not spec.is_sequence else 'a folder'})"
             for name, spec in CODECS.items() if spec.has_alpha]
    return ", ".join(names[:-1]) + f" or {names[-1]}"


def _transfer_name(transfer: str | None) -> str:
    return {"smpte2084": "PQ", "arib-std-b67": "HLG"}.get(transfer or "", str(transfer))
