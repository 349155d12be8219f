"""``vfi-slowmo``: headless slow-motion render from the command line (never imports Qt)."""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from typing import TextIO

from . import __version__
from .errors import Cancelled, SlowMoError, UserInputError

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage mistakes as one line and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UserInputError(message)


def build_parser() -> argparse.ArgumentParser:
    from .engine.choices import DEVICE_CHOICES
    from .jobs import AUDIO_CHOICES
    from .media import CODECS

    p = _Parser(prog="vfi-slowmo",
                description="Neural slow motion: insert frames between the frames of a clip.")
    p.add_argument("input", help="source video file, or an image sequence as shot.%%04d.exr "
                                 "or shot.####.exr (never modified)")
    p.add_argument("--fps", default=None, metavar="RATE",
                   help="frame rate of an image-sequence input (default 24, with a notice)")
    p.add_argument("-o", "--output", required=True,
                   help="output file (.mp4, .m4v, .mov, .mkv) or folder for a PNG sequence "
                        "(no extension, or ending in /)")
    speed = p.add_mutually_exclusive_group()
    speed.add_argument("-f", "--factor", default=None,
                       help="slowdown factor, e.g. 2, 4, 8, 3, 2.5 (default 2)")
    speed.add_argument("--ramp", default=None, metavar="TIME:SPEED,...",
                       help="a speed ramp instead of a factor: keys of source time (seconds, "
                            "HH:MM:SS.mmm, HH:MM:SS:FF or 30f on the clip) and speed (1/factor), "
                            "linear between keys, eased where a speed ends in ~, e.g. "
                            "0:1,1.2:0.25~,2.0:0.25,2.4:1 (--audio stretch follows it)")
    p.add_argument("--start", default=None, help="range start: seconds, HH:MM:SS.mmm, HH:MM:SS:FF or 120f")
    p.add_argument("--end", default=None,
                   help="range end (exclusive), same formats; default: clip end "
                        "(an end past the clip is clamped to it, with a notice)")
    p.add_argument("--mode", choices=("slowmo", "smooth"), default="slowmo",
                   help="slowmo: play at the source rate, F times longer (default); "
                        "smooth: F times the frame rate, same duration")
    p.add_argument("--codec", choices=tuple(CODECS), default=None,
                   help="default: from the output's extension (.mp4/.m4v -> h264, or h265 for a "
                        "10/12-bit source; .mov -> prores; .mkv -> ffv1; no extension or ending "
                        "in / -> png); a given codec must fit the extension: h264/h265 write "
                        ".mp4, .m4v, .mov, .mkv; prores, prores4444 and dnxhr .mov; ffv1 .mkv; "
                        "png and tiff a folder")
    p.add_argument("--depth", choices=("keep", "codec"), default="keep",
                   help="keep: refuse a codec that stores fewer bits than the source (default); "
                        "codec: write at the codec's depth")
    p.add_argument("--fields", choices=("auto", "progressive", "keep"), default="auto",
                   help="auto: an interlaced source is deinterlaced to its field rate (50i -> "
                        "50 frames a second, the slow motion gets the extra moments); "
                        "progressive: take its frames as they are (when the flag is wrong); "
                        "keep: as auto, then write interlaced frames again in the source's "
                        "field order (50i stays 50i; h264, h265, prores, prores4444, ffv1)")
    p.add_argument("--conform-fps", default=None, metavar="RATE",
                   help="resample a variable-frame-rate source (phone footage) to this constant "
                        "rate first, e.g. 30 or 30000/1001 (without it such a source is refused)")
    p.add_argument("--cuts", choices=("hold", "blend", "interpolate"), default="hold",
                   help="at a scene cut: hold the outgoing shot's last frame (default), "
                        "cross-fade, or interpolate across it; shots never mix otherwise")
    p.add_argument("--alpha", choices=("keep", "drop"), default="keep",
                   help="keep: an alpha source needs a codec with alpha (prores, prores4444, "
                        "ffv1, png, tiff), else an error (default); drop: write colour only")
    p.add_argument("--audio", choices=AUDIO_CHOICES, default="auto",
                   help="auto: drop in slowmo, copy in smooth; stretch: slow it down (along a ramp too), "
                        "pitch kept")
    p.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    p.add_argument("--weights", default=None, help="weights file (default: the shipped model)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output")
    add_cluster_options(p, "render as segments")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    p.add_argument("--progress", choices=("auto", "json"),
                   default=os.environ.get("VFI_SLOWMO_PROGRESS", "auto").replace("jsonl", "json"),
                   help="json: one JSON object per line on stderr, for host integrations "
                        "(also VFI_SLOWMO_PROGRESS=jsonl)")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return p


def add_cluster_options(p: argparse.ArgumentParser, what: str) -> None:
    """``--workers``, ``--scheduler`` and ``--segment-frames`` (read by ``FarmOptions``), for
    every command that can send its segments to a Dask cluster; ``what`` starts the helps."""
    p.add_argument("--workers", type=_count, default=None, metavar="N",
                   help=f"{what} on a local Dask cluster of N worker processes")
    p.add_argument("--scheduler", default=None, metavar="tcp://HOST:8786",
                   help=f"{what} on an existing Dask cluster (its workers must see the inputs "
                        f"and the outputs' folders at the same paths)")
    p.add_argument("--segment-frames", type=_count, default=None, metavar="N",
                   help="source frames per segment (default 48); alone: segments one after "
                        "the other in this process")


def _count(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: '{text}'") from None


def format_eta(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    seconds = int(seconds + 0.5)
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


class JsonProgress:
    """One JSON object per progress report, for programs that drive the CLI."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def __call__(self, p) -> None:
        self.stream.write(json.dumps({"stage": p.stage, "done": p.done, "total": p.total,
                                      "fps": round(p.fps, 3), "eta_s": p.eta_s}) + "\n")
        self.stream.flush()


def print_notice(text: str) -> None:
    """A job's one-line notice, on stderr (even with -q: it is not progress)."""
    print(f"notice: {text}", file=sys.stderr, flush=True)


def _terminate_as_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


class ProgressPrinter:
    """A one-line bar on a terminal; plain lines (every ~2 s) otherwise."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.last_line = 0.0

    def __call__(self, p) -> None:
        text = (f"{p.done}/{p.total} frames  {p.fps:.2f} fps  ETA {format_eta(p.eta_s)}"
                if p.stage in ("rendering", "finishing", "done") else "loading the model")
        if self.tty:
            width = 30
            filled = int(width * p.fraction)
            bar = "#" * filled + "-" * (width - filled)
            self.stream.write(f"\r[{bar}] {100 * p.fraction:5.1f}%  {text}   ")
            if p.stage == "done":
                self.stream.write("\n")
        elif p.elapsed_s - self.last_line >= 2.0 or p.stage != "rendering":
            self.last_line = p.elapsed_s
            self.stream.write(f"{p.stage}: {text}\n")
        self.stream.flush()


# Subcommands: ``vfi-slowmo NAME ...`` runs ``main(argv)`` of the named module, which builds its
# own (torch-free) parser and reports through ``run_reporting_errors``. A plain render takes the
# input file as its first argument, so a file named like a subcommand needs a path (./conform).
SUBCOMMANDS: dict[str, str] = {
    "segment": "vfi_plugin.farm.cmd_segment",    # one segment of a farm job
    "assemble": "vfi_plugin.farm.cmd_assemble",  # encode a farm job's segments
    "farm-bundle": "vfi_plugin.farm.cmd_bundle",  # an OpenJD job bundle (Deadline Cloud)
    "queue": "vfi_plugin.farm.cmd_queue",        # several clips' segments on one engine
    "conform": "vfi_plugin.conform.command",     # an editor's timeline: render its slowed clips
}


def run_reporting_errors(work) -> int:
    """Run ``work()`` (returns an exit code) and map the error tree to one line and an exit code."""
    try:
        return work()
    except UserInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (KeyboardInterrupt, Cancelled):
        print("\ninterrupted: no output written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except SlowMoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INTERNAL
    except Exception as exc:  # an internal failure: one line, no traceback for the user
        print(f"error: internal failure: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_INTERNAL


def cancel_on_signals() -> None:
    """A killed render cleans up like Ctrl+C.

    SIGINT is set too: a process started in the background by a non-interactive shell (or a host
    that does so) inherits SIGINT ignored, and a host's Cancel, which sends SIGINT, would then be
    lost.
    """
    for name in ("SIGINT", "SIGTERM", "SIGBREAK"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _terminate_as_interrupt)


def progress_reporter(quiet: bool, style: str):
    """The reporter for ``-q`` / ``--progress``: None, JSON lines or the terminal bar."""
    if quiet:
        return None
    return JsonProgress(sys.stderr) if style == "json" else ProgressPrinter(sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code (0 ok, 1 internal failure, 2 bad input, 130 interrupted)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in SUBCOMMANDS:
        import importlib
        return importlib.import_module(SUBCOMMANDS[argv[0]]).main(argv[1:])
    return run_reporting_errors(lambda: _render(argv))


def _render(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    from .jobs import CancelToken, RenderJob, RenderRequest
    from .farm import FarmOptions
    from pathlib import Path

    farm = FarmOptions(args.workers, args.scheduler, args.segment_frames)

    # the output stays a str: a trailing "/" asks for a PNG folder
    request = RenderRequest(Path(args.input), args.output, args.factor or "2", args.start,
                            args.end, args.mode, args.codec, args.audio, args.device,
                            args.overwrite, Path(args.weights) if args.weights else None,
                            args.depth, args.alpha, args.fields, args.conform_fps,
                            args.cuts, args.fps, farm if farm.enabled else None,
                            args.ramp)
    reporter = progress_reporter(args.quiet, args.progress)
    cancel_on_signals()
    job = RenderJob(request, reporter, CancelToken(), notice=print_notice)
    result = job.run()
    print(f"wrote {result.output} ({result.frames} frames at {float(result.fps):.3f} fps, "
          f"{result.duration_s:.2f} s) in {result.seconds:.1f} s")
    return EXIT_OK

if __name__ == "__main__":
    raise SystemExit(main())
