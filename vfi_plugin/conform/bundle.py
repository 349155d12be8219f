"""A conform on a render farm: ``vfi-slowmo conform TIMELINE -o NEW ... --bundle DIR`` writes an
Open Job Description job bundle (``farm.openjd.ConformBundleJob``) whose tasks are two hidden
modes of the same command:

- ``--render-clip N`` renders slowed clip N's planned render through ``RenderJob`` (as the
  plain conform does, so its frames are the same), keeping a complete render made earlier (a
  retried task);
- ``--write-timeline`` checks that every planned render exists with its planned frame count
  and writes the new timeline (through a temporary file); it never renders.

Each task plans the conform again from the same options, so the tasks share nothing but
storage. They plan as with ``--overwrite`` (the renders of this job exist by then); the bundle
itself was planned here with the user's options, so renders or a new timeline that existed
before were refused then unless ``--overwrite`` was given.
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import SlowMoError, UserInputError

if TYPE_CHECKING:
    from .job import ConformPlan
    from .plan import ClipPlan


def farm_mode(args: argparse.Namespace) -> str | None:
    """``--bundle``, ``--render-clip`` or ``--write-timeline`` when one is given (refusing the
    options that do not go with it), else None."""
    given = [flag for flag, on in (("--bundle", args.bundle is not None),
                                   ("--render-clip", args.render_clip is not None),
                                   ("--write-timeline", args.write_timeline)) if on]
    if not given:
        return None
    if len(given) > 1 or args.list:
        shown = " and ".join(given + (["--list"] if args.list else []))
        raise UserInputError(f"{shown} do not go together")
    if args.workers is not None or args.scheduler or args.segment_frames is not None:
        raise UserInputError(f"{given[0]}: --workers, --scheduler and --segment-frames do not "
                             f"apply (the farm runs one task per clip)")
    if args.bundle is not None:
        from ..farm.cmd_bundle import check_bundle_folder

        check_bundle_folder(args.bundle, args.overwrite)
    if args.write_timeline and Path(args.output).exists() and not args.overwrite:
        raise UserInputError(f"{args.output}: already exists (use --overwrite to replace it)")
    return given[0]


def run(args: argparse.Namespace, plan: ConformPlan, mode: str, summary) -> int:
    """Run ``mode`` on the conform's ``plan`` (``summary``: the table of its clips)."""
    from ..cli import EXIT_OK

    try:
        if mode == "--render-clip":
            print(render_clip(args, plan))
            return EXIT_OK
        if mode == "--write-timeline":
            write_from_renders(plan)
            print(summary(plan.plans))
            left = sum(not p.ok for p in plan.plans)
            print(f"wrote {plan.output} ({len(plan.plans) - left} clips conformed, {left} left "
                  f"as they were; renders in {plan.media_dir})")
            return EXIT_OK
    except BaseException:
        plan.discard()
        raise
    plan.discard()  # the bundle renders nothing here
    print(summary(plan.plans))
    folder = write_bundle(args, plan)
    count = len(bundle_clips(plan))
    print(f"wrote the job bundle {folder} ({count} clip render{'s' if count != 1 else ''}, "
          f"then the new timeline); run it with `openjd run {folder / 'template.yaml'} -p ...` "
          f"or `deadline bundle submit {folder}`")
    return EXIT_OK


def bundle_clips(plan: ConformPlan) -> list[ClipPlan]:
    """The plans that render (one task each): ok and not sharing another clip's render."""
    return [p for p in plan.plans if p.ok and not p.shared]


def write_bundle(args: argparse.Namespace, plan: ConformPlan) -> Path:
    """Write the conform's job bundle into ``args.bundle``; return the folder."""
    from ..farm.openjd import ConformBundleJob, write_bundle as write_files

    folder = Path(args.bundle)
    media = _unique(Path(os.path.abspath(p.source)) for p in plan.plans if p.ok)
    output = Path(os.path.abspath(args.output))
    options = ["--codec", args.codec]
    for flag, value in (("--handles", args.handles or None), ("--edl-fps", args.edl_fps),
                        ("--clips", args.clips),
                        ("--device", None if args.device == "auto" else args.device)):
        options += [flag, str(value)] if value is not None else []
    job = ConformBundleJob(
        name=f"SlowMo conform {plan.timeline_path.name} -> {output.name}",
        timeline=Path(os.path.abspath(plan.timeline_path)), output_dir=output.parent,
        output_name=output.name, media_dir=Path(os.path.abspath(plan.media_dir)),
        options=tuple(options), clips=tuple(p.clip.number for p in bundle_clips(plan)),
        media=tuple(media),
        # the media's folders too: with a farm's path mapping the timeline's own paths may not
        # exist on a worker, and the media are then found there by file name
        search=tuple(_unique([Path(os.path.abspath(s)) for s in args.search]
                             + [m.parent for m in media])),
        weights=Path(os.path.abspath(args.weights)) if args.weights else None,
        overwrite=args.overwrite)
    write_files(job, folder)
    return folder


def render_clip(args: argparse.Namespace, plan: ConformPlan) -> str:
    """Render clip ``args.render_clip``'s planned render; return what was done, in a line."""
    from ..cli import print_notice, progress_reporter
    from ..jobs import CancelToken, RenderJob

    number = args.render_clip
    clip = next((p for p in plan.plans if p.clip.number == number), None)
    if clip is None:
        raise UserInputError(f"{plan.timeline_path}: no slowed clip numbered {number} in this "
                             f"conform")
    if not clip.ok:
        raise UserInputError(f"{plan.timeline_path}: clip {number} ({clip.clip.name}) is left "
                             f"as it was, nothing to render: {clip.problem}")
    if clip.shared:
        return f"clip {number}: shares the render {clip.output.name} of another clip"
    if not args.overwrite and rendered(clip):
        return f"clip {number}: rendered earlier, kept ({clip.output})"
    result = RenderJob(clip.request, progress_reporter(args.quiet, args.progress),
                       CancelToken(), notice=print_notice).run()
    return f"clip {number}: wrote {result.output} ({clip.frames} frames)"


def write_from_renders(plan: ConformPlan) -> None:
    """Write the new timeline from the finished renders; a missing or incomplete one is a
    one-line error naming it (nothing written)."""
    from .job import write_conformed

    for p in bundle_clips(plan):
        if not rendered(p):
            raise UserInputError(
                f"{p.output}: the render of clip {p.clip.number} ({p.clip.name}) is missing or "
                f"not {p.frames} frames; render it first (--render-clip {p.clip.number}, the "
                f"job's Clips step)")
    write_conformed(plan, list(plan.plans))


def rendered(plan: ClipPlan) -> bool:
    """The clip's render exists with the planned frame count."""
    from ..media import probe

    try:
        return plan.output.is_file() and probe(plan.output).frame_count == plan.frames
    except SlowMoError:
        return False


def _unique(paths) -> list[Path]:
    return list(dict.fromkeys(paths))
