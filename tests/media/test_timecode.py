from __future__ import annotations

from fractions import Fraction

import pytest

from vfi_plugin.errors import UserInputError
from vfi_plugin.media import format_seconds, format_timecode, parse_time
from vfi_plugin.media.timecode import frames_to_timecode, is_timecode, timecode_to_frames

NTSC = Fraction(30000, 1001)


@pytest.mark.parametrize("text, fps, frame", [
    ("3.2", 25, 80),
    (3.2, 25, 80),
    (2, 25, 50),
    ("3.2", NTSC, 96),  # 3.2 * 29.97 = 95.9
    (" 1.5 ", Fraction(24), 36),
    (".5", Fraction(24), 12),
    ("00:00:03.200", 25, 80),
    ("01:02.5", 25, 1562),  # MM:SS.mmm
    ("1:00:00", 25, 90000),  # HH:MM:SS
    ("00:01:00.000", NTSC, 1798),
    ("00:00:01:05", 25, 30),  # SMPTE
    ("01:00:00:00", NTSC, 108000),  # non-drop-frame: base 30
    ("00:00:00:29", NTSC, 29),
    ("120f", 25, 120),
    ("0f", NTSC, 0),
    ("7F", 25, 7),
])
def test_parse_time(text, fps, frame):
    assert parse_time(text, Fraction(fps)) == frame


@pytest.mark.parametrize("text", [
    "", "abc", "-1", "1e3", "3.2.1", "f", "12 frames", "00:00:01:30", "00:61:00", "1:60.0",
    "00:00:60.5", "1;00", "00:00:00;10", -2, float("nan"), float("inf"), True, None,
])
def test_parse_time_errors(text):
    with pytest.raises(UserInputError) as err:
        parse_time(text, Fraction(30))
    message = str(err.value)
    assert message.startswith("bad time '")
    assert message.endswith(
        "': use seconds, HH:MM:SS.mmm, HH:MM:SS:FF or a frame number like 120f")


def test_bad_time_message_exact():
    with pytest.raises(UserInputError) as err:
        parse_time("soon", Fraction(25))
    assert str(err.value) == (
        "bad time 'soon': use seconds, HH:MM:SS.mmm, HH:MM:SS:FF or a frame number like 120f")


def test_bad_time_message_one_line():
    with pytest.raises(UserInputError) as err:
        parse_time("1\n2", Fraction(25))
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("frame, fps, text", [
    (0, 25, "00:00:00:00"),
    (30, 25, "00:00:01:05"),
    (29, NTSC, "00:00:00:29"),
    (30, NTSC, "00:00:01:00"),
    (108000, NTSC, "01:00:00:00"),
    (24 * 3661 + 23, Fraction(24000, 1001), "01:01:01:23"),
    (61, 60, "00:00:01:01"),
])
def test_format_timecode(frame, fps, text):
    assert format_timecode(frame, Fraction(fps)) == text


@pytest.mark.parametrize("frame", [0, 1, 29, 30, 1799, 1800, 107999, 123457])
def test_timecode_round_trip(frame):
    assert parse_time(format_timecode(frame, NTSC), NTSC) == frame


@pytest.mark.parametrize("sec, text", [
    (0, "00:00:00.000"), (3.2, "00:00:03.200"), (59.9996, "00:01:00.000"),
    (3723.4567, "01:02:03.457"), (36000, "10:00:00.000"),
])
def test_format_seconds(sec, text):
    assert format_seconds(sec) == text
    assert parse_time(text, Fraction(1000)) == round(sec * 1000)


@pytest.mark.parametrize("text, fps, frames", [
    ("01:00:00:12", Fraction(25), 90012),
    ("00:01:00;02", Fraction(30000, 1001), 1800),      # 00:01:00;00 and ;01 do not exist
    ("00:10:00;00", Fraction(30000, 1001), 17982),
    ("01:00:00;04", Fraction(60000, 1001), 215788),    # 59.94: four numbers dropped a minute
])
def test_source_timecode_round_trips(text, fps, frames):
    assert timecode_to_frames(text, fps) == frames
    assert frames_to_timecode(frames, fps, drop=";" in text) == text
    assert is_timecode(text) and not is_timecode("12.5")


def test_drop_frame_counts_across_a_minute():
    ntsc = Fraction(30000, 1001)
    assert frames_to_timecode(timecode_to_frames("00:00:59;29", ntsc) + 1, ntsc, True) == "00:01:00;02"
