from __future__ import annotations

import math
from fractions import Fraction

import pytest
from clips import index_frame

from vfi_plugin.media import AudioPlan, FrameWriter, atempo_chain, probe

NTSC = Fraction(30000, 1001)


@pytest.mark.parametrize("tempo, chain", [
    (1.0, []),
    (0.5, [0.5]),
    (0.25, [0.5, 0.5]),
    (0.125, [0.5, 0.5, 0.5]),
    (1 / 3, [0.5, 2 / 3]),
    (0.1, [0.5, 0.5, 0.5, 0.8]),
    (0.75, [0.75]),
    (2.0, [2.0]),
    (5.0, [2.0, 2.0, 1.25]),
])
def test_atempo_chain(tempo, chain):
    got = atempo_chain(tempo)
    assert got == pytest.approx(chain)
    assert all(0.5 <= f <= 2.0 for f in got)
    assert math.prod(got) == pytest.approx(tempo)


@pytest.mark.parametrize("tempo", [0, -1.0])
def test_atempo_chain_rejects(tempo):
    with pytest.raises(ValueError):
        atempo_chain(tempo)


def test_plan_for_frames(h264_clip):
    plan = AudioPlan.for_frames(h264_clip, 1, NTSC, 30, 60, tempo=0.25)
    assert plan.start == pytest.approx(30 * 1001 / 30000)
    assert plan.duration == pytest.approx(30 * 1001 / 30000)
    assert plan.output_duration == pytest.approx(4 * 30 * 1001 / 30000)


@pytest.mark.parametrize("codec, audio_codec", [("h264", "aac"), ("prores", "pcm_s16le"),
                                                ("ffv1", "flac")])
def test_slowed_audio_matches_video(tmp_path, h264_clip, codec, audio_codec):
    # frames 15..45 of the source, 4x slower: 120 output frames at the same fps
    source = probe(h264_clip)
    plan = AudioPlan.for_frames(h264_clip, source.audio[0].index, source.fps, 15, 45, tempo=0.25)
    path = tmp_path / ("out" + {"h264": ".mp4", "prores": ".mov", "ffv1": ".mkv"}[codec])
    with FrameWriter(path, 64, 48, source.fps, codec, audio=plan) as writer:
        for i in range(120):
            writer.write(index_frame(i, 64, 48))
    info = probe(path)
    video_duration = 120 / source.fps
    assert info.frame_count == 120
    (audio,) = info.audio
    assert audio.codec_name == audio_codec
    assert audio.duration == pytest.approx(float(video_duration), abs=0.03)


def test_same_speed_audio(tmp_path, h264_clip):
    source = probe(h264_clip)
    plan = AudioPlan.for_frames(h264_clip, source.audio[0].index, source.fps, 0, 30)
    path = tmp_path / "o.mp4"
    with FrameWriter(path, 64, 48, source.fps, audio=plan) as writer:
        for i in range(30):
            writer.write(index_frame(i, 64, 48))
    assert probe(path).audio[0].duration == pytest.approx(30 * 1001 / 30000, abs=0.03)


def test_audio_longer_than_source_is_padded(tmp_path, h264_clip):
    source = probe(h264_clip)  # 2 s of audio
    plan = AudioPlan(h264_clip, source.audio[0].index, start=1.5, duration=1.0, tempo=0.5)
    path = tmp_path / "o.mkv"
    with FrameWriter(path, 64, 48, Fraction(30), "ffv1", audio=plan) as writer:
        for i in range(60):
            writer.write(index_frame(i, 64, 48))
    assert probe(path).audio[0].duration == pytest.approx(2.0, abs=0.03)


def test_png_has_no_audio(tmp_path, h264_clip):
    plan = AudioPlan(h264_clip, 1, 0.0, 0.5, 0.5)
    folder = tmp_path / "frames"
    with FrameWriter(folder, 16, 16, NTSC, "png", audio=plan) as writer:
        writer.write(index_frame(0, 16, 16))
    assert [p.name for p in folder.iterdir()] == ["frame_000001.png"]


def test_bad_plan(h264_clip):
    with pytest.raises(ValueError):
        AudioPlan(h264_clip, 1, 0.0, 0.0)
