"""Render jobs: source range -> decoder -> retimer -> encoder -> output, with progress and cancel.

A job validates everything a user can get wrong before it loads the model,
locks the output (one render at a time per output path), writes into a
temporary file next to the target and renames it on success; on failure or
cancellation the temporary output is removed and nothing else is touched.
The source is only ever read.
"""
from __future__ import annotations

import errno
import os
import shutil
import threading
import time
import uuid
import warnings
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np

from . import fidelity
from .errors import Cancelled, UserInputError
from .media import (RAMP_FILTER, AudioPlan, ColorTags, FrameWriter, MediaInfo, has_filter,
                    output_codec, parse_time, probe, read_frames, CODECS)
from .engine.cuts import CUT_MODES
from .engine.ramp import Ramp, RampKey, ramp_for_range
from .engine.timing import RetimePlan, parse_factor
from .farm import FarmOptions
from .hosts.common import partial_output_name
from .media.pixels import PixelLayout
from .media.sequence import is_pattern
from .media.timecode import frames_to_timecode, is_timecode, timecode_to_frames

AUDIO_CHOICES = ("auto", "drop", "stretch", "copy")
FIELDS_CHOICES = ("auto", "progressive", "keep")

# Every file a job makes next to its output is hidden and carries this tag:
# ".<stem>.slowmo-partial-<id><ext>" (the output being written: hosts.common.partial_output_name,
# which the hosts use to find it), ".<name>.slowmo-lock" (OutputLock),
# ".slowmo-write-test-<id>" (check_output_path) and ".<name>.slowmo-job-<id>" (the folder of
# a segmented render's intermediates, farm.segments.new_job_dir).
SIDE_FILE_TAG = "slowmo"


class CancelToken:
    """Cooperative cancellation shared between a front-end and a running job."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def __call__(self) -> bool:
        return self._event.is_set()


@dataclass(frozen=True)
class Progress:
    """A progress report: frames written of the total, speed and time left."""

    done: int
    total: int
    elapsed_s: float
    fps: float
    eta_s: float | None
    stage: str = "rendering"  # "preparing" | "rendering" | "finishing"

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0


ProgressCallback = Callable[[Progress], None]
NoticeCallback = Callable[[str], None]  # one-line notices, e.g. "end ... clamped to the clip's end"


@dataclass(frozen=True)
class RenderRequest:
    """What to render. Times accept seconds, HH:MM:SS.mmm, HH:MM:SS:FF or frame numbers ('120f').

    Without ``codec`` the output's extension chooses it (.mp4/.m4v h264, .mov prores, .mkv ffv1;
    no extension or a trailing separator: a PNG folder); with it, the extension must fit it.
    An ``end`` past the clip is clamped to the clip's end (with a notice).
    """

    source: Path
    output: Path | str  # a str keeps a trailing separator ("frames/": a PNG folder)
    factor: Fraction | float | int | str = 2
    start: str | float | int | None = None
    end: str | float | int | None = None
    mode: str = "slowmo"
    codec: str | None = None
    audio: str = "auto"  # auto: drop in slowmo, copy in smooth
    device: str = "auto"
    overwrite: bool = False
    weights: Path | None = None
    depth: str = "keep"   # keep: refuse writing a deeper-than-8-bit source at 8 bits; codec: accept
    alpha: str = "keep"   # keep: refuse a codec without alpha for an alpha source; drop
    fields: str = "auto"  # auto: an interlaced source is deinterlaced to its field rate;
                          # progressive: its frames are taken as they are (a wrong flag);
                          # keep: deinterlaced, retimed, then written interlaced again
    conform_fps: Fraction | float | str | None = None  # a VFR source is resampled to this
    cuts: str = "hold"    # at a scene cut: hold the outgoing shot, blend, or interpolate
    fps: Fraction | float | str | None = None  # an image sequence's frame rate (default 24)
    farm: "FarmOptions | None" = None  # render as segments: local workers, a Dask cluster
    ramp: "str | Sequence[RampKey | tuple] | Ramp | None" = None  # a speed ramp instead of
                          # ``factor`` (engine.ramp.parse_ramp): "0:1,1.2:0.25~,2.4:1"


@dataclass(frozen=True)
class RenderPlan:
    """A validated request: the facts a front-end shows before rendering."""

    request: RenderRequest
    info: MediaInfo
    start_frame: int
    end_frame: int
    retime: RetimePlan | Ramp
    codec: str
    audio: str  # resolved: drop | stretch | copy
    notices: tuple[str, ...] = ()  # one-line notes for the user (e.g. the end was clamped)
    layout: PixelLayout = PixelLayout()  # how frames travel: depth, alpha
    bits: int = 8                        # bits per component the codec stores
    fields: str | None = None            # "tt"/"bb": output frames are woven in pairs into
                                         # interlaced frames of this field order (--fields keep)

    @property
    def source_frames(self) -> int:
        return self.end_frame - self.start_frame

    @property
    def output_frames(self) -> int:
        return self.retime.output_frames(self.source_frames)

    @property
    def output_fps(self) -> Fraction:
        return self.retime.output_fps(self.info.fps)

    @property
    def file_fps(self) -> Fraction:
        """Frames per second in the output file: half ``output_fps`` when fields are kept."""
        return self.output_fps / 2 if self.fields else self.output_fps

    def file_frames(self, written: int) -> int:
        """Frames in the output file for `written` output frames (fields: pairs, the last
        one padded)."""
        return (written + 1) // 2 if self.fields else written

    @property
    def output_duration(self) -> float:
        return float(self.output_frames / self.output_fps)

    @property
    def exact_chroma(self) -> bool:
        """Subsampled source into a subsampled codec: decode chroma so that the encoder gets
        the source's own chroma back at the source frames (pass-through as a re-encode)."""
        return self.info.chroma_subsampled and CODECS[self.codec].chroma in ("420", "422")

    @property
    def sample_aspect_ratio(self) -> Fraction | None:
        """The source's pixel aspect as displayed (inverted when the source is rotated)."""
        sar = self.info.sample_aspect_ratio
        if sar is None:
            return None
        return 1 / sar if self.info.rotation in (90, 270) else sar

    @property
    def output_timecode(self) -> str | None:
        """The start timecode of the output: the source's at the range start, counted at
        the output's frame rate (drop frame when the source's is and the rate allows)."""
        if not self.info.timecode:
            return None
        # a deinterlaced source's timecode counts its frames, not its fields
        per_frame = 2 if self.info.deinterlace else 1
        try:
            first = (timecode_to_frames(self.info.timecode, self.info.fps / per_frame)
                     * per_frame + self.start_frame)
        except UserInputError:
            return None
        drop = ";" in self.info.timecode or "." in self.info.timecode
        rate = self.file_fps
        count = first * rate / self.info.fps  # kept fields: the frame holding the first field
        return frames_to_timecode(int(count) if self.fields else round(count), rate,
                                  drop and rate.denominator == 1001)

    def audio_plan(self) -> AudioPlan | None:
        if self.audio == "drop" or not self.info.audio or CODECS[self.codec].is_sequence:
            return None
        index = self.info.audio[0].index
        if self.audio == "copy":
            return AudioPlan.for_frames(self.info.path, index, self.info.fps,
                                        self.start_frame, self.end_frame)
        if isinstance(self.retime, Ramp):  # stretched along the curve, as long as the video
            seconds = float((self.end_frame - self.start_frame) / self.info.fps)
            return AudioPlan(self.info.path, index, float(self.start_frame / self.info.fps),
                             seconds, tempo_steps=self.retime.tempo_steps(seconds),
                             length=self.output_duration)
        # stretched audio lasts exactly as long as the video: (N-1)·F+1 frames
        tempo = float(1 / self.retime.factor)
        return AudioPlan(self.info.path, index, float(self.start_frame / self.info.fps),
                         self.output_duration * tempo, tempo)


@dataclass(frozen=True)
class RenderResult:
    """What a finished job wrote."""

    output: Path
    frames: int
    fps: Fraction
    duration_s: float
    seconds: float
    net_calls: int = 0
    notices: tuple[str, ...] = ()


def plan_render(request: RenderRequest, info: MediaInfo | None = None) -> RenderPlan:
    """Validate a request: probe the source and try a file in the output's folder (writing
    nothing else); raise ``UserInputError`` on mistakes."""
    source = Path(request.source)
    output = Path(request.output)
    fps = None if request.fps in (None, "") else _parse_rate(request.fps)
    info = info or probe(source, fps)
    notices: list[str] = []
    if info.sequence is not None:
        seq = info.sequence
        if not seq.fps_given:
            notices.append(f"{source}: an image sequence has no frame rate: {float(info.fps):g} "
                           f"fps assumed (set it with --fps)")
        if info.codec_name == "exr":
            notices.append(f"{source}: EXR values are read as display-referred [0, 1]; values "
                           f"outside it (linear highlights) are clipped")
    elif fps is not None:
        notices.append(f"{source}: --fps applies to image sequences only; the video's own "
                       f"rate ({float(info.fps):g} fps) is used")
    if request.fields not in FIELDS_CHOICES:
        raise UserInputError(f"bad fields '{request.fields}': use {', '.join(FIELDS_CHOICES)}")
    fields_out = None
    if info.interlaced and not info.deinterlace and request.fields != "progressive":
        order = "top" if info.field_order in ("tt", "tb") else "bottom"
        info = info.field_rate()
        if request.fields == "keep":
            if request.mode != "slowmo":
                raise UserInputError(f"{source}: --fields keep writes the source's field rate: "
                                     f"use it with slowmo (smooth raises the rate)")
            fields_out = "tt" if order == "top" else "bb"
            notices.append(f"{source}: interlaced ({order} field first): deinterlaced to its "
                           f"{float(info.fps):g} fields a second, retimed, and written "
                           f"interlaced again ({float(info.fps / 2):g} frames a second, "
                           f"{order} field first)")
        else:
            notices.append(f"{source}: interlaced ({order} field first): deinterlaced to its "
                           f"field rate, {float(info.fps):g} fps, {info.frame_count} frames "
                           f"(--fields progressive takes the frames as they are; --fields "
                           f"keep writes interlaced frames)")
    elif request.fields == "keep":
        notices.append(f"{source}: not interlaced: --fields keep has no fields to keep; the "
                       f"output is progressive")
    if request.conform_fps not in (None, ""):
        rate = _parse_rate(request.conform_fps)
        notices.append(f"{source}: conformed to a constant {float(rate):g} fps (frames dropped "
                       f"or repeated where the source's rate differs)")
        info = info.conformed(rate)
    elif info.variable_rate is not None:
        low, high = info.variable_rate
        raise UserInputError(
            f"{source}: variable frame rate ({low:.3g} to {high:.3g} fps): slow motion needs "
            f"evenly spaced frames; pass --conform-fps RATE (e.g. {high:.3g}) to resample it "
            f"to a constant rate first")
    if request.ramp is None:
        retime: RetimePlan | Ramp = RetimePlan(parse_factor(request.factor), request.mode)
    elif request.mode != "slowmo":
        raise UserInputError(f"a ramp plays at the source rate: mode '{request.mode}' does not "
                             f"apply (leave the mode at slowmo)")
    if request.cuts not in CUT_MODES:
        raise UserInputError(f"bad cuts '{request.cuts}': use {', '.join(CUT_MODES)}")
    total = info.frame_count
    if total < 2:
        raise UserInputError(f"{source}: the clip has only {total} frame; "
                             f"slow motion needs at least 2")
    start = 0 if request.start in (None, "") else _frame_of(request.start, info, notices)
    end = total if request.end in (None, "") else _frame_of(request.end, info, notices)
    if start < 0 or start >= total:
        raise UserInputError(f"{source}: start {request.start} is outside the clip "
                             f"(0 to {total - 1} frames)")
    end_text = _range_point(request.end, end)
    if end > total:
        notices.append(f"{source}: end {request.end} is past the clip's end ({total} frames, "
                       f"{float(total / info.fps):.3f} s): clamped to the clip's end")
        end = total
        end_text = f"the clip's end (frame {total})"
    if end - start < 2:
        raise UserInputError(f"{source}: the range {_range_point(request.start, start)} to "
                             f"{end_text} must hold at least 2 frames (start must come before end)")
    if request.ramp is not None:
        retime = ramp_for_range(request.ramp, info.fps, start, end - start)
        notices.append(f"{source}: {retime.describe()}")
    codec = output_codec(request.output, request.codec)
    kept = fidelity.decide(info, output, codec, bool(request.codec), request.depth, request.alpha,
                           fields_out)
    codec = kept.codec
    notices.extend(kept.notices)
    min_w, min_h = CODECS[codec].min_size
    width, height = info.display_size
    if width < min_w or height < min_h:
        raise UserInputError(f"{output}: {CODECS[codec].label} needs frames of at least "
                             f"{min_w}x{min_h} (the source is {width}x{height}); choose another codec")
    audio = request.audio
    if audio not in AUDIO_CHOICES:
        raise UserInputError(f"bad audio mode '{audio}': use {', '.join(AUDIO_CHOICES)}")
    if isinstance(retime, Ramp):
        audio = _ramp_audio(source, info, audio, notices)
    elif audio == "auto":
        audio = "drop" if retime.mode == "slowmo" else "copy"
    elif retime.mode == "smooth" and audio == "stretch":
        audio = "copy"  # smooth keeps the duration, so the audio fits as it is
    elif retime.mode == "slowmo" and audio == "copy":
        raise UserInputError("audio 'copy' only fits smooth mode: use stretch or drop in slowmo")
    if fields_out and retime.output_frames(end - start) % 2:
        notices.append(f"{output}: {retime.output_frames(end - start)} fields make no whole "
                       f"number of interlaced frames: the last is held for one more field")
    check_output_path(source, output, request.overwrite)
    return RenderPlan(request, info, start, end, retime, codec, audio, tuple(notices),
                      kept.layout, kept.bits, fields_out)


def _ramp_audio(source: Path, info: MediaInfo, audio: str, notices: list[str]) -> str:
    """A ramp's audio: stretched along the curve (``stretch``, with ffmpeg's rubberband),
    else dropped with a notice (``auto``, as a constant slow motion drops it)."""
    if not info.audio or audio == "drop":
        return "drop"
    if audio == "copy":
        raise UserInputError("audio 'copy' does not fit a ramp (it changes the duration): use "
                             "stretch or drop")
    if audio == "auto":
        notices.append(f"{source}: the audio is dropped (a ramp changes its speed along the "
                       f"clip; --audio stretch stretches it along the ramp)")
        return "drop"
    if not has_filter(RAMP_FILTER):
        raise UserInputError(f"audio 'stretch' along a ramp needs ffmpeg's {RAMP_FILTER} filter "
                             f"(librubberband), which this ffmpeg lacks: use --audio drop")
    return "stretch"


def _parse_rate(value: Fraction | float | str) -> Fraction:
    try:
        rate = Fraction(str(value).strip())
    except (ValueError, ZeroDivisionError):
        rate = Fraction(0)
    if not 1 <= rate <= 1000:
        raise UserInputError(f"bad frame rate '{value}': use a number like 25, 29.97 or "
                             f"30000/1001")
    return rate


def _frame_of(text: str | float | int, info: MediaInfo, notices: list[str]) -> int:
    """A range point's frame. A timecode at or after the source's start timecode is read
    as the source's own (01:00:00:12 on a clip starting at 01:00:00:00 is frame 12),
    with a notice; anything else counts from the clip's first frame."""
    if info.timecode and is_timecode(text):
        per_frame = 2 if info.deinterlace else 1  # the timecode counts frames, not fields
        try:
            origin = timecode_to_frames(info.timecode, info.fps / per_frame)
            value = timecode_to_frames(str(text), info.fps / per_frame)
        except UserInputError:
            origin = value = -1
        if 0 <= origin <= value:
            notices.append(f"{info.path}: {str(text).strip()} read as the source's timecode "
                           f"(it starts at {info.timecode}): frame {value - origin}")
            return (value - origin) * per_frame
    return parse_time(text, info.fps)


def _range_point(text: str | float | int | None, frame: int) -> str:
    """A range end as the user gave it, with its frame: "0.3 (frame 8)"."""
    return f"frame {frame}" if text in (None, "") else f"{text} (frame {frame})"


def check_output_path(source: Path, output: Path, overwrite: bool, write_test: bool = True) -> None:
    """Refuse outputs that would overwrite the source, an existing file, or cannot be written
    (``write_test``: try a file in the folder; a caller holding the output's lock knows)."""
    src = source.resolve()
    out = output.resolve()
    if out == src or (output.exists() and source.exists() and os.path.samefile(output, source)):
        raise UserInputError(f"{output}: the output must not be the input file")
    if is_pattern(source) and out in (src.parent, *src.parent.parents):
        raise UserInputError(f"{output}: the output must not be the folder of the input frames")
    if output.exists() and not overwrite:
        raise UserInputError(f"{output}: already exists (use --overwrite to replace it)")
    parent = out.parent
    if not parent.is_dir():
        raise UserInputError(f"{parent}: output folder does not exist")
    if not write_test:
        return
    probe_file = parent / f".{SIDE_FILE_TAG}-write-test-{uuid.uuid4().hex[:8]}"
    try:
        probe_file.touch()
        probe_file.unlink()
    except OSError as exc:
        raise UserInputError(f"{parent}: cannot write in this folder ({exc.strerror})") from None


def temp_output_path(output: Path) -> Path:
    """A hidden sibling of ``output`` with the same extension, unique per job."""
    return output.with_name(partial_output_name(output.name, uuid.uuid4().hex[:8]))


def lock_path(output: Path) -> Path:
    """The hidden lock file of ``output``, in the output's folder."""
    return output.with_name(f".{output.name}.{SIDE_FILE_TAG}-lock")


class OutputLock:
    """An exclusive lock on an output path, held while a job writes that output.

    The lock is ``lock_path(output)``, holding the owner's pid, locked with
    flock (POSIX) or msvcrt.locking (Windows). The operating system drops
    such a lock when its owner dies, so a lock file left by a dead process
    is simply taken over. A lock held elsewhere (another process, or another
    job in this one) raises UserInputError. ``release()`` (or leaving the
    ``with`` block) removes the file.
    """

    ATTEMPTS = 10  # re-tries when the file is removed under us by a finishing owner

    def __init__(self, output: Path) -> None:
        self.output = Path(output)
        self.path = lock_path(self.output)
        self._fd: int | None = None

    def acquire(self) -> "OutputLock":
        """Take the lock or raise UserInputError naming the output and the render holding it."""
        if self._fd is not None:
            return self
        for _ in range(self.ATTEMPTS):
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0),
                             0o644)
            except OSError as exc:
                raise UserInputError(f"{self.path}: cannot create the output's lock file "
                                     f"({exc.strerror or exc})") from None
            locked = _lock_fd(fd)
            if locked is False:
                owner = _read_pid(fd)
                os.close(fd)
                who = f" (process {owner})" if owner else ""
                raise UserInputError(
                    f"{self.output}: another render{who} is writing this output; wait for it to "
                    f"finish or choose another output (lock file {self.path.name})")
            # (None: this file system cannot lock; go on unprotected, as before locks existed)
            if locked is None or _is_same_file(fd, self.path):
                os.ftruncate(fd, 0)
                os.lseek(fd, 0, os.SEEK_SET)
                os.write(fd, f"{os.getpid()}\n".encode("ascii"))
                self._fd = fd
                return self
            os.close(fd)  # the owner removed the file as we opened it: try again
        raise UserInputError(f"{self.output}: could not lock this output (lock file "
                             f"{self.path.name} keeps changing); try again")

    def release(self) -> None:
        """Remove the lock file and drop the lock (safe to call twice)."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        if os.name == "nt":  # an open file cannot be removed there: close first
            os.close(fd)
            _unlink_quietly(self.path)
        else:  # remove first, so that nobody can lock the removed file and think it current
            _unlink_quietly(self.path)
            os.close(fd)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def __enter__(self) -> "OutputLock":
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


_WINDOWS_LOCK_OFFSET = 1 << 30  # lock a byte far past the pid, which others still read


_BUSY_ERRNOS = {errno.EACCES, errno.EAGAIN, errno.EWOULDBLOCK, errno.EDEADLK}


def _lock_fd(fd: int) -> bool | None:
    """Lock the open file without waiting: True, False when someone else holds it, None when
    the file system cannot lock files."""
    try:
        if os.name == "nt":
            import msvcrt

            os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            os.lseek(fd, 0, os.SEEK_SET)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        return False if exc.errno in _BUSY_ERRNOS else None
    return True


def _read_pid(fd: int) -> int | None:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        return int(os.read(fd, 32).decode("ascii", "replace").strip() or 0) or None
    except (OSError, ValueError):
        return None


def _is_same_file(fd: int, path: Path) -> bool:
    try:
        a, b = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _unlink_quietly(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:  # Windows: another process has it open; it is unlocked and will be taken
        pass


def remove_path(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def install_output(tmp: Path, output: Path, replace: bool = True) -> None:
    """Move the finished temporary output into place (replacing an old one when ``replace``)."""
    if not replace and (output.exists() or output.is_symlink()):
        raise UserInputError(f"{output}: appeared while rendering (written by another program); "
                             f"not replaced (use --overwrite to replace it)")
    old = output.exists() or output.is_symlink()
    if not old or (tmp.is_file() and output.is_file()):
        os.replace(tmp, output)  # atomic for files
        return
    # A folder (PNG/TIFF/... frames) replaces anything, or a file replaces a folder: the old
    # output is renamed aside first and removed only once the new one is in place, so a
    # failure at any step leaves the old output where it was.
    aside = output.with_name(f".{output.name}.{SIDE_FILE_TAG}-old-{uuid.uuid4().hex[:8]}")
    os.replace(output, aside)
    try:
        os.replace(tmp, output)
    except BaseException:
        os.replace(aside, output)
        raise
    remove_path(aside)


FPS_WINDOW_S = 10.0  # the speed shown is measured over about this many seconds


class ProgressMeter:
    """Turns frame counts into Progress reports (fps over a sliding window, ETA)."""

    def __init__(self, total: int, callback: ProgressCallback | None, interval_s: float = 0.2) -> None:
        self.total = total
        self.callback = callback
        self.interval_s = interval_s
        self.start = time.monotonic()
        self.samples: list[tuple[float, int]] = [(self.start, 0)]
        self.last_report = 0.0

    def update(self, done: int, stage: str = "rendering", force: bool = False) -> None:
        if self.callback is None:
            return
        now = time.monotonic()
        if not force and now - self.last_report < self.interval_s:
            return
        self.last_report = now
        if done != self.samples[-1][1]:
            self.samples.append((now, done))
        # the speed is measured from the newest frame count at least FPS_WINDOW_S old (or the
        # oldest), so frames slower than the window (4K, a slow CPU) still give a rate
        start = 0
        for i in range(len(self.samples) - 1, -1, -1):
            if now - self.samples[i][0] >= FPS_WINDOW_S and self.samples[i][1] < done:
                start = i
                break
        del self.samples[:start]
        t0, d0 = self.samples[0]
        fps = (done - d0) / (now - t0) if now > t0 and done > d0 else 0.0
        eta = (self.total - done) / fps if fps > 0 else None
        self.callback(Progress(done, self.total, now - self.start, fps, eta, stage))


class RenderJob:
    """One render: ``run()`` blocks, reports progress and honours the cancel token."""

    def __init__(self, request: RenderRequest, progress: ProgressCallback | None = None,
                 cancel: CancelToken | None = None, interpolator=None,
                 notice: NoticeCallback | None = None) -> None:
        self.request = request
        self.progress = progress
        self.cancel = cancel or CancelToken()
        self.interpolator = interpolator
        self.notice = notice

    def plan(self) -> RenderPlan:
        return plan_render(self.request)

    def run(self, plan: RenderPlan | None = None) -> RenderResult:
        """Render; notices go to ``notice`` (a UserWarning without one) before any work.
        ``plan``: this request's plan when the caller has made it already (probed once)."""
        plan = plan if plan is not None else self.plan()
        for text in plan.notices:
            self._notify(text)
        output = Path(self.request.output)
        with OutputLock(output):
            # Again under the lock: a render that held it may have written the output since.
            check_output_path(Path(self.request.source), output, self.request.overwrite,
                              write_test=False)  # the lock file was written there
            return self._render(plan, output)

    def _render(self, plan: RenderPlan, output: Path) -> RenderResult:
        if self.request.farm is not None and self.request.farm.enabled:
            return self._render_segments(plan, output)
        meter = ProgressMeter(plan.output_frames, self.progress)
        meter.update(0, "preparing", force=True)
        interpolator = self.interpolator or load_interpolator_for(self.request)
        self._check_cancel()
        tmp = temp_output_path(output)
        started = time.monotonic()
        calls_before = interpolator.net_calls
        done = 0
        try:
            frames = retime_range(interpolator, plan.info.path, plan.start_frame, plan.end_frame,
                                  plan.retime, cancel=self.cancel, info=plan.info,
                                  layout=plan.layout, cuts=self.request.cuts,
                                  exact_chroma=plan.exact_chroma)
            writer = output_writer(plan, tmp)
            try:
                for frame in frames:
                    writer.write(frame)
                    done += 1
                    meter.update(done)
                    self._check_cancel()
                meter.update(done, "finishing", force=True)
                writer.close()
            except BaseException:
                writer.abort()
                raise
            finally:
                frames.close()
            install_output(tmp, output, replace=self.request.overwrite)
        finally:
            if tmp.exists():
                remove_path(tmp)
        meter.update(done, "done", force=True)
        return RenderResult(output, plan.file_frames(done), plan.file_fps,
                            float(done / plan.output_fps), time.monotonic() - started,
                            interpolator.net_calls - calls_before, plan.notices)

    def _render_segments(self, plan: RenderPlan, output: Path) -> RenderResult:
        """Render as segments (in this process, on local worker processes or on a Dask
        cluster) into a job folder next to the output, then encode them once."""
        from .farm import dask_engine
        from .farm.segments import assemble, new_job_dir, segment_options, split

        farm = self.request.farm
        meter = ProgressMeter(plan.output_frames, self.progress)
        meter.update(0, "preparing", force=True)
        segments = split(plan.source_frames, plan.retime, farm.frames_per_segment)
        started = time.monotonic()
        job_dir = new_job_dir(output)
        try:
            if farm.workers is None and not farm.scheduler:
                interpolator = self.interpolator or load_interpolator_for(self.request,
                                                                          segment_options())
                self._check_cancel()
                calls = dask_engine.run_inline(plan, self.request, segments, job_dir,
                                               interpolator, meter.update, self.cancel)
            else:
                calls = dask_engine.run_segments(plan, self.request, segments, job_dir, farm,
                                                 meter.update, self.cancel)
            self._check_cancel()
            meter.update(plan.output_frames, "finishing", force=True)
            done = assemble(plan, job_dir, segments, output, replace=self.request.overwrite,
                            cancel=self.cancel)
        finally:
            dask_engine.remove_job_dir(job_dir)
        meter.update(done, "done", force=True)
        return RenderResult(output, plan.file_frames(done), plan.file_fps,
                            float(done / plan.output_fps), time.monotonic() - started, calls,
                            plan.notices)

    def _notify(self, text: str) -> None:
        if self.notice is not None:
            self.notice(text)
        else:
            warnings.warn(text, UserWarning, stacklevel=3)

    def _check_cancel(self) -> None:
        if self.cancel.cancelled:
            raise Cancelled("render cancelled")


def load_interpolator_for(request: RenderRequest, options=None):
    from .engine import load_interpolator

    return load_interpolator(request.weights, request.device, options)


def output_writer(plan: RenderPlan, path: Path) -> FrameWriter:
    """The writer of a render's output (codec, colour, audio, depth, timecode) at ``path``."""
    width, height = plan.info.display_size
    return FrameWriter(path, width, height, plan.output_fps,
                       plan.codec, color=ColorTags.from_info(plan.info),
                       audio=plan.audio_plan(), layout=plan.layout, bits=plan.bits,
                       hdr=plan.info.hdr_metadata, sar=plan.sample_aspect_ratio,
                       timecode=plan.output_timecode, reel=plan.info.reel_name,
                       fields=plan.fields)


def retime_range(interpolator, source: Path, start_frame: int, end_frame: int,
                 retime: RetimePlan | Ramp,
                 *, cancel: Callable[[], bool] | None = None, info: MediaInfo | None = None,
                 size: tuple[int, int] | None = None,
                 layout: PixelLayout | None = None, cuts: str = "hold",
                 exact_chroma: bool = False) -> Iterator[np.ndarray]:
    """Decode [start_frame, end_frame) of ``source`` and yield the retimed frames (no encoding).

    Used by render jobs and by previews (on a proxy, with ``size``); ``layout`` sets the
    frames' depth and alpha (default 8-bit RGB); ``cuts`` what happens at a scene cut
    (see ``Retimer``).
    """
    from .engine import Retimer

    reader = read_frames(source, start_frame, end_frame, size=size, info=info, layout=layout,
                         exact_chroma=exact_chroma)
    try:
        yield from Retimer(interpolator, retime, cancel, cuts).run(reader)
    finally:
        reader.close()


def render(source: str | Path, output: str | Path, *,
           factor: Fraction | float | int | str | None = None,
           start: str | float | int | None = None, end: str | float | int | None = None,
           mode: str = "slowmo", codec: str | None = None, audio: str = "auto",
           device: str = "auto", overwrite: bool = False, weights: str | Path | None = None,
           progress: ProgressCallback | None = None, cancel: CancelToken | None = None,
           interpolator=None, notice: NoticeCallback | None = None, depth: str = "keep",
           alpha: str = "keep", fields: str = "auto",
           conform_fps: Fraction | float | str | None = None, cuts: str = "hold",
           fps: Fraction | float | str | None = None, workers: int | None = None,
           scheduler: str | None = None, segment_frames: int | None = None,
           ramp: "str | Sequence[RampKey | tuple] | Ramp | None" = None) -> RenderResult:
    """Render a slow-motion (or smooth) version of ``source`` to ``output``; see ``RenderRequest``.

    ``factor`` (default 2) or ``ramp``, a speed ramp: keys (source seconds, speed), e.g.
    ``[(0, 1), (1.2, 0.25), (2.0, 0.25, "smooth"), (2.4, 1)]`` or "0:1,1.2:0.25,2.0:0.25~,2.4:1"
    (see ``vfi_plugin.engine.ramp``); with a ramp, ``audio="stretch"`` stretches the
    audio along it (else it is dropped).

    ``notice`` receives one-line notices (default: emitted as a ``UserWarning``).
    ``workers`` (local worker processes) or ``scheduler`` (a Dask scheduler's address) render
    the job as segments of ``segment_frames`` source frames on Dask distributed;
    ``segment_frames`` alone renders the segments one after the other in this process.
    """
    if factor is not None and ramp is not None:
        raise UserInputError("give a factor or a ramp, not both")
    farm = (FarmOptions(workers, scheduler, segment_frames)
            if workers is not None or scheduler or segment_frames is not None else None)
    request = RenderRequest(Path(source), output if isinstance(output, str) else Path(output),
                            2 if factor is None else factor, start, end, mode, codec, audio,
                            device, overwrite,
                            Path(weights) if weights else None, depth, alpha, fields,
                            conform_fps, cuts, fps, farm, ramp)
    return RenderJob(request, progress, cancel, interpolator, notice).run()
