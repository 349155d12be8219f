"""Encode RGB frames written through a pipe into a video file or PNG folder."""
from __future__ import annotations

import os
import shutil
from fractions import Fraction
from pathlib import Path

import ffmpeg
import numpy as np

from vfi_plugin.errors import MediaError, UserInputError

from . import mastering, process
from .audio import AudioPlan, audio_stream
from .codecs import (CODECS, CONTAINERS, DEFAULT_CODEC, CodecSpec, Container, Variant, codec_for_path,
                     get_codec, output_container)
from .color import ColorTags, matrix_tag, sws_matrix
from .decode import ENCODE_FLAGS
from .pixels import PixelLayout
from .probe import HdrMetadata
from .tools import ffmpeg_exe, file_url

__all__ = ["CODECS", "CodecSpec", "FrameWriter", "codec_for_path", "output_size"]

GLOBAL_ARGS = ("-hide_banner", "-nostdin", "-loglevel", "error", "-y")


def output_size(codec: str, width: int, height: int) -> tuple[int, int]:
    """Frame size in the output: 4:2:0 codecs pad odd sizes up to even (black edge)."""
    if get_codec(codec).chroma == "420":
        return width + width % 2, height + height % 2
    return width, height


class FrameWriter:
    """Context manager that pipes RGB(A) frames (HxWxC, as `layout` says; default
    HxWx3 uint8) into ffmpeg.

    Writes exactly `path` (for "png", a folder it creates holding
    frame_000001.png, ...) in the container its extension names (see
    codecs.output_container: an extension the codec cannot write raises
    UserInputError; a suffix naming no container, like ".tmp", gets the
    codec's default). The output frame rate is the rational `fps`; RGB
    is converted to YUV with the colour matrix of `color` (guessed from
    the size when unknown) and the colour tags (range, matrix, transfer,
    primaries) are written; RGB codecs are tagged as RGB, full range.
    4:2:0 codecs need even sizes: odd ones are padded by one black
    row/column at the right/bottom (see output_size). `bits` is the depth to
    store (default: 8 for 8-bit frames, else the deepest the codec has, see
    CodecSpec.storing); frames with alpha go to the codec's alpha variant.
    `hdr` (mastering display, content light level) is written where the
    encoder takes it (H.265) and, with mkvpropedit (see mastering.can_write), in
    Matroska files after encoding and in MOV/MP4 files encoded into a Matroska file
    first, given the metadata, then remuxed (ffmpeg's mov muxer writes the mdcv and clli
    boxes of a stream that carries them). `sar` (pixel aspect) and `timecode` (the start
    timecode, "HH:MM:SS:FF" or drop-frame "HH:MM:SS;FF") and `reel` (reel or tape
    name) are written in video files (MOV/MP4: a tmcd track; MKV: tags). `fields` ("tt" or
    "bb", codecs with ``interlaced``) weaves the frames in pairs into interlaced frames at
    `fps`/2 (see ``weave``), the first of each pair in the top (tt) or bottom (bb) field,
    flagged with that order; an odd count's last frame fills both fields (``padded``). Leaving the
    `with` block on an exception aborts (deletes the output).
    """

    def __init__(self, path: str | os.PathLike[str], width: int, height: int, fps: Fraction,
                 codec: str = DEFAULT_CODEC, *, color: ColorTags | None = None,
                 audio: AudioPlan | None = None, layout: PixelLayout = PixelLayout(),
                 bits: int | None = None, hdr: HdrMetadata | None = None,
                 sar: Fraction | None = None, timecode: str | None = None,
                 reel: str | None = None, fields: str | None = None) -> None:
        self._proc = None
        self.path = Path(path)
        self.spec = get_codec(codec)
        self.layout = layout
        self.variant = self.spec.storing(bits or layout.depth, layout.alpha)
        self.container = output_container(self.path, self.spec.name, strict=False)
        self.width, self.height = int(width), int(height)
        self.fps = Fraction(fps)
        self.frames_written = 0
        self.fields = fields
        self.padded = False
        self.hdr = hdr
        self._timecode, self._reel = timecode, reel
        # MOV/MP4 with HDR metadata: encoded into this Matroska file, remuxed on close
        self._staging = (self.path.with_name(self.path.name + ".hdr.mkv")
                         if hdr is not None and self.spec.name != "h265"
                         and self.container.format in ("mov", "mp4") and mastering.can_write()
                         else None)
        self._first: np.ndarray | None = None  # the first field's frame of a pair
        if fields is not None and (fields not in ("tt", "bb") or not self.spec.interlaced):
            raise ValueError(f"{self.spec.label} cannot be written as interlaced "
                             f"frames '{fields}'")
        if self.width <= 0 or self.height <= 0 or self.fps <= 0:
            raise ValueError(f"bad size {width}x{height} or fps {fps}")
        min_w, min_h = self.spec.min_size
        if self.width < min_w or self.height < min_h:
            raise UserInputError(
                f"{self.path}: {self.spec.label} needs frames of at least {min_w}x{min_h} "
                f"(got {self.width}x{self.height}); choose another codec")
        self._created_dir = self._prepare_output()
        try:
            args = _command(self._staging or self.path, self.spec, self.variant,
                            CONTAINERS[".mkv"] if self._staging else self.container, self.layout,
                            self.width, self.height, self.fps, color or ColorTags(), audio, hdr,
                            sar, timecode, reel, fields)
            self._proc = process.start(args, stdin=True)
        except BaseException:  # nothing written yet: only undo the folder we made
            if self._created_dir:
                shutil.rmtree(self.path, ignore_errors=True)
            raise
        self._stderr = process.StderrTail(self._proc.stderr)

    def _prepare_output(self) -> bool:
        if not self.spec.is_sequence:
            if self.path.is_dir():
                raise UserInputError(f"{self.path}: is a folder, expected a file name")
            return False
        if self.path.is_dir():
            if any(self.path.iterdir()):
                raise UserInputError(f"{self.path}: folder for {self.spec.label} frames is not empty")
            return False
        self.path.mkdir(parents=True)
        return True

    def write(self, frame: np.ndarray) -> None:
        """Encode one frame of the writer's layout; MediaError if ffmpeg has died."""
        lay = self.layout
        if frame.shape != (self.height, self.width, lay.channels) or frame.dtype != lay.dtype:
            raise ValueError(f"expected a {self.height}x{self.width}x{lay.channels} "
                             f"{np.dtype(lay.dtype).name} frame, got {frame.shape} {frame.dtype}")
        if self._proc is None:
            raise MediaError(f"{self.path}: writer is already closed")
        if self.fields is None:
            self._send(frame)
        elif self._first is None:
            self._first = frame.copy()
        else:
            self._send(weave(self._first, frame, self.fields))
            self._first = None
        self.frames_written += 1

    def _send(self, frame: np.ndarray) -> None:
        try:
            self._proc.stdin.write(memoryview(np.ascontiguousarray(frame)).cast("B"))
        except (BrokenPipeError, OSError, ValueError):
            self._fail("ffmpeg stopped while encoding")

    def close(self) -> None:
        """Finish the file and wait for ffmpeg; MediaError (and no output) on failure."""
        proc = self._proc
        if proc is None:
            return
        if self._first is not None:  # an odd count: the last moment fills both fields
            self._send(self._first)
            self._first = None
            self.padded = True
        try:
            proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        proc.wait()
        self._stderr.join()
        self._proc = None
        if proc.returncode != 0:
            self._remove_output()
            raise MediaError(process.one_line(
                f"{self.path}: ffmpeg failed while encoding: {self._stderr.last_line()}"))
        if self.hdr is None or not mastering.can_write():
            return
        try:
            if self._staging is not None:
                mastering.write_matroska(self._staging, self.hdr)
                self._remux(self._staging)
            elif self.container.format == "matroska":
                mastering.write_matroska(self.path, self.hdr)
        except BaseException:
            self._remove_output()
            raise

    def _remux(self, source: Path) -> None:
        """Copy the streams of `source` into the output (no re-encode), then remove it."""
        args = _remux_command(source, self.path, self.container, self._timecode, self._reel)
        proc = process.start(args)
        stderr = process.StderrTail(proc.stderr)
        proc.wait()
        stderr.join()
        if proc.returncode != 0:
            raise MediaError(process.one_line(
                f"{self.path}: ffmpeg failed while writing HDR metadata: {stderr.last_line()}"))
        source.unlink(missing_ok=True)

    def abort(self) -> None:
        """Kill ffmpeg and delete whatever it wrote at `path`."""
        proc, self._proc = self._proc, None
        if proc is not None:
            process.stop(proc)
            self._stderr.join()
        self._remove_output()

    def _fail(self, what: str) -> None:
        proc, self._proc = self._proc, None
        process.stop(proc)
        self._stderr.join()
        self._remove_output()
        raise MediaError(process.one_line(f"{self.path}: {what}: {self._stderr.last_line()}"))

    def _remove_output(self) -> None:
        if self.spec.is_sequence:
            if self._created_dir:
                shutil.rmtree(self.path, ignore_errors=True)
            else:
                suffix = self.spec.sequence_pattern.rsplit(".", 1)[-1]
                for image in self.path.glob(f"frame_*.{suffix}"):
                    image.unlink(missing_ok=True)
        else:
            self.path.unlink(missing_ok=True)
            if self._staging is not None:
                self._staging.unlink(missing_ok=True)

    def __enter__(self) -> "FrameWriter":
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def __del__(self) -> None:
        try:
            if getattr(self, "_proc", None) is not None:
                self.abort()
        except Exception:
            pass


def _command(path: Path, spec: CodecSpec, variant: Variant, container: Container,
             layout: PixelLayout, width: int, height: int, fps: Fraction, color: ColorTags,
             audio: AudioPlan | None, hdr: HdrMetadata | None, sar: Fraction | None = None,
             timecode: str | None = None, reel: str | None = None,
             fields: str | None = None) -> list[str]:
    if fields is not None:  # the pipe carries woven frames: two moments each
        fps = fps / 2
    rate = f"{fps.numerator}/{fps.denominator}"
    video = ffmpeg.input("pipe:", format="rawvideo", pix_fmt=layout.pix_fmt,
                         s=f"{width}x{height}", framerate=rate).video
    out_w, out_h = output_size(spec.name, width, height)
    if (out_w, out_h) != (width, height):
        video = video.filter("pad", w=out_w, h=out_h, x=0, y=0, color="black@0")
    opts: dict[str, object] = dict(spec.args)
    opts.update(variant.args)
    opts.update(container.args)
    opts.update(format=container.format, r=rate, pix_fmt=variant.pix_fmt)
    if fields is not None:
        opts.update(_field_options(spec, fields))
    if hdr is not None and spec.name == "h265":
        opts["x265-params"] = ":".join([str(opts.get("x265-params", "log-level=error")), "hdr10=1"]
                                       + ([f"master-display={hdr.master_display}"]
                                          if hdr.master_display else [])
                                       + ([f"max-cll={hdr.max_cll}"] if hdr.max_cll else []))
    params: dict[str, str] = {}
    if spec.chroma == "rgb":
        video = video.filter("format", variant.pix_fmt)
        params.update(colorspace="gbr", range="pc")
    else:
        matrix = sws_matrix(color.color_space, width, height)
        out_range = "pc" if color.color_range == "pc" else "tv"
        scale = {"interl": 1} if fields is not None else {}  # chroma of each field on its own
        video = video.filter("scale", out_color_matrix=matrix, out_range=out_range,
                             flags=ENCODE_FLAGS, **scale).filter("format", variant.pix_fmt)
        params.update(colorspace=matrix_tag(matrix), range=out_range)
    if color.color_transfer:
        params["color_trc"] = color.color_transfer
    if color.color_primaries:
        params["color_primaries"] = color.color_primaries
    if fields is not None:
        params["field_mode"] = "tff" if fields == "tt" else "bff"
    if not spec.is_sequence:
        # Tag the frames themselves: every encoder and muxer picks this up.
        video = video.filter("setparams", **params)
        if sar is not None:
            video = video.filter("setsar", f"{sar.numerator}/{sar.denominator}")
        if timecode:
            opts["timecode"] = timecode
        if reel:  # MOV/MP4: written in the tmcd track; Matroska: a REEL_NAME tag
            key = "metadata" if container.format == "matroska" else "metadata:s:v:0"
            opts[key] = f"reel_name={reel}"
    streams = [video]
    if audio is not None and spec.audio_args:
        streams.append(audio_stream(audio))
        opts.update(dict(spec.audio_args))
    if spec.is_sequence:  # the image2 muxer reads '%' in the folder's name as a pattern
        url = file_url(Path(str(path).replace("%", "%%")) / spec.sequence_pattern)
    else:
        url = file_url(path)
    out = ffmpeg.output(*streams, url, **opts)
    return out.global_args(*GLOBAL_ARGS).compile(cmd=ffmpeg_exe())


def weave(first: np.ndarray, second: np.ndarray, fields: str) -> np.ndarray:
    """One interlaced frame of two moments: `first` in the field shown first (the top lines,
    0, 2, 4 ..., for "tt"; the bottom lines for "bb"), `second` in the other.

    Done here, exactly, rather than by ffmpeg's tinterlace, which in 5.1 takes YUV only and
    would convert RGB frames on the way (lossy; FFV1 would not be lossless)."""
    top, bottom = (first, second) if fields == "tt" else (second, first)
    out = top.copy()
    out[1::2] = bottom[1::2]
    return out


def _remux_command(source: Path, path: Path, container: Container, timecode: str | None,
                   reel: str | None) -> list[str]:
    """ffmpeg copying every stream of `source` into `path` (format of `container`), with
    the timecode and reel name written as the encoder would have (see _command)."""
    opts: dict[str, object] = dict(container.args)
    opts.update({"format": container.format, "map": "0", "c": "copy"})
    if timecode:
        opts["timecode"] = timecode
    if reel:
        opts["metadata:s:v:0"] = f"reel_name={reel}"
    out = ffmpeg.input(file_url(source)).output(file_url(path), **opts)
    return out.global_args(*GLOBAL_ARGS).compile(cmd=ffmpeg_exe())


def _field_options(spec: CodecSpec, fields: str) -> dict[str, str]:
    """Encoder and muxer options for interlaced frames of field order `fields` ("tt"/"bb").

    H.264 and ProRes code the two fields apart (interlaced DCT); H.265 and FFV1 store the
    woven frame, flagged in the container (ffmpeg's libx265 has no field coding)."""
    opts = {"field_order": fields}
    encoder = dict(spec.args).get("c:v")
    if encoder == "libx264":
        opts.update({"flags": "+ilme+ildct", "x264-params": "tff=1" if fields == "tt" else "bff=1"})
    elif encoder == "prores_ks":
        opts["flags"] = "+ildct"
    return opts
