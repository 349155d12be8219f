"""``vfi-slowmo farm-bundle IN -o OUT [render options] --bundle DIR``: write an Open Job
Description job bundle of the render (``farm.openjd``), for ``openjd run`` on one machine
or ``deadline bundle submit DIR`` (AWS Deadline Cloud) unchanged.

The render is planned here (the input probed, the options checked, the segments counted),
so a mistake is reported now and not on the farm.
"""
from __future__ import annotations

import os
from pathlib import Path

from ..errors import UserInputError

BUNDLE_FILES = ("template.yaml", "parameter_values.yaml", "asset_references.yaml")


def main(argv: list[str]) -> int:
    from ..cli import run_reporting_errors

    return run_reporting_errors(lambda: _bundle(argv))


def check_bundle_folder(path: str, overwrite: bool) -> Path:
    """The bundle folder to write: refused when it is a file, its parent is missing, or it
    holds a bundle already (unless ``overwrite``)."""
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise UserInputError(f"{folder}: not a folder")
    if any((folder / name).exists() for name in BUNDLE_FILES) and not overwrite:
        raise UserInputError(f"{folder}: already holds a job bundle (use --overwrite to "
                             f"replace it)")
    if not folder.parent.resolve().is_dir():
        raise UserInputError(f"{folder.parent}: folder does not exist")
    return folder


def _bundle(argv: list[str]) -> int:
    from ..cli import EXIT_OK, print_notice
    from ..media.sequence import is_pattern
    from .commands import job_parser, plan_job, render_options
    from .openjd import BundleJob, write_bundle

    parser = job_parser("vfi-slowmo farm-bundle",
                        "Write an Open Job Description job bundle of the render (segments, "
                        "then one assemble step) for openjd run or deadline bundle submit.")
    parser.add_argument("--bundle", required=True, metavar="DIR",
                        help="the bundle folder to write (template.yaml, parameter_values.yaml, "
                             "asset_references.yaml)")
    args = parser.parse_args(argv)
    if args.job_dir:
        raise UserInputError("farm-bundle: --job-dir does not apply (the job folder is "
                             "a hidden folder in the output folder, found by every task)")
    folder = check_bundle_folder(args.bundle, args.overwrite)
    job = plan_job(args, "farm-bundle", print_notice)
    source = Path(os.path.abspath(args.input))
    output = Path(os.path.abspath(args.output))
    name = output.name + ("/" if args.output.endswith(("/", os.sep)) else "")
    retime = "ramp" if getattr(args, "ramp", None) else f"x{args.factor or '2'}"
    bundle = BundleJob(
        name=f"SlowMo {source.name} {retime} -> {output.name}",
        source=source, output_dir=output.parent, output_name=name,
        options=tuple(render_options(args)), segment_frames=job.segment_frames,
        segments=len(job.segments),
        weights=Path(os.path.abspath(args.weights)) if args.weights else None,
        overwrite=args.overwrite, sequence=is_pattern(source))
    write_bundle(bundle, folder)
    count = len(job.segments)
    print(f"wrote the job bundle {folder} ({count} segment{'s' if count > 1 else ''} of "
          f"{job.segment_frames} source frames, then one assemble step); run it with "
          f"`openjd run {folder / 'template.yaml'} -p ...` or `deadline bundle submit {folder}`")
    return EXIT_OK
