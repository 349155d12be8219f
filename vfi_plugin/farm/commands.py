"""What the farm subcommands share: the render options (the plain render's parser), the
request they describe, and a job folder's plan and segments.

``vfi-slowmo segment IN -o OUT [render options] --index I`` renders one segment and
``vfi-slowmo assemble IN -o OUT [render options]`` encodes the finished ones: any machine
that sees the input and the output's folder can run either, in any order of segments, and
each one plans the same render from the same options (so a farm's tasks need no shared
state beyond the job folder). The job folder defaults to one named after the render
(``segments.job_dir_for``), so running a job again finds its finished segments.
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserInputError

# Options of the render parser that are not render settings a farm task passes on.
NOT_PASSED_ON = {"help", "version", "input", "output", "weights", "overwrite", "workers",
                 "scheduler", "segment_frames", "quiet", "progress"}


def job_parser(prog: str, description: str) -> argparse.ArgumentParser:
    """The plain render's parser (the same options, checked the same way) under ``prog``,
    plus ``--job-dir``."""
    from ..cli import build_parser

    p = build_parser()
    p.prog = prog
    p.description = description
    p.add_argument("--job-dir", default=None, metavar="DIR",
                   help="the job folder of the segments (default: a hidden folder next to the "
                        "output named after the render, so a re-run finds its finished "
                        "segments)")
    return p


def render_options(args: argparse.Namespace) -> list[str]:
    """The render settings of ``args`` that differ from the plain render's defaults, as CLI
    arguments (paths, ``--overwrite`` and the job's own options apart)."""
    from ..cli import build_parser

    out: list[str] = []
    for action in build_parser()._actions:
        if action.dest in NOT_PASSED_ON or not action.option_strings:
            continue
        value = getattr(args, action.dest, None)
        if value is None or value == action.default:
            continue
        flag = max(action.option_strings, key=len)
        out += [flag] if value is True else [flag, str(value)]
    return out


def request_from_args(args: argparse.Namespace, farm=None):
    """The RenderRequest the parsed render options describe (every request field that the
    parser has, by name)."""
    from dataclasses import fields

    from ..jobs import RenderRequest

    given = {f.name: getattr(args, f.name) for f in fields(RenderRequest)
             if f.name not in ("source", "output", "weights", "farm") and hasattr(args, f.name)}
    if given.get("factor") is None:
        given.pop("factor", None)  # the request's default
    # the output stays a str: a trailing "/" asks for a PNG folder
    return RenderRequest(Path(args.input), args.output, farm=farm,
                         weights=Path(args.weights) if args.weights else None, **given)


def refuse_cluster_options(args: argparse.Namespace, command: str) -> None:
    if args.workers is not None or args.scheduler:
        raise UserInputError(f"{command} runs here: --workers and --scheduler do not apply "
                             f"(the farm schedules the tasks)")


@dataclass(frozen=True)
class Job:
    """A planned render as segments in a job folder."""

    plan: object  # jobs.RenderPlan
    segments: list
    job_dir: Path
    segment_frames: int

    @property
    def output(self) -> Path:
        return Path(self.plan.request.output)

    def finished(self) -> list[int]:
        """Indices of the segments whose intermediate is complete (renamed into place)."""
        return [s.index for s in self.segments if (self.job_dir / s.name).is_file()]


def plan_job(args: argparse.Namespace, command: str, notice=None) -> Job:
    """Plan the render the options describe and its segments (nothing written)."""
    from ..jobs import plan_render
    from . import FarmOptions
    from .segments import job_dir_for, split

    refuse_cluster_options(args, command)
    frames = FarmOptions(segment_frames=args.segment_frames).frames_per_segment
    plan = plan_render(request_from_args(args))
    if notice is not None:
        for text in plan.notices:
            notice(text)
    segments = split(plan.source_frames, plan.retime, frames)
    output = Path(plan.request.output)
    job_dir = Path(args.job_dir) if args.job_dir else job_dir_for(plan, output, frames)
    return Job(plan, segments, job_dir, frames)
