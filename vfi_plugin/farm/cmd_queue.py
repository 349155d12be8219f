"""``vfi-slowmo queue LIST.json [--workers N | --scheduler ADDR]``: render a queue of clips
(``farm.queue``) with their segments scheduled together; a line per clip as it ends and a
summary. Exit 0 when every clip is done, 1 when any failed (its one-line reason is in the
summary), 2 for a bad list file."""
from __future__ import annotations

import sys
import time
from pathlib import Path


def build_parser():
    from ..cli import _Parser, add_cluster_options
    from ..engine.choices import DEVICE_CHOICES

    p = _Parser(prog="vfi-slowmo queue",
                description="Render several clips, each with its own settings (a JSON list "
                            "file), their segments scheduled together on one engine.")
    p.add_argument("list", help='JSON list file: [{"input": ..., "output": ..., "factor": 4, '
                                '...}, ...] or {"defaults": {...}, "clips": [...]}; relative '
                                'paths are read from its folder')
    add_cluster_options(p, "render the clips' segments")
    p.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    p.add_argument("--weights", default=None, help="weights file (default: the shipped model)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    p.add_argument("--progress", choices=("auto", "json"), default="auto")
    return p


def main(argv: list[str]) -> int:
    from ..cli import run_reporting_errors

    return run_reporting_errors(lambda: _queue(argv))


def _queue(argv: list[str]) -> int:
    from ..cli import EXIT_INTERNAL, EXIT_OK, cancel_on_signals, print_notice, progress_reporter
    from ..jobs import ProgressMeter
    from . import FarmOptions
    from .queue import read_queue, run_queue, summary

    args = build_parser().parse_args(argv)
    farm = FarmOptions(args.workers, args.scheduler, args.segment_frames)
    requests = read_queue(Path(args.list), device=args.device,
                          weights=Path(args.weights) if args.weights else None)
    cancel_on_signals()
    reporter = progress_reporter(args.quiet, args.progress)
    meter: list[ProgressMeter] = []

    def progress(done: int, total: int) -> None:
        if not meter:
            meter.append(ProgressMeter(total, reporter))
        meter[0].update(done)

    def clip_done(i: int, result) -> None:
        state = f"done: {result.output} ({result.frames} frames, {result.seconds:.1f} s)" \
            if result.ok else f"FAILED: {result.error}"
        print(f"clip {i + 1}/{len(requests)} {result.source.name}: {state}", file=sys.stderr,
              flush=True)

    started = time.monotonic()
    results = run_queue(requests, farm, progress, print_notice, clip_done=clip_done)
    print("\n".join(summary(results, time.monotonic() - started)))
    return EXIT_OK if all(r.ok for r in results) else EXIT_INTERNAL
