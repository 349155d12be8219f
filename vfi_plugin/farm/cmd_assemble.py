"""``vfi-slowmo assemble IN -o OUT [render options]``: encode a job's finished segments.

The last farm task: with every segment of the render finished in the job folder, it
encodes them once into the output (codec, audio, colour) through a temporary file renamed
on success, under the output's lock, then removes the job folder. A missing segment is a
one-line error naming them (nothing is written).
"""
from __future__ import annotations

import shutil

from ..errors import UserInputError


def main(argv: list[str]) -> int:
    from ..cli import run_reporting_errors

    return run_reporting_errors(lambda: _assemble(argv))


def _assemble(argv: list[str]) -> int:
    from ..cli import EXIT_OK, cancel_on_signals, print_notice, progress_reporter
    from ..jobs import OutputLock, ProgressMeter, check_output_path
    from .commands import job_parser, plan_job
    from .segments import assemble

    parser = job_parser("vfi-slowmo assemble", "Encode the finished segments of a render "
                                               "into its output (the last farm task).")
    args = parser.parse_args(argv)
    cancel_on_signals()
    job = plan_job(args, "assemble", print_notice)
    finished = set(job.finished())
    missing = [s.index for s in job.segments if s.index not in finished]
    if missing:
        shown = ", ".join(map(str, missing[:10])) + (" ..." if len(missing) > 10 else "")
        raise UserInputError(f"{job.job_dir}: {len(missing)} of {len(job.segments)} segments "
                             f"are not finished ({shown}); run `vfi-slowmo segment ... "
                             f"--index N` for them first")
    plan = job.plan
    meter = ProgressMeter(plan.output_frames, progress_reporter(args.quiet, args.progress))
    with OutputLock(job.output):
        check_output_path(plan.request.source, job.output, plan.request.overwrite)
        done = assemble(plan, job.job_dir, job.segments, job.output,
                        replace=plan.request.overwrite, progress=meter.update)
    meter.update(done, "done", force=True)
    shutil.rmtree(job.job_dir, ignore_errors=True)
    print(f"wrote {job.output} ({done} frames at {float(plan.output_fps):.3f} fps, "
          f"{len(job.segments)} segments)")
    return EXIT_OK
