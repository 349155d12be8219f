"""File names that ffmpeg would take for an option or a protocol are still just files."""
from __future__ import annotations

import shutil
from fractions import Fraction
from pathlib import Path

from clips import frame_index, write_clip

from vfi_plugin.media import (AudioPlan, FrameWriter, ensure_proxy, probe, read_frames,
                              thumbnails)


def test_dash_names_work_in_every_tool(tmp_path, monkeypatch):
    write_clip(tmp_path / "-x.mp4", 64, 48, Fraction(25), 8, audio=True)
    monkeypatch.chdir(tmp_path)
    src = Path("-x.mp4")  # relative: ffmpeg/ffprobe see "-x.mp4" unless it is a file: URL
    info = probe(src)
    assert info.frame_count == 8 and info.audio

    with read_frames(src, 2, 5, info=info) as reader:  # decode, with a seek
        frames = list(reader)
    assert [frame_index(f) for f in frames] == [2, 3, 4]

    proxy = ensure_proxy(src, 1, 7, height=48, cache_dir=Path("-cache"))
    assert proxy.parent == Path("-cache") and probe(proxy).frame_count == 6
    assert [frame_index(f) for f in thumbnails(src, 2, 48, info=info)] == [0, 4]

    audio = AudioPlan.for_frames(src, info.audio[0].index, info.fps, 2, 5, tempo=0.5)
    with FrameWriter(Path("-y.mkv"), 64, 48, info.fps, "ffv1", audio=audio) as writer:
        for frame in frames:  # encode, with the source's audio slowed down
            writer.write(frame)
    out = probe(Path("-y.mkv"))
    assert out.frame_count == 3 and out.audio
    with read_frames(Path("-y.mkv"), info=out) as reader:
        assert [frame_index(f) for f in reader] == [2, 3, 4]

    with FrameWriter(Path("-seq"), 64, 48, info.fps, "png") as writer:
        writer.write(frames[0])
    assert [p.name for p in Path("-seq").iterdir()] == ["frame_000001.png"]


def test_protocol_like_names_are_files(tmp_path, monkeypatch):
    clip = write_clip(tmp_path / "clip.mp4", 32, 24, Fraction(25), 3)
    shutil.copy(clip, tmp_path / "concat:clip.mp4")  # would read clip.mp4 via the concat protocol
    (tmp_path / "clip.mp4").unlink()
    monkeypatch.chdir(tmp_path)
    src = Path("concat:clip.mp4")
    assert probe(src).frame_count == 3
    with read_frames(src) as reader:
        assert [frame_index(f) for f in reader] == [0, 1, 2]
