"""``vfi-slowmo segment IN -o OUT [render options] --index I``: render one segment of a job.

A farm task: it plans the render from the options, renders segment ``I`` into the job
folder (created when missing) through a temporary name renamed when complete, and keeps a
segment finished earlier as it is (a retried task, a resumed job).
"""
from __future__ import annotations

import sys
import time

from ..errors import UserInputError


def main(argv: list[str]) -> int:
    from ..cli import run_reporting_errors

    return run_reporting_errors(lambda: _segment(argv))


def _segment(argv: list[str]) -> int:
    from ..cli import EXIT_OK, cancel_on_signals, print_notice, progress_reporter
    from .commands import job_parser, plan_job

    parser = job_parser("vfi-slowmo segment", "Render one segment of a render split into "
                                              "segments (a farm task).")
    parser.add_argument("--index", type=int, required=True, metavar="I",
                        help="the segment to render, from 0")
    args = parser.parse_args(argv)
    cancel_on_signals()
    job = plan_job(args, "segment", print_notice)
    count = len(job.segments)
    if not 0 <= args.index < count:
        raise UserInputError(f"bad --index {args.index}: this render has {count} segments "
                             f"(0 to {count - 1}) of {job.segment_frames} source frames")
    seg = job.segments[args.index]
    if (job.job_dir / seg.name).is_file():
        print(f"segment {seg.index}: finished earlier, kept ({job.job_dir / seg.name})")
        return EXIT_OK
    job.job_dir.mkdir(exist_ok=True)
    rendered = render_one(job, seg, args, progress_reporter(args.quiet, args.progress))
    print(f"segment {seg.index}: rendered {rendered} frames (output frames {seg.first} to "
          f"{seg.stop - 1}) into {job.job_dir / seg.name}")
    return EXIT_OK


def render_one(job, seg, args, reporter) -> int:
    """Render ``seg`` with this process's model (one window per pass, as segments run)."""
    from ..jobs import ProgressMeter, load_interpolator_for
    from .segments import render_segment, segment_options

    meter = ProgressMeter(seg.frames, reporter)
    meter.update(0, "preparing", force=True)
    interpolator = load_interpolator_for(job.plan.request, segment_options())
    started = time.monotonic()
    done = render_segment(job.plan, job.plan.request.cuts, seg, job.job_dir,
                          interpolator=interpolator, progress=meter.update)
    meter.update(done, "done", force=True)
    print(f"segment {seg.index}: {done} frames in {time.monotonic() - started:.1f} s",
          file=sys.stderr)
    return done
