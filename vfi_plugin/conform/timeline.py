"""Read and write editors' timelines with OpenTimelineIO and its maintained adapters."""
from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from ..errors import UserInputError

if TYPE_CHECKING:
    import opentimelineio as otio

SIDE_FILE_TAG = "slowmo"  # as vfi_plugin.jobs: hidden partial files carry it


@dataclass(frozen=True)
class TimelineFormat:
    """One interchange format: its file suffix, OTIO adapter and the editors that write it."""

    suffix: str
    adapter: str
    label: str


FORMATS: dict[str, TimelineFormat] = {f.suffix: f for f in (
    TimelineFormat(".otio", "otio_json", "OpenTimelineIO"),
    TimelineFormat(".xml", "fcp_xml", "Final Cut Pro 7 XML (Premiere Pro, Resolve)"),
    TimelineFormat(".fcpxml", "fcpx_xml", "FCPXML (Final Cut Pro, Resolve)"),
    TimelineFormat(".edl", "cmx_3600", "CMX 3600 EDL"),
    TimelineFormat(".aaf", "AAF", "AAF (Avid Media Composer)"),
)}

EDL_DEFAULT_RATE = Fraction(24)
EDL_REEL_LENGTH = 8  # what OTIO's EDL writer cuts a reel to (Avid style)


def timeline_format(path: str | os.PathLike[str]) -> TimelineFormat:
    """The format a timeline file's suffix names; UserInputError for any other."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(f"{s} ({f.label})" for s, f in FORMATS.items())
        raise UserInputError(f"{path}: unknown timeline format '{suffix or '(no suffix)'}': "
                             f"use {known}")
    return FORMATS[suffix]


def read_timeline(path: str | os.PathLike[str],
                  rate: Fraction | None = None) -> otio.schema.Timeline:
    """The one timeline in ``path`` (an ``opentimelineio.schema.Timeline``).

    ``rate`` is an EDL's frame rate (an EDL does not say; default 24); other formats carry it.
    """
    import opentimelineio as otio

    path = Path(path)
    fmt = timeline_format(path)
    if not path.is_file():
        raise UserInputError(f"{path}: no such timeline file")
    options = {}
    if fmt.adapter == "cmx_3600":
        options["rate"] = float(rate or EDL_DEFAULT_RATE)
    try:
        result = otio.adapters.read_from_file(str(path), adapter_name=fmt.adapter, **options)
    except Exception as exc:  # the adapters raise anything from ValueError to their own errors
        raise UserInputError(f"{path}: cannot read it as {fmt.label}: {_one_line(exc)}") from None
    if not isinstance(result, otio.schema.Timeline):
        timelines = list(result.find_children(descended_from_type=otio.schema.Timeline)) \
            if hasattr(result, "find_children") else []
        if len(timelines) != 1:
            raise UserInputError(f"{path}: holds {len(timelines)} sequences; export the one to "
                                 f"conform on its own")
        result = timelines[0]
    if fmt.adapter == "fcpx_xml":  # the adapter drops Final Cut's retiming: read it here
        from .fcpx import attach_retimes
        attach_retimes(path, result)
    return result


def write_timeline(timeline: otio.schema.Timeline, path: str | os.PathLike[str]) -> None:
    """Write ``timeline`` in the format ``path``'s suffix names, through a temporary file
    renamed on success (a failure leaves nothing behind).

    A timeline read from an FCPXML file is written as FCPXML by editing that file
    (``fcpx.conformed_xml``: the adapter's writer would drop Final Cut's retiming), then read
    back to check it.
    """
    import opentimelineio as otio

    from . import fcpx

    path = Path(path)
    fmt = timeline_format(path)
    source = fcpx.source_of(timeline) if fmt.adapter == "fcpx_xml" else None
    tmp = path.with_name(f".{path.stem}.{SIDE_FILE_TAG}-partial-{uuid.uuid4().hex[:8]}"
                         f"{path.suffix}")
    try:
        if source is not None:
            tmp.write_text(fcpx.conformed_xml(source, timeline), encoding="utf-8")
            _check_fcpxml(tmp, timeline, path)
        else:
            if fmt.adapter == "cmx_3600":
                timeline = with_edl_reels(timeline)
            try:
                otio.adapters.write_to_file(timeline, str(tmp), adapter_name=fmt.adapter)
            except Exception as exc:
                raise UserInputError(f"{path}: the {fmt.label} adapter cannot write this "
                                     f"timeline: {_one_line(exc)}") from None
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def with_edl_reels(timeline: otio.schema.Timeline) -> otio.schema.Timeline:
    """A copy in which every clip without an EDL reel gets one an EDL can hold: the letters
    and digits of its file's name (else its media's or its own name), at most
    ``EDL_REEL_LENGTH``. OTIO's EDL writer keeps spaces ("UNC Path", an AAF's media name),
    which split an event's columns."""
    new = timeline.deepcopy()
    for item in new.find_clips():
        edl = item.metadata.get("cmx_3600")
        if edl is not None and edl.get("reel"):
            continue
        ref = item.media_reference
        url = unquote(getattr(ref, "target_url", "") or "").replace("\\", "/")
        name = url.rsplit("/", 1)[-1] or getattr(ref, "name", "") or item.name or ""
        reel = re.sub(r"[^A-Za-z0-9]", "", re.sub(r"[.][A-Za-z0-9]+$", "", name))
        item.metadata.setdefault("cmx_3600", {})["reel"] = reel[:EDL_REEL_LENGTH] or "AX"
    return new


def _check_fcpxml(written: Path, timeline: otio.schema.Timeline, path: Path) -> None:
    """The FCPXML written reads back (adapter and retiming) with the timeline's clips and
    duration; UserInputError otherwise."""
    from .clips import video_clips

    try:
        new = read_timeline(written)
    except UserInputError as exc:
        raise UserInputError(f"{path}: the FCPXML written does not read back: {exc}") from None
    counts = [sum(1 for _ in video_clips(t)) for t in (new, timeline)]
    rate = timeline.duration().rate or 1
    if counts[0] != counts[1] or abs((new.duration() - timeline.duration()).to_seconds()) \
            >= 1 / rate:
        raise UserInputError(f"{path}: the FCPXML written reads back with {counts[0]} clips "
                             f"over {new.duration().to_seconds():g} s, not {counts[1]} over "
                             f"{timeline.duration().to_seconds():g} s")


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    text = text if len(text) <= 200 else text[:197] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
