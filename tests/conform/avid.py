"""AAF timelines in the form Avid Media Composer writes them, built with pyaaf2 on media
linked as Media Composer links a file (AMA: pyaaf2's ``create_ama_link``).

A clip at 100 % is a SourceClip of the media's master mob; a speed change ("Motion Effect") is
an OperationGroup of the "Motion Control" time warp whose only input is the SourceClip of the
media it shows, with Avid's parameters: the speed map, the offset map (record frame -> media
frame: the speed is its slope) and a ``SpeedRatio`` (as in Media Composer's own files, not
always the speed: readers use the offset map).
"""
from __future__ import annotations

import json
import math
import subprocess
from fractions import Fraction
from pathlib import Path

import aaf2

MOTION_CONTROL = "9d2ea890-0968-11d3-8a38-0050040ef7d2"  # OperationDef_VideoSpeedControl
SPEED_RATIO = "72559a80-24d7-11d3-8a50-0050040ef7d2"
SPEED_MAP = "8d56827c-847e-11d5-935a-50f857c10000"         # PARAM_SPEED_MAP_U
SPEED_OFFSET_MAP = "8d56827d-847e-11d5-935a-50f857c10000"  # PARAM_SPEED_OFFSET_MAP_U
OFFSET_MAP = "8d56827a-847e-11d5-935a-50f857c10000"        # PARAM_OFFSET_MAP_U
VIDEO_DISSOLVE = "0c3bea41-fc05-11d2-8a29-0050040ef7d2"    # OperationDef_VideoDissolve
TINT = "2b9bd5a7-8e53-4a74-8e4c-1b3f2a6f7d01"  # a colour effect of our own


def ffprobe(path: Path) -> dict:
    """What pyaaf2's create_ama_link expects: ``ffprobe -show_format -show_streams``."""
    out = subprocess.run(["ffprobe", "-v", "error", "-of", "json", "-show_format",
                          "-show_streams", str(path)], check=True, capture_output=True).stdout
    return json.loads(out)


def link(f: aaf2.file.AAFFile, media: Path, timecode: int | None = None):
    """The master mob of ``media`` AMA-linked; ``timecode``: a start timecode (frames) on its
    tape mob, as a camera file's."""
    master, source, tape = f.content.create_ama_link(str(media.resolve()), ffprobe(media))
    if timecode is not None:
        rate = tape.slots[0].edit_rate
        slot = tape.create_timecode_slot(rate, round(float(rate)), length=tape.slots[0].length)
        slot.segment.start = timecode
        slot["PhysicalTrackNumber"].value = 1
    return master


def _defs(f: aaf2.file.AAFFile):
    rational = f.dictionary.lookup_typedef("Rational")
    params = [f.create.ParameterDef(auid, name, "", rational) for auid, name in (
        (SPEED_RATIO, "SpeedRatio"), (SPEED_MAP, "PARAM_SPEED_MAP_U"),
        (SPEED_OFFSET_MAP, "PARAM_SPEED_OFFSET_MAP_U"), (OFFSET_MAP, "PARAM_OFFSET_MAP_U"))]
    for param in params:
        f.dictionary.register_def(param)
    interp = f.create.InterpolationDef(aaf2.misc.LinearInterp, "LinearInterp", "")
    f.dictionary.register_def(interp)
    op = f.create.OperationDef(MOTION_CONTROL, "Motion Control", "")
    f.dictionary.register_def(op)
    op.media_kind = "picture"
    op["IsTimeWarp"].value = True
    op["Bypass"].value = 0
    op["NumberInputs"].value = 1
    op["OperationCategory"].value = "OperationCategory_Effect"
    op["ParametersDefined"].extend(params)
    return op


def _dissolve_def(f: aaf2.file.AAFFile):
    op = f.create.OperationDef(VIDEO_DISSOLVE, "Video Dissolve", "")
    f.dictionary.register_def(op)
    op.media_kind = "picture"
    op["IsTimeWarp"].value = False
    op["Bypass"].value = 0
    op["NumberInputs"].value = 2
    op["OperationCategory"].value = "OperationCategory_Effect"
    return op


def _tint_def(f: aaf2.file.AAFFile):
    op = f.create.OperationDef(TINT, "Tint", "")
    f.dictionary.register_def(op)
    op.media_kind = "picture"
    op["IsTimeWarp"].value = False
    op["Bypass"].value = 0
    op["NumberInputs"].value = 1
    op["OperationCategory"].value = "OperationCategory_Effect"
    return op


def motion_effect(f, op, master, start: int, frames: int, speed: Fraction, *,
                  offset: Fraction = Fraction(0), ramp: tuple = (), position: bool = False):
    """A "Motion Effect": ``frames`` record frames showing media from ``start`` at ``speed``;
    ``offset``: source frames into the source clip at its first frame (as a trimmed one);
    ``ramp``: (record frame, source offset) points of a speed graph between its ends;
    ``position``: kept as a position graph instead (``PARAM_OFFSET_MAP_U``, normalized time)."""
    speed = Fraction(speed)
    group = f.create.OperationGroup(op, frames, media_kind="picture")
    group.parameters.append(f.create.ConstantValue("SpeedRatio", 1 / speed))
    if position:
        position_map = f.create.VaryingValue("PARAM_OFFSET_MAP_U", "LinearInterp")
        position_map.add_keyframe(0, offset)
        position_map.add_keyframe(1, offset + speed * frames)
        group.parameters.append(position_map)
    else:
        speed_map = f.create.VaryingValue("PARAM_SPEED_MAP_U", "LinearInterp")
        speed_map.add_keyframe(0, speed)
        offset_map = f.create.VaryingValue("PARAM_SPEED_OFFSET_MAP_U", "LinearInterp")
        for time, value in ((0, offset), *ramp, (frames, offset + speed * frames)):
            offset_map.add_keyframe(time, value)
        group.parameters.extend([speed_map, offset_map])
    group.segments.append(master.create_source_clip(
        1, start=start, length=max(1, math.ceil(offset + frames * speed)),
        media_kind="picture"))
    return group


def avid_aaf(path: Path, media: Path, *tracks: list[tuple], rate: int = 24,
             timecode: int | None = None, name: str = "cut") -> Path:
    """A sequence with one video track (V1, V2...) per list of items: ``(start, frames)`` a
    clip at 100 %, ``(start, frames, speed)`` a Motion Effect, ``(frames,)`` filler,
    ``("dissolve", frames, cut point)`` a dissolve overlapping the items on either side by
    ``frames``, ``("tinted", start, frames, speed)`` a Motion Effect under a colour effect,
    ``(start, frames, speed, {options})`` one with ``motion_effect``'s options. Source times
    count from the media's first frame, as Avid's source clips do;
    ``timecode``: the media's start timecode (frames)."""
    with aaf2.open(str(path), "w") as f:
        master = link(f, media, timecode)
        op = _defs(f)
        comp = f.create.CompositionMob(name)
        comp.usage = "Usage_TopLevel"
        f.content.mobs.append(comp)
        tc_slot = comp.create_timeline_slot(rate)
        tc_slot.segment = f.create.Timecode(rate)
        tc_slot["PhysicalTrackNumber"].value = 1
        dissolve = tint = None
        for number, items in enumerate(tracks, 1):
            slot = comp.create_timeline_slot(rate)
            slot["PhysicalTrackNumber"].value = number
            sequence = f.create.Sequence(media_kind="picture")
            slot.segment = sequence
            for item in items:
                if item[0] == "dissolve":
                    dissolve = dissolve or _dissolve_def(f)
                    transition = f.create.Transition("picture", item[1])
                    transition["OperationGroup"].value = f.create.OperationGroup(
                        dissolve, item[1], media_kind="picture")
                    transition["CutPoint"].value = item[2]
                    sequence.components.append(transition)
                elif item[0] == "tinted":  # a Motion Effect under another effect
                    tint = tint or _tint_def(f)
                    group = f.create.OperationGroup(tint, item[2], media_kind="picture")
                    group.segments.append(motion_effect(f, op, master, *item[1:]))
                    sequence.components.append(group)
                elif len(item) == 1:
                    sequence.components.append(f.create.Filler("picture", item[0]))
                elif len(item) == 2:
                    sequence.components.append(master.create_source_clip(
                        1, start=item[0], length=item[1], media_kind="picture"))
                elif isinstance(item[-1], dict):  # (start, frames, speed, {options})
                    sequence.components.append(motion_effect(f, op, master, *item[:-1],
                                                             **item[-1]))
                else:
                    sequence.components.append(motion_effect(f, op, master, *item))
    return path
