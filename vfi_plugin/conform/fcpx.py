"""Final Cut Pro's FCPXML: read its retiming (``timeMap``) and write a conformed copy of the file.

OTIO's FCPXML adapter (otio-fcpx-xml-adapter 1.0) reads clips and where they sit but drops a
clip's ``timeMap`` and, from FCPXML 1.9 on, its media path (``media-rep``); its writer writes
no speed at all. So ``attach_retimes`` reads the XML itself and puts on the adapter's clips
what Final Cut wrote: in a retimed clip ``start`` counts the clip's retimed local time, and the
``timeMap``'s points map local ``time`` to media ``value``; a constant slope becomes a
``LinearTimeWarp`` with the source range starting at the media time the clip's first frame
shows, a ramp, a reverse or a retime on a rate-conformed clip an effect naming the problem.
``write_conformed`` writes the new timeline by editing the original XML: each conformed
``asset-clip`` refers to a new ``asset`` (its render) at 100 % over the same offset and
duration, without its ``timeMap``; what it anchors (markers, connected clips) keeps its place;
everything else stays as Final Cut wrote it.
"""
from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import UserInputError

if TYPE_CHECKING:
    import opentimelineio as otio

NAMESPACE = "fcpx_xml"        # OTIO metadata key of what this module attaches
EFFECT = "timeMap"            # the effect name of a retime that cannot be conformed
CLIP_TAGS = ("asset-clip", "clip")  # elements the adapter reads as clips
AUDIO_ATTRIBUTES = ("audioRole", "audioStart", "audioDuration")
LOCAL_START_TAGS = ("marker", "chapter-marker", "rating", "keyword", "analysis-marker")
SRC_FRAME_RATES = {"23.98": Fraction(24000, 1001), "29.97": Fraction(30000, 1001),
                   "47.95": Fraction(48000, 1001), "59.94": Fraction(60000, 1001)}


@dataclass(frozen=True)
class Retime:
    """A clip's retiming as Final Cut wrote it."""

    speed: Fraction         # media seconds per record second over the clip (average for a ramp)
    media_start: Fraction   # media time (s) shown at the clip's first frame
    problem: str | None = None


@dataclass(frozen=True)
class _ClipElement:
    """An element the adapter reads as a clip: its index among the sequence's elements
    (document order), the lane the adapter puts it on, its record offset (s)."""

    index: int
    element: ET.Element
    lane: str
    record: Fraction


def parse_time(text: str | None) -> Fraction:
    """An FCPXML time ("1001/30000s", "5s", "0s"; None: 0) in seconds."""
    if text is None:
        return Fraction(0)
    value = text.strip()
    if not value.endswith("s"):
        raise ValueError(f"not an FCPXML time: '{text}'")
    return Fraction(value[:-1])


def format_time(seconds: Fraction) -> str:
    """Seconds as an FCPXML time ("1001/30000s", "5s")."""
    seconds = Fraction(seconds)
    if seconds.denominator == 1:
        return f"{seconds.numerator}s"
    return f"{seconds.numerator}/{seconds.denominator}s"


def retime(element: ET.Element, sequence_rate: Fraction) -> Retime | None:
    """The retiming of a clip element (its ``timeMap``), None when it has none."""
    time_map = element.find("timeMap")
    if time_map is None:
        return None
    points = sorted((parse_time(p.get("time")), parse_time(p.get("value")))
                    for p in time_map.findall("timept"))
    start = parse_time(element.get("start"))
    duration = parse_time(element.get("duration"))
    if len(points) < 2 or len({t for t, _ in points}) < len(points) or duration <= 0:
        return Retime(Fraction(1), start, "a timeMap without two distinct points: not read")
    first, last = _value_at(points, start), _value_at(points, start + duration)
    speed = (last - first) / duration
    slopes = {(v1 - v0) / (t1 - t0) for (t0, v0), (t1, v1) in zip(points, points[1:])}
    problem = None
    if len(slopes) > 1 and not _nearly_equal(slopes):
        problem = "a speed ramp (timeMap of several speeds): not a constant slow motion"
    elif speed < 0:
        problem = "reversed: not conformed"
    elif _rate_conformed(element, sequence_rate):
        problem = "retimed and rate-conformed (conform-rate): not conformed"
    return Retime(abs(speed), first, problem)


def attach_retimes(path: Path, timeline: otio.schema.Timeline) -> None:
    """Put Final Cut's retiming and media paths, read from ``path``, on the clips the adapter
    read from it (matched by lane, name, source range and record offset)."""
    root = _parse(path).getroot()
    sequence = _sequence(root)
    timeline.metadata[NAMESPACE] = {"source": str(Path(os.path.abspath(path)))}
    if sequence is not None:
        try:
            _attach(root, sequence, timeline)
        except (ValueError, ZeroDivisionError) as exc:
            raise UserInputError(f"{path}: cannot read its clips' timing: {exc}") from None


def _attach(root: ET.Element, sequence: ET.Element, timeline) -> None:
    import opentimelineio as otio

    rate = _rate(root, sequence.get("format"))
    used: set[int] = set()
    read: set[int] = set()
    for item in _clip_elements(sequence):
        clip = _match(timeline, root, sequence, item, used)
        if clip is None:
            continue
        read.add(id(item.element))
        used.add(id(clip))
        element = item.element
        asset = _asset(root, element)
        media_rate = _rate(root, asset.get("format", sequence.get("format"))) \
            if asset is not None else rate
        if asset is not None and not _has_media(clip):
            reference = _reference(asset, media_rate)
            if reference is not None:
                clip.media_reference = reference
        warp = retime(element, rate)
        if warp is None:
            continue
        if element.tag != "asset-clip":
            warp = Retime(warp.speed, warp.media_start, warp.problem or
                          "a retimed clip element (not an asset-clip): not conformed")
        clip.metadata[NAMESPACE] = {"element": item.index, "name": element.get("name", ""),
                                    "retimed": True}
        duration = parse_time(element.get("duration"))
        clip.source_range = otio.opentime.TimeRange(
            otio.opentime.RationalTime(float(warp.media_start * media_rate), float(media_rate)),
            otio.opentime.RationalTime(float(duration * rate), float(rate)))
        if warp.problem is None:
            clip.effects.append(otio.schema.LinearTimeWarp(name=EFFECT,
                                                           time_scalar=float(warp.speed)))
        else:
            clip.effects.append(otio.schema.Effect(
                name=EFFECT, effect_name=EFFECT,
                metadata={NAMESPACE: {"speed": str(warp.speed), "problem": warp.problem}}))
    timeline.metadata[NAMESPACE]["unread"] = [
        f"'{element.get('name', '')}' ({element.tag})" for element in sequence.iter()
        if element.find("timeMap") is not None and id(element) not in read]


def notices(timeline: otio.schema.Timeline) -> tuple[str, ...]:
    """A line naming the retimed elements of the FCPXML that are not read as clips (compound,
    multicam or sync clips, clips the adapter misplaced): they stay as they are."""
    data = timeline.metadata.get(NAMESPACE)
    unread = list(data.get("unread", [])) if data is not None else []
    if not unread:
        return ()
    return (f"{data['source']}: {len(unread)} retimed element(s) not read as clips are left as "
            f"they are (not listed): {', '.join(unread)}",)


def effect_problem(effect) -> tuple[Fraction, str] | None:
    """(speed, problem) of a retime ``attach_retimes`` could not express as a constant speed."""
    if getattr(effect, "effect_name", None) != EFFECT:
        return None
    data = effect.metadata.get(NAMESPACE) if effect.metadata else None
    if not data or not data.get("problem"):
        return None
    return Fraction(str(data.get("speed", "1"))), str(data["problem"])


def source_of(timeline: otio.schema.Timeline) -> Path | None:
    """The FCPXML file a timeline was read from (``attach_retimes``), else None."""
    data = timeline.metadata.get(NAMESPACE)
    source = data.get("source") if data is not None else None
    return Path(source) if source else None


def conformed_xml(source: Path, timeline: otio.schema.Timeline) -> str:
    """The text of ``source`` with each clip that ``timeline`` (a conformed copy of the one
    read from it) now plays from a render at 100 % rewritten as a plain asset-clip of it."""
    from .clips import time_warp, video_clips

    tree = _parse(source)
    root = tree.getroot()
    sequence = _sequence(root)
    elements = {item.index: item.element for item in _clip_elements(sequence)} \
        if sequence is not None else {}
    assets: dict[str, str] = {}
    for _, _, clip in video_clips(timeline):
        data = clip.metadata.get(NAMESPACE)
        if not data or not data.get("retimed") or time_warp(clip) is not None:
            continue  # not retimed, or left as it was
        element = elements.get(int(data["element"]))
        if element is None or element.tag != "asset-clip" \
                or element.get("name", "") != data.get("name"):
            raise UserInputError(f"{source}: clip '{data.get('name')}' is no longer where it "
                                 f"was read: the file changed during the conform")
        reference = clip.media_reference
        url = reference.target_url
        if url not in assets:
            assets[url] = _add_asset(root, reference)
        _replace_media(root, element, assets[url], clip.source_range.start_time)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n\n{body}\n'


# ---- reading ----

def _parse(path: Path) -> ET.ElementTree:
    parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=True))
    try:
        return ET.parse(path, parser)
    except (ET.ParseError, OSError) as exc:
        raise UserInputError(f"{path}: cannot read it as FCPXML: {' '.join(str(exc).split())}"
                             ) from None


def _sequence(root: ET.Element) -> ET.Element | None:
    """The sequence the adapter reads as the timeline: that of the one project of the first
    event of the library (or of the event, or the project, at the top)."""
    event = root.find("./library/event")
    if event is None:
        event = root.find("./event")
    projects = event.findall("./project") if event is not None else root.findall("./project")
    if len(projects) != 1:
        return None
    return projects[0].find("./sequence")


def _clip_elements(sequence: ET.Element) -> list[_ClipElement]:
    parents = {child: parent for parent in sequence.iter() for child in parent}
    found = []
    for index, element in enumerate(sequence.iter()):
        if element.tag in CLIP_TAGS:
            found.append(_ClipElement(index, element, _lane(element, parents),
                                      _record(element, parents, sequence)))
    return found


def _lane(element: ET.Element, parents: dict) -> str:
    """The lane the adapter gives a clip: its own, else its storyline's."""
    parent = parents.get(element)
    if element.get("lane") is None and parent is not None and parent.tag == "spine" \
            and parent.get("lane") is not None:
        return parent.get("lane")
    return element.get("lane", "0")


def _record(element: ET.Element, parents: dict, sequence: ET.Element) -> Fraction:
    """Where the element starts on the sequence (s): its offset counts its parent's local time
    (a clip's: from its start, in its retimed time; a storyline's: from 0)."""
    time = parse_time(element.get("offset"))
    parent = parents.get(element)
    while parent is not None and parent is not sequence:
        grand = parents.get(parent)
        if parent.tag == "spine":
            if grand is sequence:
                break
            time += parse_time(parent.get("offset"))
        else:
            time += parse_time(parent.get("offset")) - parse_time(parent.get("start"))
        parent = grand
    return time


def _match(timeline, root: ET.Element, sequence: ET.Element, item: _ClipElement,
           used: set[int]):
    """The adapter's clip for ``item``: on the track of its lane, of its name and source
    range (as the adapter counts it), the nearest to its record offset; None if none or two
    are as near."""
    import opentimelineio as otio

    element = item.element
    timing_rate = Fraction(int(_rate(root, _clip_format(root, element, sequence))))
    start = int(parse_time(element.get("start")) * timing_rate)
    duration = int(parse_time(element.get("duration")) * timing_rate)
    candidates = []
    for track in timeline.tracks:
        if track.name != item.lane:
            continue
        for child in track:
            if not isinstance(child, otio.schema.Clip) or id(child) in used \
                    or child.source_range is None or (child.name or "") != element.get("name", ""):
                continue
            if abs(child.source_range.start_time.value - start) <= 1 \
                    and abs(child.source_range.duration.value - duration) <= 1:
                distance = abs(Fraction(child.range_in_parent().start_time.to_seconds())
                               - item.record)
                candidates.append((distance, child))
    candidates.sort(key=lambda pair: pair[0])
    if not candidates or (len(candidates) > 1 and candidates[1][0] == candidates[0][0]):
        return None
    return candidates[0][1]


def _clip_format(root: ET.Element, element: ET.Element, sequence: ET.Element) -> str | None:
    """The format the adapter times a clip element in: its asset's, else the sequence's."""
    asset = _asset(root, element)
    default = sequence.get("format")
    return asset.get("format", default) if asset is not None else default


def _asset(root: ET.Element, element: ET.Element) -> ET.Element | None:
    ref = element.get("ref")
    if ref is None and element.tag == "clip":
        video = element.find("video")
        ref = video.get("ref") if video is not None else None
    return _by_id(root, "asset", ref) if ref is not None else None


def _by_id(root: ET.Element, tag: str, ident: str | None) -> ET.Element | None:
    for element in root.iterfind(f"./resources/{tag}"):
        if element.get("id") == ident:
            return element
    return None


def _rate(root: ET.Element, format_id: str | None) -> Fraction:
    """The frame rate of a format resource (1 / its frameDuration)."""
    element = _by_id(root, "format", format_id)
    if element is None or element.get("frameDuration") is None:
        raise ValueError(f"no format '{format_id}' with a frame duration in its resources")
    return 1 / parse_time(element.get("frameDuration"))


def _has_media(clip) -> bool:
    return bool(getattr(clip.media_reference, "target_url", None))


def _reference(asset: ET.Element, rate: Fraction):
    """An ExternalReference to an asset's media (``src``, or its ``media-rep``'s)."""
    import opentimelineio as otio

    src = asset.get("src")
    if not src:
        rep = asset.find("media-rep[@kind='original-media']")
        rep = rep if rep is not None else asset.find("media-rep")
        src = rep.get("src") if rep is not None else None
    if not src:
        return None
    start, duration = parse_time(asset.get("start")), parse_time(asset.get("duration"))
    return otio.schema.ExternalReference(
        target_url=src, available_range=otio.opentime.TimeRange(
            otio.opentime.RationalTime(float(start * rate), float(rate)),
            otio.opentime.RationalTime(float(duration * rate), float(rate))))


def _value_at(points: list[tuple[Fraction, Fraction]], time: Fraction) -> Fraction:
    """The media time a timeMap gives at local ``time`` (linear between its points, and past
    its ends along its first and last segments)."""
    k = 0
    while k < len(points) - 2 and time > points[k + 1][0]:
        k += 1
    (t0, v0), (t1, v1) = points[k], points[k + 1]
    return v0 + (v1 - v0) * (time - t0) / (t1 - t0)


def _nearly_equal(slopes: set[Fraction]) -> bool:
    """Slopes equal to 1 part in a million (Final Cut rounds its points' times)."""
    low, high = min(slopes), max(slopes)
    return high - low <= max(abs(low), abs(high)) * Fraction(1, 10**6)


def _rate_conformed(element: ET.Element, sequence_rate: Fraction) -> bool:
    """The clip's media is rate-conformed to the sequence (``conform-rate`` scaling it)."""
    conform = element.find("conform-rate")
    if conform is None or conform.get("scaleEnabled", "1") == "0":
        return False
    text = conform.get("srcFrameRate")
    if not text:
        return False
    try:
        source_rate = SRC_FRAME_RATES.get(text) or Fraction(text)
    except ValueError:
        return True
    return source_rate != sequence_rate


# ---- writing ----

def _add_asset(root: ET.Element, reference) -> str:
    """Add an asset (and a format, unless one fits) for a render; its id."""
    resources = root.find("resources")
    rate = Fraction(reference.available_range.start_time.rate).limit_denominator(1001)
    frame = 1 / rate
    size = (reference.metadata.get("fcp_xml") or {}).get("media", {}).get("video", {}) \
        .get("samplecharacteristics", {})
    width, height = size.get("width"), size.get("height")
    fmt = next((f for f in resources.iterfind("format")
                if f.get("frameDuration") and parse_time(f.get("frameDuration")) == frame
                and f.get("width") == width and f.get("height") == height), None)
    if fmt is None:
        fmt = _append(resources, ET.Element("format", {"id": _new_id(root),
                                                       "frameDuration": _frame_text(rate)}))
        if width and height:
            fmt.set("width", str(width))
            fmt.set("height", str(height))
    unit = fmt.get("frameDuration")
    available = reference.available_range
    asset = _append(resources, ET.Element("asset", {
        "id": _new_id(root), "name": Path(reference.name or "render").stem,
        "start": _time_in(round(available.start_time.value) * frame, unit),
        "duration": _time_in(round(available.duration.value) * frame, unit),
        "hasVideo": "1", "format": fmt.get("id"), "videoSources": "1"}))
    if _version(root) >= (1, 9):
        rep = ET.SubElement(asset, "media-rep", {"kind": "original-media",
                                                 "src": reference.target_url})
        asset.text, rep.tail = (resources.text or "\n") + "    ", resources.text or "\n"
    else:
        asset.set("src", reference.target_url)
    return asset.get("id")


def _append(parent: ET.Element, element: ET.Element) -> ET.Element:
    """Append ``element`` to ``parent``, indented as its other children."""
    children = list(parent)
    if children:
        element.tail = children[-1].tail
        children[-1].tail = parent.text
    parent.append(element)
    return element


def _frame_text(rate: Fraction) -> str:
    """A frame duration as Final Cut writes it: 100/2400s, 1001/30000s."""
    if rate.denominator == 1:
        return f"100/{rate.numerator * 100}s"
    return f"{rate.denominator}/{rate.numerator}s"


def _time_in(seconds: Fraction, unit: str) -> str:
    """``seconds`` as a whole number of frames of ``unit`` (a frameDuration such as
    "100/2400s") written over its denominator, as Final Cut writes times; else reduced."""
    seconds = Fraction(seconds)
    frames = seconds / parse_time(unit)
    num, _, den = unit[:-1].partition("/")
    if seconds == 0:
        return "0s"
    if frames.denominator != 1 or not den:
        return format_time(seconds)
    return f"{frames.numerator * int(num)}/{den}s"


def _replace_media(root: ET.Element, element: ET.Element, asset_id: str, start) -> None:
    """Make ``element`` play ``asset_id`` at 100 % from media time ``start`` over the same
    offset and duration; what it anchors keeps its place in record time."""
    asset = _by_id(root, "asset", asset_id)
    unit = _by_id(root, "format", asset.get("format")).get("frameDuration")
    old = parse_time(element.get("start"))
    new = round(start.value) * parse_time(unit)
    element.set("ref", asset_id)
    element.set("start", _time_in(new, unit))
    if element.get("format") is not None:
        element.set("format", asset.get("format"))
    for key in AUDIO_ATTRIBUTES:  # the render has no sound
        element.attrib.pop(key, None)
    for child in list(element):
        if child.tag in ("timeMap", "conform-rate"):
            _remove(element, child)
        elif child.tag in LOCAL_START_TAGS and child.get("start") is not None:
            child.set("start", _time_in(parse_time(child.get("start")) - old + new, unit))
        elif child.get("offset") is not None and (child.get("lane") is not None
                                                  or child.tag == "spine"):
            child.set("offset", _time_in(parse_time(child.get("offset")) - old + new, unit))


def _remove(parent: ET.Element, child: ET.Element) -> None:
    """Remove ``child``, keeping the indentation of what follows it."""
    children = list(parent)
    k = children.index(child)
    if k > 0:
        children[k - 1].tail = child.tail
    else:
        parent.text = child.tail
    parent.remove(child)


def _new_id(root: ET.Element) -> str:
    taken = {e.get("id") for e in root.iter() if e.get("id")}
    numbers = [int(i[1:]) for i in taken if i.startswith("r") and i[1:].isdigit()]
    n = max(numbers, default=0) + 1
    while f"r{n}" in taken:
        n += 1
    return f"r{n}"


def _version(root: ET.Element) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in root.get("version", "1.8").split("."))
    except ValueError:
        return (1, 8)
