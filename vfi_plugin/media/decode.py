"""Stream decoded RGB frames of a frame range out of ffmpeg through a pipe."""
from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path
from typing import Sequence

import ffmpeg
import numpy as np

from vfi_plugin.errors import MediaError, UserInputError

from . import process
from .color import sws_matrix
from .pixels import PixelLayout
from .probe import MediaInfo, probe
from .tools import ffmpeg_exe, file_url  # noqa: F401 - file_url is also imported from here

GLOBAL_ARGS = ("-hide_banner", "-nostdin", "-loglevel", "error", "-copyts")
SEEK_PREROLL_S = 0.5
SCALE_FLAGS = "bicubic+accurate_rnd+full_chroma_int"
# Chroma upsampled by repetition: an encoder that averages it back (ENCODE_FLAGS) gets the
# source's own chroma samples again, so frames pass through as a re-encode would.
EXACT_CHROMA_FLAGS = "neighbor+accurate_rnd+full_chroma_int"
ENCODE_FLAGS = "area+accurate_rnd"


class FrameReader:
    """Iterator and context manager over RGB(A) frames from ffmpeg.

    Frames are HxWxC arrays as `layout` says (default HxWx3 uint8); reads exactly
    one frame's bytes at a time from ffmpeg's stdout; stops at `count` frames or
    when ffmpeg's output ends (see `frames_read`).
    """

    def __init__(self, args: Sequence[str], width: int, height: int,
                 count: int | None, source: Path, layout: PixelLayout = PixelLayout()) -> None:
        self._proc = None
        self.width = width
        self.height = height
        self.count = count
        self.source = source
        self.layout = layout
        self.frames_read = 0
        self._frame_bytes = width * height * layout.bytes_per_pixel
        self._proc = process.start(args, stdout=True)
        self._stderr = process.StderrTail(self._proc.stderr)

    def __iter__(self) -> "FrameReader":
        return self

    def __next__(self) -> np.ndarray:
        if self._proc is None:
            raise StopIteration
        if self.count is not None and self.frames_read >= self.count:
            self.close()
            raise StopIteration
        buf = bytearray(self._frame_bytes)
        if self._read_into(buf) < self._frame_bytes:
            self._finish()
            raise StopIteration
        self.frames_read += 1
        return np.frombuffer(buf, dtype=self.layout.dtype).reshape(
            self.height, self.width, self.layout.channels)

    def _read_into(self, buf: bytearray) -> int:
        view = memoryview(buf)
        got = 0
        while got < len(buf):
            n = self._proc.stdout.readinto(view[got:])
            if not n:
                break
            got += n
        return got

    def _finish(self) -> None:
        """ffmpeg's output ended: reap it and report a failure."""
        proc = self._proc
        proc.wait()
        self._stderr.join()
        self.close()
        if proc.returncode != 0:
            raise MediaError(process.one_line(
                f"{self.source}: ffmpeg failed while decoding: {self._stderr.last_line()}"))

    def close(self) -> None:
        """Stop ffmpeg (if still running) and reap it. Safe to call twice."""
        proc, self._proc = self._proc, None
        if proc is not None:
            process.stop(proc)
            self._stderr.join()

    def __enter__(self) -> "FrameReader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass


def read_frames(
    path: str | os.PathLike[str],
    start_frame: int = 0,
    end_frame: int | None = None,
    *,
    size: tuple[int, int] | None = None,
    info: MediaInfo | None = None,
    layout: PixelLayout | None = None,
    exact_chroma: bool = False,
) -> FrameReader:
    """Decode frames [start_frame, end_frame) of the video as RGB(A) arrays.

    `layout` (default: 8-bit RGB) sets the frames' depth and alpha; 16-bit frames
    hold the source's samples scaled to the full uint16 range. `exact_chroma` (at the
    source's size only) upsamples subsampled chroma by repetition, for outputs that
    subsample it again (see EXACT_CHROMA_FLAGS).
    Rotation metadata is applied like players do; `size=(w, h)` scales the
    (rotated) frames. Frame numbers match probe(): the stream is read at
    constant frame rate `info.fps`. end_frame=None reads to the last frame.
    `info` is probe(path), passed to avoid probing again.
    """
    path = Path(path)
    info = info or probe(path)
    if start_frame < 0:
        raise UserInputError(f"{path}: start frame {start_frame} is negative")
    if end_frame is None:
        end_frame = info.frame_count
        if start_frame >= end_frame:
            raise UserInputError(
                f"{path}: start frame {start_frame} is past the end ({info.frame_count} frames)")
    if end_frame <= start_frame:
        raise UserInputError(f"{path}: empty frame range {start_frame}-{end_frame}")
    width, height = size or info.display_size
    if width <= 0 or height <= 0:
        raise ValueError(f"bad frame size {size}")
    count = end_frame - start_frame
    layout = layout or PixelLayout()
    exact = exact_chroma and (width, height) == info.display_size
    args = _command(info, start_frame, count, (width, height), layout, exact)
    return FrameReader(args, width, height, count, path, layout)


def seek_args(info: MediaInfo, frame: int) -> tuple[dict, float | None]:
    """Input options and trim point (absolute seconds) to start exactly at `frame`.

    The input seek goes SEEK_PREROLL_S earlier than needed, because some
    demuxers (MPEG-TS/PS) seek by decode time and can land on a keyframe
    after the target; timestamps are kept (-copyts) and a trim at half a
    frame before the target drops the rest, so the cut is frame-exact.
    """
    if frame <= 0:
        return {}, None
    offset = (frame - Fraction(1, 2)) / info.fps
    seek = float(offset) - SEEK_PREROLL_S  # -ss counts from the file's start time
    opts = {"ss": f"{seek:.6f}"} if seek > 0 else {}
    return opts, info.start_time + float(offset)


def seek_stream(info: MediaInfo, frame: int) -> ffmpeg.nodes.FilterableStream:
    """The video stream of `info.path`, starting exactly at `frame` (for a field-rate
    view, ``MediaInfo.field_rate``, deinterlaced field by field first)."""
    opts, trim_at = seek_args(info, frame)
    if info.sequence is not None:  # image2 reads the numbered files at the given rate
        seq = info.sequence
        opts.update(f="image2", framerate=f"{info.fps.numerator}/{info.fps.denominator}",
                    start_number=str(seq.start_number))
    stream = ffmpeg.input(file_url(info.path), **opts)[str(info.stream_index)]
    if info.deinterlace:  # one frame per field, at the field's own time; trimmed after
        # the stream's field order, not the frames' flags: H.265 frames carry none
        parity = "bff" if info.field_order in ("bb", "bt") else "tff"
        stream = stream.filter("bwdif", mode="send_field", parity=parity, deint="all")
    if trim_at is not None:
        stream = stream.filter("trim", start=f"{trim_at:.6f}")
    return stream


def constant_rate(stream: ffmpeg.nodes.FilterableStream,
                  fps: Fraction) -> ffmpeg.nodes.FilterableStream:
    """Restart timestamps at the first frame, then force constant `fps`.

    The restart anchors the fps filter's grid on the first wanted frame, so
    a stream whose timestamps sit near half a frame off the grid cannot get
    a frame duplicated or dropped by rounding.
    """
    stream = stream.filter("setpts", "PTS-STARTPTS")
    return stream.filter("fps", fps=f"{fps.numerator}/{fps.denominator}")


def rgb_filters(stream: ffmpeg.nodes.FilterableStream, info: MediaInfo, width: int,
                height: int, pix_fmt: str = "rgb24", flags: str = SCALE_FLAGS
                ) -> ffmpeg.nodes.FilterableStream:
    """Constant frame rate, then to_rgb()."""
    return to_rgb(constant_rate(stream, info.fps), info, width, height, pix_fmt, flags)


def to_rgb(stream: ffmpeg.nodes.FilterableStream, info: MediaInfo, width: int,
           height: int, pix_fmt: str = "rgb24", flags: str = SCALE_FLAGS
           ) -> ffmpeg.nodes.FilterableStream:
    """Scale to width x height and convert to `pix_fmt` (rgb24, rgb48le, rgba, ...) with
    the source's YUV matrix."""
    stream = stream.filter(
        "scale", w=width, h=height, flags=flags,
        in_color_matrix=sws_matrix(info.color_space, info.width, info.height),
    )
    return stream.filter("format", pix_fmt)


def _command(info: MediaInfo, start: int, count: int, size: tuple[int, int],
             layout: PixelLayout, exact_chroma: bool = False) -> list[str]:
    flags = EXACT_CHROMA_FLAGS if exact_chroma else SCALE_FLAGS
    video = rgb_filters(seek_stream(info, start), info, *size, pix_fmt=layout.pix_fmt,
                        flags=flags)
    out = ffmpeg.output(video, "pipe:", format="rawvideo", pix_fmt=layout.pix_fmt,
                        **{"frames:v": count})
    return out.global_args(*GLOBAL_ARGS).compile(cmd=ffmpeg_exe())
