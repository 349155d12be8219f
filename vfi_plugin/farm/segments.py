"""Segments of a render: split, render one (anywhere), assemble them into the output.

A segment owns the source intervals [a, b) of the render's range (range-relative frame
numbers) and so the output frames j whose wanted time j/F lies in [a, b): j in
[ceil(a·F), ceil(b·F)) (the last segment: up to the render's last frame). For an integer
factor that is "source interval i, step s -> i·F + s"; smooth mode numbers the same way
(its last times are clamped to the last frame, as in a one-process render); a speed ramp
owns the frames whose ramp time lies in [a, b) (``first_frame_at``). A segment
decodes its intervals plus the context frames the recursion and the cut detection need
(``span_context``) and writes a lossless FFV1 intermediate (at the render's depth and
alpha) into the job folder, through a hidden temporary name renamed when complete.

Exactness: a network call's result depends on how windows are batched and on the number
of torch threads (on a CPU, bf16 or fp32: one window or several per pass, 1 or 2 threads,
differ by a level or two). Segments therefore run one window per pass
(``InferenceOptions(batch_pixels=1)``), which is also what a one-process render does for
frames of 200,000 pixels and more on a CPU, with the torch thread count of the process that
submits the job (``compute_threads``; Dask's nanny starts workers with one thread). The
frames then equal such a render's exactly (on the same machine type: another CPU can
choose other kernels or precision).
"""
from __future__ import annotations

import math
import os
import socket
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from ..errors import Cancelled, MediaError, UserInputError
from ..engine.ramp import Ramp
from ..engine.timing import RetimePlan

SEGMENT_CODEC = "ffv1"
CANCEL_MARK = "cancelled"  # a file in the job folder: running segments stop
_INTERPOLATORS: dict = {}  # one model per worker process: (weights, device) -> Interpolator


@dataclass(frozen=True)
class Segment:
    """Source intervals [a, b) and output frames [first, stop) of one segment; it reads
    source frames [read_start, read_end) (all range-relative)."""

    index: int
    a: int
    b: int
    first: int
    stop: int
    read_start: int
    read_end: int

    @property
    def frames(self) -> int:
        return self.stop - self.first

    @property
    def name(self) -> str:
        return f"segment-{self.index:06d}.mkv"


def split(source_frames: int, retime: "RetimePlan | Ramp", segment_frames: int) -> list[Segment]:
    """The segments of a render of ``source_frames`` frames, ``segment_frames`` each."""
    from ..engine.retime import span_context

    if segment_frames < 1:
        raise UserInputError(f"bad segment size {segment_frames}")
    total = retime.output_frames(source_frames)
    out: list[Segment] = []
    a = 0
    while a < source_frames:
        b = min(source_frames, a + segment_frames)
        if source_frames - b == 1 and retime.mode == "slowmo":
            b = source_frames  # the last frame alone would be one output frame: keep it here
        first = retime.first_frame_at(a)
        stop = total if b == source_frames else retime.first_frame_at(b)
        if first < stop:
            r, e = span_context(a, b, source_frames)
            out.append(Segment(len(out), a, b, first, stop, r, e))
        a = b
    return out


def segment_options():
    from ..engine import InferenceOptions

    return InferenceOptions(batch_pixels=1)  # one window per pass: see the module's doc


def compute_threads() -> int:
    """The torch threads a one-process render here computes with."""
    import torch

    return torch.get_num_threads()


def set_threads(threads: int | None) -> None:
    if threads:
        import torch

        if torch.get_num_threads() != threads:
            torch.set_num_threads(threads)


def worker_interpolator(weights: Path | None, device: str):
    """The interpolator of this process (loaded once, then reused by every segment)."""
    key = (str(weights) if weights else None, device)
    if key not in _INTERPOLATORS:
        from ..engine import load_interpolator

        _INTERPOLATORS[key] = load_interpolator(weights, device, segment_options())
    return _INTERPOLATORS[key]


def check_visible(plan, job_dir: Path) -> None:
    """Say clearly when this worker cannot see the input or the job folder."""
    host = socket.gethostname()
    if not Path(plan.info.path).exists():
        raise UserInputError(f"{plan.info.path}: not visible on worker {host}: inputs and the "
                             f"output's folder must be on storage every worker sees (same path)")
    if not job_dir.is_dir():
        raise UserInputError(f"{job_dir}: the job folder is not visible on worker {host}: the "
                             f"output's folder must be on storage every worker sees (same path)")


def render_segment(plan, cuts: str, seg: Segment, job_dir: Path, *, interpolator=None,
                   weights: Path | None = None, device: str = "auto",
                   progress: Callable[[int], None] | None = None,
                   cancel: Callable[[], bool] | None = None) -> int:
    """Render ``seg`` of ``plan`` (a RenderPlan) into ``job_dir/seg.name``; return its frames.

    A finished segment (its file present) is kept as it is (a retried task, a resumed job).
    """
    from ..engine import Retimer
    from ..media import FrameWriter, read_frames

    job_dir = Path(job_dir)
    check_visible(plan, job_dir)
    target = job_dir / seg.name
    if target.exists():
        return seg.frames
    interp = interpolator or worker_interpolator(weights, device)
    stopped = cancel_check(job_dir, cancel)
    tmp = job_dir / f".{seg.index:06d}.partial-{uuid.uuid4().hex[:8]}.mkv"
    width, height = plan.info.display_size
    reader = read_frames(plan.info.path, plan.start_frame + seg.read_start,
                         plan.start_frame + seg.read_end, info=plan.info, layout=plan.layout,
                         exact_chroma=plan.exact_chroma)
    done = 0
    try:
        frames = Retimer(interp, plan.retime, stopped, cuts).run_span(
            reader, seg.read_start, seg.first, seg.stop, plan.source_frames)
        with FrameWriter(tmp, width, height, plan.output_fps, SEGMENT_CODEC,
                         layout=plan.layout, bits=plan.layout.depth) as writer:
            for frame in frames:
                writer.write(frame)
                done += 1
                if progress is not None:
                    progress(done)
        if done != seg.frames:
            raise MediaError(f"{plan.info.path}: segment {seg.index} made {done} frames, "
                             f"expected {seg.frames}")
        os.replace(tmp, target)
    finally:
        reader.close()
        tmp.unlink(missing_ok=True)
    return done


def cancel_check(job_dir: Path, cancel: Callable[[], bool] | None = None,
                 every_s: float = 0.5) -> Callable[[], bool]:
    """A cancel test for a segment: ``cancel()``, or the job folder marked cancelled or gone
    (looked at every ``every_s`` seconds: it may be on network storage)."""
    last = [0.0, False]

    def stopped() -> bool:
        if cancel is not None and cancel():
            return True
        now = time.monotonic()
        if now - last[0] >= every_s:
            last[0] = now
            last[1] = (job_dir / CANCEL_MARK).exists() or not job_dir.is_dir()
        return bool(last[1])

    return stopped


def assembled_frames(plan, job_dir: Path, segments: list[Segment],
                     cancel: Callable[[], bool] | None = None) -> Iterator[np.ndarray]:
    """The output's frames in order, read back from the segments' intermediates."""
    from ..media import probe, read_frames

    for seg in segments:
        path = Path(job_dir) / seg.name
        if not path.exists():
            raise MediaError(f"{path}: segment {seg.index} is missing")
        info = probe(path)
        count = 0
        with read_frames(path, info=info, layout=plan.layout) as reader:
            for frame in reader:
                count += 1
                yield frame
                if cancel is not None and cancel():
                    raise Cancelled("render cancelled")
        if count != seg.frames:
            raise MediaError(f"{path}: segment {seg.index} holds {count} frames, "
                             f"expected {seg.frames}")


def assemble(plan, job_dir: Path, segments: list[Segment], output: Path, *, replace: bool,
             cancel: Callable[[], bool] | None = None,
             progress: Callable[[int], None] | None = None) -> int:
    """Encode the finished segments once into ``output`` (codec, audio, colour of the
    render), through a temporary file renamed on success; return the frames written."""
    from ..jobs import install_output, output_writer, remove_path, temp_output_path

    tmp = temp_output_path(output)
    done = 0
    try:
        writer = output_writer(plan, tmp)
        try:
            for frame in assembled_frames(plan, job_dir, segments, cancel):
                writer.write(frame)
                done += 1
                if progress is not None:
                    progress(done)
            writer.close()
        except BaseException:
            writer.abort()
            raise
        install_output(tmp, output, replace=replace)
    finally:
        if tmp.exists():
            remove_path(tmp)
    return done


def job_key(plan, segment_frames: int) -> str:
    """A short fingerprint of what a job folder's segments hold: the same render (same
    source file by name and size, range, retime, layout, cuts, segment size, weights)
    gives the same key on every machine, whatever path the storage is mounted at."""
    import hashlib
    import json

    request = plan.request
    source = Path(plan.info.path)
    weights = Path(request.weights) if request.weights else None
    facts = {
        "source": [source.name, source.stat().st_size if source.is_file() else None,
                   plan.info.frame_count, list(plan.info.display_size), str(plan.info.fps)],
        "range": [plan.start_frame, plan.end_frame],
        "retime": repr(plan.retime),
        "layout": [plan.layout.depth, plan.layout.alpha], "cuts": request.cuts,
        "segment_frames": segment_frames, "codec": SEGMENT_CODEC,
        "weights": [weights.name, weights.stat().st_size] if weights else None,
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()[:12]


def job_dir_for(plan, output: Path, segment_frames: int) -> Path:
    """The job folder a resumable job keeps next to the output: the same render finds the
    same folder (and its finished segments) again."""
    from ..jobs import SIDE_FILE_TAG

    return output.with_name(f".{output.name}.{SIDE_FILE_TAG}-job-{job_key(plan, segment_frames)}")


def new_job_dir(output: Path) -> Path:
    """A hidden job folder next to the output (so on the storage the output is on)."""
    from ..jobs import SIDE_FILE_TAG

    path = output.with_name(f".{output.name}.{SIDE_FILE_TAG}-job-{uuid.uuid4().hex[:8]}")
    path.mkdir()
    return path
