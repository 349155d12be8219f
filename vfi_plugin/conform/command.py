"""``vfi-slowmo conform TIMELINE -o NEW_TIMELINE``: render a timeline's slowed clips and write
a timeline that plays the renders at 100 % (never imports Qt or, for --help and input errors,
torch)."""
from __future__ import annotations

import argparse
import sys
from fractions import Fraction
from pathlib import Path

from ..cli import (EXIT_OK, _Parser, add_cluster_options, cancel_on_signals, print_notice,
                   progress_reporter, run_reporting_errors)
from ..errors import UserInputError
from .plan import DEFAULT_CODEC, ClipPlan, file_codecs
from .timeline import FORMATS


def build_parser() -> argparse.ArgumentParser:
    from ..engine.choices import DEVICE_CHOICES

    formats = ", ".join(f"{s} ({f.label})" for s, f in FORMATS.items())
    p = _Parser(prog="vfi-slowmo conform",
                description="Render every slow-motion clip of an editor's timeline with SlowMo "
                            "and write a new timeline in which those clips play the renders at "
                            f"100 %, at the same places. Formats: {formats}.")
    p.add_argument("timeline", help="the timeline exported from the editor (never modified)")
    p.add_argument("-o", "--output", required=True,
                   help="the new timeline (its suffix chooses the format; normally the same)")
    p.add_argument("--media-dir", default=None, metavar="DIR",
                   help="folder for the renders (default: NEW_TIMELINE's name + _media, next "
                        "to it)")
    p.add_argument("--handles", type=_frames, default=0, metavar="N",
                   help="extra frames rendered before and after each cut, for trimming "
                        "(default 0; the media allowing)")
    p.add_argument("--codec", choices=file_codecs(), default=DEFAULT_CODEC,
                   help=f"codec of the renders (default {DEFAULT_CODEC}; written as .mov "
                        "where the codec allows, ffv1 as .mkv)")
    p.add_argument("--search", action="append", default=[], metavar="DIR",
                   help="folder where media the timeline names but cannot find are looked up "
                        "by file name (an EDL names clips, not paths); may be repeated")
    p.add_argument("--edl-fps", default=None, metavar="RATE",
                   help="frame rate of an EDL (it does not say; default 24)")
    p.add_argument("--clips", default=None, metavar="1,3",
                   help="conform only these slowed clips (numbers as --list shows them)")
    p.add_argument("--list", action="store_true",
                   help="list the slowed clips and what would be rendered; render nothing")
    p.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    p.add_argument("--weights", default=None, help="weights file (default: the shipped model)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace an existing new timeline and renders")
    add_cluster_options(p, "render the clips' segments")
    p.add_argument("--bundle", default=None, metavar="DIR",
                   help="write an Open Job Description job bundle of the conform into DIR (one "
                        "task per clip render, then one writing the new timeline) for openjd "
                        "run or deadline bundle submit; render nothing here")
    # the bundle's tasks (conform.bundle): one clip's render; the new timeline from the renders
    p.add_argument("--render-clip", type=int, default=None, help=argparse.SUPPRESS)
    p.add_argument("--write-timeline", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    p.add_argument("--progress", choices=("auto", "json"), default="auto",
                   help="json: one JSON object per line on stderr")
    return p


def _frames(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"not a whole number of 0 or more: '{text}'")
    return value


def _numbers(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise UserInputError(f"bad --clips '{text}': use clip numbers such as 1,3") from None


def _rate(text: str | None) -> Fraction | None:
    if text in (None, ""):
        return None
    try:
        rate = Fraction(str(text).strip())
    except (ValueError, ZeroDivisionError):
        rate = Fraction(0)
    if not 1 <= rate <= 1000:
        raise UserInputError(f"bad --edl-fps '{text}': use a rate such as 24, 25 or 30000/1001")
    return rate


def summary(plans: tuple[ClipPlan, ...] | list[ClipPlan]) -> str:
    """The table of slowed clips: clip, source range, speed, frames, output (or why not)."""
    rows = [("#", "track", "clip", "source range", "speed", "frames", "output")]
    for plan in plans:
        clip = plan.clip
        source = (f"{_tc(clip.source_start)}-{_tc(clip.source_end())}")
        if plan.ok:
            frames = f"{plan.frames}"
            out = plan.output.name + (" (shared)" if plan.shared else "")
        else:
            frames, out = "-", f"left as it was: {plan.problem}"
        rows.append((str(clip.number), clip.track, clip.name, source,
                     f"{float(clip.speed) * 100:.4g} %", frames, out))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)) + "  " + r[-1]
                     for r in rows)


def _tc(time) -> str:
    import opentimelineio as otio

    try:
        return otio.opentime.to_timecode(time, time.rate)
    except (ValueError, TypeError):
        return f"{time.to_seconds():.3f}s"


def main(argv: list[str]) -> int:
    return run_reporting_errors(lambda: _conform(argv))


def _conform(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    from ..farm import FarmOptions
    from . import bundle
    from .job import ConformJob, plan_conform
    from ..jobs import CancelToken

    mode = bundle.farm_mode(args)  # a farm task plans as with --overwrite (see conform.bundle)
    farm = FarmOptions(args.workers, args.scheduler, args.segment_frames)
    plan = plan_conform(args.timeline, args.output, media_dir=args.media_dir,
                        handles=args.handles, codec=args.codec, rate=_rate(args.edl_fps),
                        search=tuple(args.search),
                        chosen=_numbers(args.clips) if args.clips else None,
                        overwrite=args.overwrite or mode in ("--render-clip", "--write-timeline"),
                        device=args.device,
                        weights=Path(args.weights) if args.weights else None,
                        farm=farm if farm.enabled else None)
    for text in plan.notices:
        print_notice(text)
    if not plan.plans:
        print_notice(f"{args.timeline}: no clip slowed below 100 % (constant speed) on its video "
                     f"tracks; the new timeline is a copy")
    if mode is not None:
        return bundle.run(args, plan, mode, summary)
    if args.list:
        plan.discard()
        print(summary(plan.plans))
        return EXIT_OK
    cancel_on_signals()
    job = ConformJob(plan, progress_reporter(args.quiet, args.progress), CancelToken(),
                     notice=print_notice)
    result = job.run()
    print(summary(result.plans))
    left = sum(not p.ok for p in result.plans)
    print(f"wrote {result.output} ({len(result.plans) - left} clips conformed, {left} left as "
          f"they were; {len(result.rendered)} renders in {plan.media_dir}) in "
          f"{result.seconds:.1f} s")
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
