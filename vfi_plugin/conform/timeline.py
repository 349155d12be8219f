"""Read and write editors' timelines with OpenTimelineIO and its maintained adapters."""
from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

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
    if fmt.adapter == "fcpx_xml":
        _refuse_fcpx_retimes(path)
    options = {}
    if fmt.adapter == "cmx_3600":
        options["rate"] = float(rate or EDL_DEFAULT_RATE)
    try:
        result = otio.adapters.read_from_file(str(path), adapter_name=fmt.adapter, **options)
    except Exception as exc:  # the adapters raise anything from ValueError to their own errors
        raise UserInputError(f"{path}: cannot read it as {fmt.label}: {_one_line(exc)}") from None
    if isinstance(result, otio.schema.Timeline):
        return result
    timelines = list(result.find_children(descended_from_type=otio.schema.Timeline)) \
        if hasattr(result, "find_children") else []
    if len(timelines) != 1:
        raise UserInputError(f"{path}: holds {len(timelines)} sequences; export the one to "
                             f"conform on its own")
    return timelines[0]


def write_timeline(timeline: otio.schema.Timeline, path: str | os.PathLike[str]) -> None:
    """Write ``timeline`` in the format ``path``'s suffix names, through a temporary file
    renamed on success (a failure leaves nothing behind)."""
    import opentimelineio as otio

    path = Path(path)
    fmt = timeline_format(path)
    tmp = path.with_name(f".{path.stem}.{SIDE_FILE_TAG}-partial-{uuid.uuid4().hex[:8]}"
                         f"{path.suffix}")
    try:
        try:
            otio.adapters.write_to_file(timeline, str(tmp), adapter_name=fmt.adapter)
        except Exception as exc:
            raise UserInputError(f"{path}: the {fmt.label} adapter cannot write this timeline: "
                                 f"{_one_line(exc)}") from None
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _refuse_fcpx_retimes(path: Path) -> None:
    """OTIO's FCPXML adapter drops Final Cut's retiming (``timeMap``): such a clip would come
    back at 100 % from the wrong source frame, so a timeline holding one is refused."""
    import xml.etree.ElementTree as ET

    try:
        retimed = sum(1 for _, element in ET.iterparse(path) if element.tag == "timeMap")
    except (ET.ParseError, OSError) as exc:
        raise UserInputError(f"{path}: cannot read it as FCPXML: {_one_line(exc)}") from None
    if retimed:
        raise UserInputError(
            f"{path}: {retimed} clip(s) have Final Cut retiming (timeMap), which OpenTimelineIO's "
            f"FCPXML adapter does not read: conform would lose them; open the project in "
            f"Resolve and export FCP 7 XML instead")


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    text = text if len(text) <= 200 else text[:197] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
