"""A queue of renders whose segments run together on one engine, with a result per clip.

A list file (JSON) names the clips and their settings::

    {"defaults": {"factor": 4, "codec": "prores"},
     "clips": [{"input": "a.mp4", "output": "a_slow.mov"},
               {"input": "b.mp4", "output": "b_slow.mov", "factor": 2, "start": "1.5"}]}

(or just the list of clips). A clip's keys are the render settings of ``RenderRequest``
(``input`` and ``output`` required; relative paths are read from the list file's folder).
Every clip is planned first (a clip that cannot be rendered fails alone, with its one-line
message); then the segments of all the others are submitted together to one Dask cluster
(``--workers`` / ``--scheduler``) or run one after the other here, and each clip is encoded
as soon as its last segment is done.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Callable

from ..errors import Cancelled, UserInputError
from . import FarmOptions

# A queue's own settings (one model and one engine for all): not a clip's
ENGINE_KEYS = {"source", "farm", "device", "weights"}


@dataclass
class ClipResult:
    """How one clip of a queue ended: done (frames, seconds) or failed (error)."""

    source: Path
    output: Path
    frames: int = 0
    seconds: float = 0.0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def read_queue(path: Path, *, device: str = "auto", weights: Path | None = None) -> list:
    """The RenderRequests a list file describes; raises UserInputError naming the file and
    the clip for a malformed file."""
    from ..jobs import RenderRequest

    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserInputError(f"{path}: no such list file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserInputError(f"{path}: not a JSON list of clips ({exc})") from None
    defaults = {}
    if isinstance(data, dict):
        defaults, data = data.get("defaults", {}), data.get("clips")
    if not isinstance(data, list) or not data or not isinstance(defaults, dict):
        raise UserInputError(f"{path}: expected a list of clips, or {{\"defaults\": {{...}}, "
                             f"\"clips\": [...]}}")
    known = {f.name for f in fields(RenderRequest)} - ENGINE_KEYS
    clip_keys = known | {"input"}
    requests = []
    for n, clip in enumerate(data, 1):
        if not isinstance(clip, dict):
            raise UserInputError(f"{path}: clip {n} is not an object of settings")
        settings = {**defaults, **clip}
        unknown = sorted(set(settings) - clip_keys)
        if unknown:
            raise UserInputError(f"{path}: clip {n}: unknown setting '{unknown[0]}' (use "
                                 f"{', '.join(sorted(clip_keys))})")
        for key in ("input", "output"):
            if not isinstance(settings.get(key), str) or not settings[key]:
                raise UserInputError(f"{path}: clip {n} needs \"{key}\": a path")
        given = {k: v for k, v in settings.items() if k in known - {"output"}}
        output = settings["output"]
        output = output if Path(output).is_absolute() else str(path.parent / output)
        source = Path(settings["input"])
        requests.append(RenderRequest(source if source.is_absolute() else path.parent / source,
                                      output, device=device, weights=weights, **given))
    return requests


def run_queue(requests: list, farm: FarmOptions,
              progress: Callable[[int, int], None] | None = None,
              notice: Callable[[str], None] | None = None,
              cancel: Callable[[], bool] = lambda: False,
              clip_done: Callable[[int, ClipResult], None] | None = None) -> list[ClipResult]:
    """Render every request as segments on ``farm``'s engine; a result per request.

    ``progress(done, total)``: output frames written over all clips; ``clip_done`` is told
    each clip's result as it ends. Each output is locked while the queue runs; job folders
    are removed at the end whatever happens. Raises Cancelled (clips finished so far are
    kept; nothing partial is left).
    """
    from contextlib import ExitStack

    from ..jobs import OutputLock, check_output_path, plan_render
    from . import dask_engine
    from .segments import assemble, new_job_dir, split

    results = [ClipResult(Path(r.source), Path(r.output)) for r in requests]
    started = [time.monotonic()] * len(requests)

    def fail(i: int, exc: BaseException) -> None:
        results[i].error = str(exc) if isinstance(exc, UserInputError) else \
            f"{type(exc).__name__}: {exc}"
        results[i].seconds = time.monotonic() - started[i]
        if clip_done is not None:
            clip_done(i, results[i])

    clips: list[tuple[int, dask_engine.ClipSegments]] = []
    outputs: set[Path] = set()
    with ExitStack() as stack:
        for i, request in enumerate(requests):
            try:
                plan = plan_render(request)
                output = Path(request.output)
                if output.resolve() in outputs:
                    raise UserInputError(f"{output}: another clip of the queue writes it")
                stack.enter_context(OutputLock(output))
                check_output_path(Path(request.source), output, request.overwrite)
            except UserInputError as exc:
                fail(i, exc)
                continue
            outputs.add(output.resolve())
            for text in plan.notices:
                if notice is not None:
                    notice(text)
            segments = split(plan.source_frames, plan.retime, farm.frames_per_segment)
            job_dir = new_job_dir(output)
            stack.callback(dask_engine.remove_job_dir, job_dir)
            clips.append((i, dask_engine.ClipSegments(plan, request, segments, job_dir)))
        total = sum(c.plan.output_frames for _, c in clips)
        done = [0] * len(clips)

        def report(c: int, frames: int) -> None:
            done[c] = frames
            if progress is not None:
                progress(sum(done), total)

        def finished(c: int, calls: int, error: BaseException | None) -> None:
            i, clip = clips[c]
            if error is not None:
                return fail(i, error)
            try:
                frames = assemble(clip.plan, clip.job_dir, clip.segments, results[i].output,
                                  replace=clip.request.overwrite, cancel=cancel)
            except Cancelled:
                raise
            except Exception as exc:  # noqa: BLE001 - this clip fails, others go on
                return fail(i, exc)
            dask_engine.remove_job_dir(clip.job_dir)
            results[i].frames = frames
            results[i].seconds = time.monotonic() - started[i]
            if clip_done is not None:
                clip_done(i, results[i])

        if not clips:
            return results
        if farm.workers is not None or farm.scheduler:
            dask_engine.run_clips([c for _, c in clips], farm, report, cancel, finished)
        else:
            run_here(clips, report, cancel, finished)
    return results


def run_here(clips: list, report, cancel, finished) -> None:
    """The queue's segments one after the other in this process (no cluster given)."""
    from ..jobs import load_interpolator_for
    from .segments import render_segment, segment_options

    models: dict = {}
    for c, (_, clip) in enumerate(clips):
        key = (clip.request.weights, clip.request.device)
        try:
            if key not in models:
                models[key] = load_interpolator_for(clip.request, segment_options())
            base = 0
            for seg in clip.segments:
                render_segment(clip.plan, clip.request.cuts, seg, clip.job_dir,
                               interpolator=models[key],
                               progress=lambda n, b=base: report(c, b + n), cancel=cancel)
                base += seg.frames
        except Cancelled:
            raise
        except Exception as exc:  # noqa: BLE001 - this clip fails, others go on
            finished(c, 0, exc)
            continue
        if cancel():
            raise Cancelled("render cancelled")
        finished(c, 0, None)


def summary(results: list[ClipResult], seconds: float) -> list[str]:
    """The lines of a queue's summary: one per clip, then the totals."""
    lines = []
    for n, r in enumerate(results, 1):
        if r.ok:
            lines.append(f"  {n}. done    {r.output} ({r.frames} frames) from {r.source.name}, "
                         f"{r.seconds:.1f} s")
        else:
            lines.append(f"  {n}. FAILED  {r.source}: {r.error}")
    ok = [r for r in results if r.ok]
    frames = sum(r.frames for r in ok)
    lines.append(f"queue: {len(ok)} of {len(results)} clips done, {frames} frames in "
                 f"{seconds:.1f} s ({frames / seconds if seconds > 0 else 0:.2f} fps overall)")
    return lines
