from __future__ import annotations

import subprocess
from fractions import Fraction

import pytest

from vfi_plugin.errors import UserInputError
from vfi_plugin.media import MediaInfo, probe


def test_fields(h264_clip):
    info = probe(h264_clip)
    assert isinstance(info, MediaInfo)
    assert info.path == h264_clip
    assert (info.width, info.height) == (64, 48)
    assert info.fps == Fraction(30000, 1001)
    assert isinstance(info.fps, Fraction)
    assert info.frame_count == 60
    assert info.duration == pytest.approx(60 * 1001 / 30000, abs=0.01)
    assert info.start_time == pytest.approx(0.0, abs=0.001)
    assert info.codec_name == "h264"
    assert info.pix_fmt == "yuv420p"
    assert info.rotation == 0
    assert info.has_audio
    (audio,) = info.audio
    assert audio.codec_name == "aac"
    assert audio.sample_rate == 44100
    assert audio.channels == 1
    assert audio.duration == pytest.approx(2.0, abs=0.05)
    assert audio.index != info.stream_index
    with pytest.raises(AttributeError):
        info.width = 1  # frozen


def test_no_audio(odd_clip):
    info = probe(odd_clip)
    assert (info.width, info.height) == (101, 77)
    assert not info.has_audio and info.audio == ()


def test_frame_count_without_nb_frames(make_clip):
    # Matroska stores no frame count: probe counts packets instead.
    clip = make_clip(64, 48, Fraction(24000, 1001), 37, "clip.mkv", codec="ffv1")
    info = probe(clip)
    assert info.frame_count == 37
    assert info.fps == Fraction(24000, 1001)
    assert info.duration == pytest.approx(37 * 1001 / 24000, abs=0.01)


def test_color_tags(make_clip):
    clip = make_clip(64, 48, 25, 3, extra=["-color_primaries", "bt709", "-color_trc", "bt709",
                                           "-colorspace", "bt709", "-color_range", "tv"])
    info = probe(clip)
    assert (info.color_range, info.color_space, info.color_transfer, info.color_primaries) == (
        "tv", "bt709", "bt709", "bt709")


def test_untagged_colors_are_none(odd_clip):
    info = probe(odd_clip)
    assert info.color_space is None and info.color_primaries is None


def test_rotation(make_clip):
    info = probe(make_clip(64, 48, 25, 3, rotate=90))
    assert info.rotation in (90, 270)  # ffmpeg versions disagree on the tag's direction
    assert (info.width, info.height) == (64, 48)
    assert info.display_size == (48, 64)


def _assert_one_line_error(path, expected):
    with pytest.raises(UserInputError) as err:
        probe(path)
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(str(path) + ": ")
    assert expected in message
    return message


def test_missing_file(tmp_path):
    path = tmp_path / "nope.mp4"
    assert _assert_one_line_error(path, "") == f"{path}: no such file"


def test_empty_file(tmp_path):
    path = tmp_path / "empty.mp4"
    path.touch()
    assert _assert_one_line_error(path, "") == f"{path}: file is empty"


def test_text_file(tmp_path):
    path = tmp_path / "notes.mp4"
    path.write_text("these are not the frames you are looking for\n" * 20)
    message = _assert_one_line_error(path, "not a video file (ffprobe: ")
    assert message.endswith(")")


def test_directory(tmp_path):
    _assert_one_line_error(tmp_path, "folder")


def test_audio_only(tmp_path):
    path = tmp_path / "tone.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=duration=0.2", str(path)],
                   check=True)
    message = _assert_one_line_error(path, "not a video file")
    assert "no video stream" in message


def test_still_image(tmp_path):
    path = tmp_path / "still.png"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=red:size=32x32",
                    "-frames:v", "1", str(path)], check=True)
    _assert_one_line_error(path, "not a video file")
