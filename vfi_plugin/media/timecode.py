"""Parse user-typed times into frame numbers and format frame numbers as time."""
from __future__ import annotations

import math
import re
from fractions import Fraction

from vfi_plugin.errors import UserInputError

_FRAMES = re.compile(r"^(\d+)\s*f$", re.IGNORECASE)
_SECONDS = re.compile(r"^(\d+(?:\.\d*)?|\.\d+)$")
_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d*)?)$")  # [HH:]MM:SS[.mmm]
_SMPTE = re.compile(r"^(\d+):(\d{1,2}):(\d{1,2}):(\d{1,3})$")  # HH:MM:SS:FF
_SOURCE_TC = re.compile(r"^(\d+):(\d{1,2}):(\d{1,2})([:;.,])(\d{1,3})$")  # ';' drop frame


def _bad(text: object) -> UserInputError:
    shown = " ".join(str(text).split())[:40]
    return UserInputError(
        f"bad time '{shown}': use seconds, HH:MM:SS.mmm, HH:MM:SS:FF or a frame number like 120f")


def timecode_base(fps: Fraction) -> int:
    """Frames per timecode second: ceil(fps) (non-drop-frame)."""
    return math.ceil(Fraction(fps))


def parse_time(text: str | float | int, fps: Fraction) -> int:
    """Frame index for a time: seconds ("3.2", 3.2), [HH:]MM:SS.mmm, SMPTE HH:MM:SS:FF
    (non-drop-frame) or a frame number "120f". Seconds round to the nearest frame."""
    fps = Fraction(fps)
    if fps <= 0:
        raise ValueError(f"fps must be positive, got {fps}")
    if isinstance(text, bool):
        raise _bad(text)
    if isinstance(text, (int, float)):
        if not math.isfinite(text) or text < 0:
            raise _bad(text)
        return round(Fraction(str(text)) * fps)
    if not isinstance(text, str):
        raise _bad(text)
    value = text.strip()
    if m := _FRAMES.match(value):
        return int(m.group(1))
    if _SECONDS.match(value):
        return round(Fraction(value) * fps)
    if m := _CLOCK.match(value):
        hours = int(m.group(1) or 0)
        minutes, seconds = int(m.group(2)), Fraction(m.group(3).rstrip(".") or "0")
        if (m.group(1) is not None and minutes >= 60) or seconds >= 60:
            raise _bad(text)
        return round((hours * 3600 + minutes * 60 + seconds) * fps)
    if m := _SMPTE.match(value):
        hours, minutes, seconds, frames = (int(g) for g in m.groups())
        base = timecode_base(fps)
        if minutes >= 60 or seconds >= 60 or frames >= base:
            raise _bad(text)
        return (hours * 3600 + minutes * 60 + seconds) * base + frames
    raise _bad(text)


def format_timecode(frame: int, fps: Fraction) -> str:
    """SMPTE "HH:MM:SS:FF" for a frame index (non-drop-frame, base ceil(fps))."""
    if frame < 0:
        raise ValueError(f"frame must not be negative, got {frame}")
    base = timecode_base(fps)
    seconds, frames = divmod(int(frame), base)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}:{frames:0{max(2, len(str(base - 1)))}d}"


def format_seconds(sec: float) -> str:
    """"HH:MM:SS.mmm" for a number of seconds (rounded to the millisecond)."""
    if not math.isfinite(sec) or sec < 0:
        raise ValueError(f"seconds must be a non-negative number, got {sec}")
    millis = round(sec * 1000)
    seconds, millis = divmod(millis, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def is_timecode(text: object) -> bool:
    """True for an SMPTE timecode string: HH:MM:SS:FF, or HH:MM:SS;FF (drop frame)."""
    return isinstance(text, str) and bool(_SOURCE_TC.match(text.strip()))


def _drop_per_minute(fps: Fraction) -> int:
    """Frame numbers a drop-frame timecode skips each minute (2 at 29.97, 4 at 59.94)."""
    base = timecode_base(fps)
    return 0 if Fraction(fps).denominator == 1 else round(base / 15)


def timecode_to_frames(text: str, fps: Fraction) -> int:
    """Frames since 00:00:00:00 for a source's timecode; a ';' (or '.', ',') before the
    frames means drop frame (at 29.97 and 59.94)."""
    m = _SOURCE_TC.match(str(text).strip())
    if not m:
        raise _bad(text)
    hours, minutes, seconds, frames = (int(m.group(i)) for i in (1, 2, 3, 5))
    base = timecode_base(fps)
    if minutes >= 60 or seconds >= 60 or frames >= base:
        raise _bad(text)
    count = (hours * 3600 + minutes * 60 + seconds) * base + frames
    if m.group(4) != ":":
        total_minutes = hours * 60 + minutes
        count -= _drop_per_minute(fps) * (total_minutes - total_minutes // 10)
    return count


def frames_to_timecode(count: int, fps: Fraction, drop: bool = False) -> str:
    """The timecode ``count`` frames after 00:00:00:00 ("HH:MM:SS;FF" when ``drop``)."""
    base = timecode_base(fps)
    drop_n = _drop_per_minute(fps) if drop else 0
    if drop_n:
        per_10min, per_min = base * 600 - drop_n * 9, base * 60 - drop_n
        tens, rest = divmod(count, per_10min)
        count += drop_n * 9 * tens + (drop_n * ((rest - drop_n) // per_min) if rest > drop_n else 0)
    text = format_timecode(count, Fraction(base))
    return text[:8] + ";" + text[9:] if drop_n else text
