"""Run a render's segments on Dask distributed, then assemble the output once.

``--workers N`` starts a LocalCluster of N worker processes (one thread each) for the job;
``--scheduler tcp://host:8786`` sends the segments to an existing cluster, whose workers
must have vfi-slowmo installed and see the input and the output's folder at the same paths
(the job folder lives next to the output). Each worker process loads the model once
(``segments.worker_interpolator``). A task that raises is retried (``retries``) on any
worker; a task whose worker dies is rescheduled by the scheduler on another one (up to
``distributed.scheduler.allowed-failures`` times). Progress comes from the workers as Dask
events (``log_event``), summed over segments by the client.
"""
from __future__ import annotations

import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import Cancelled, UserInputError
from . import FarmOptions
from .segments import (CANCEL_MARK, Segment, compute_threads, render_segment, set_threads,
                       worker_interpolator)

RETRIES = 2
CONNECT_TIMEOUT = "10s"  # to reach a --scheduler
EVENT_INTERVAL_S = 0.5


def segment_task(plan, cuts: str, seg: Segment, job_dir: str, weights, device: str,
                 topic: str, threads: int | None = None, clip: int = 0) -> tuple[int, int | str]:
    """One segment, on a Dask worker: (frames written, network calls), or (-1, message) for
    a user error (not retried: it would fail anywhere). ``threads``: the
    torch threads to compute with (the result depends on it: see segments.compute_threads);
    ``clip``: which clip of a queue the segment belongs to (in its progress events)."""
    from distributed import get_worker

    try:
        worker = get_worker()
    except ValueError:  # not on a worker (a synchronous scheduler): no events
        worker = None
    last = [0.0]

    def progress(done: int) -> None:
        now = time.monotonic()
        if worker is not None and (now - last[0] >= EVENT_INTERVAL_S or done == seg.frames):
            last[0] = now
            worker.log_event(topic, {"clip": clip, "segment": seg.index, "done": done})

    try:
        interp = worker_interpolator(weights, device)
        set_threads(threads)
        before = interp.net_calls
        frames = render_segment(plan, cuts, seg, Path(job_dir), interpolator=interp,
                                progress=progress)
    except UserInputError as exc:  # returned, not raised: Dask would retry it elsewhere
        return -1, str(exc)
    return frames, interp.net_calls - before


@dataclass(frozen=True)
class ClipSegments:
    """One render's segments and job folder (a queue holds several)."""

    plan: object     # jobs.RenderPlan
    request: object  # jobs.RenderRequest
    segments: list[Segment]
    job_dir: Path


def connect(farm: FarmOptions):
    """A Dask client (and the LocalCluster it owns, or None)."""
    from distributed import Client, LocalCluster

    if farm.workers is not None:
        cluster = LocalCluster(n_workers=int(farm.workers), threads_per_worker=1,
                               processes=True, dashboard_address=None)
        return Client(cluster), cluster
    try:
        return Client(farm.scheduler, timeout=CONNECT_TIMEOUT), None
    except (OSError, TimeoutError) as exc:
        raise UserInputError(f"{farm.scheduler}: no Dask scheduler answers there ({exc})") from None


def run_segments(plan, request, segments: list[Segment], job_dir: Path, farm: FarmOptions,
                 report: Callable[[int], None], cancel: Callable[[], bool]) -> int:
    """Render every segment on the cluster; return the network calls. Raises the first
    segment's error (a UserInputError as it is) or Cancelled."""
    calls = [0]

    def finished(clip: int, made: int, error: BaseException | None) -> None:
        if error is not None:
            raise error
        calls[0] = made

    run_clips([ClipSegments(plan, request, segments, job_dir)], farm,
              lambda clip, done: report(done), cancel, finished)
    return calls[0]


def run_clips(clips: list[ClipSegments], farm: FarmOptions,
              report: Callable[[int, int], None], cancel: Callable[[], bool],
              finished: Callable[[int, int, BaseException | None], None]) -> None:
    """Render the segments of every clip together on one cluster (all submitted at once,
    so workers never wait for a clip to end). ``report(clip, frames)`` gives each clip's
    frames written; ``finished(clip, net calls, error)`` is called once per clip, when its
    last segment is done (error None) or when one of its segments failed (its others are
    cancelled; the other clips go on). What ``finished`` raises ends the run. Raises
    Cancelled when ``cancel()``."""
    client, cluster = connect(farm)
    topic = f"slowmo-progress-{uuid.uuid4().hex}"
    counts: dict[tuple[int, int], int] = {}  # frames written per (clip, segment)
    settled: set[tuple[int, int]] = set()

    def on_event(event) -> None:
        msg = event[1] if isinstance(event, tuple) else event
        key = (int(msg.get("clip", 0)), int(msg["segment"]))
        if key not in settled:  # (a late event of a finished one)
            counts[key] = int(msg["done"])

    pending: dict = {}
    threads = compute_threads()
    try:
        if farm.scheduler and not client.scheduler_info().get("workers"):
            raise UserInputError(f"{farm.scheduler}: the Dask cluster has no workers")
        client.subscribe_topic(topic, on_event)
        for c, clip in enumerate(clips):
            for seg in clip.segments:
                future = client.submit(segment_task, clip.plan, clip.request.cuts, seg,
                                       str(clip.job_dir), clip.request.weights,
                                       clip.request.device, topic, threads, c,
                                       key=f"slowmo-{clip.job_dir.name}-{seg.index}",
                                       retries=RETRIES, pure=False)
                pending[future] = (c, seg)
        left = [len(clip.segments) for clip in clips]
        calls = [0] * len(clips)
        while pending:
            for future in [f for f in pending if f.done()]:
                if future not in pending:  # dropped with its failed clip just now
                    continue
                c, seg = pending.pop(future)
                try:
                    frames, made = future.result()  # a segment's failure is raised here
                    if frames < 0:  # a user error (the message)
                        raise UserInputError(made)
                except Exception as exc:  # noqa: BLE001 - this clip fails, others go on
                    dropped = [f for f, (other, _) in pending.items() if other == c]
                    for f in dropped:
                        del pending[f]
                    client.cancel(dropped)
                    finished(c, calls[c], exc)
                    continue
                settled.add((c, seg.index))
                counts[(c, seg.index)] = frames
                calls[c] += made
                left[c] -= 1
                if left[c] == 0:
                    finished(c, calls[c], None)
            totals = [0] * len(clips)
            for (c, _), n in list(counts.items()):
                totals[c] += n
            for c, n in enumerate(totals):
                report(c, n)
            if cancel():
                for clip in clips:
                    if clip.job_dir.is_dir():
                        (clip.job_dir / CANCEL_MARK).touch()
                raise Cancelled("render cancelled")
            if pending:
                time.sleep(0.1)
    finally:
        if pending:
            client.cancel(list(pending))
        try:
            client.unsubscribe_topic(topic)
        except Exception:
            pass
        client.close()
        if cluster is not None:
            cluster.close()


def run_inline(plan, request, segments: list[Segment], job_dir: Path, interpolator,
               report: Callable[[int], None], cancel: Callable[[], bool]) -> int:
    """The same segments one after the other in this process (tests, debugging)."""
    done = 0
    before = interpolator.net_calls
    for seg in segments:
        render_segment(plan, request.cuts, seg, job_dir, interpolator=interpolator,
                       progress=lambda n, base=done: report(base + n), cancel=cancel)
        done += seg.frames
    return interpolator.net_calls - before


def remove_job_dir(job_dir: Path) -> None:
    if job_dir.exists():
        (job_dir / CANCEL_MARK).touch()  # segments still running elsewhere stop
        shutil.rmtree(job_dir, ignore_errors=True)
