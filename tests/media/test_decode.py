from __future__ import annotations

import subprocess
from fractions import Fraction

import numpy as np
import pytest
from clips import fake_tool, frame_index, rgb_patches

from vfi_plugin.errors import MediaError, UserInputError
from vfi_plugin.media import probe, read_frames


def indices(path, start, end, **kw):
    with read_frames(path, start, end, **kw) as reader:
        return [frame_index(frame) for frame in reader]


def test_whole_clip(h264_clip):
    with read_frames(h264_clip) as reader:
        frames = list(reader)
    assert reader.frames_read == 60
    assert [frame_index(f) for f in frames] == list(range(60))
    frame = frames[0]
    assert frame.shape == (48, 64, 3) and frame.dtype == np.uint8
    assert frame.flags.c_contiguous


@pytest.mark.parametrize("start, end", [(0, 1), (1, 4), (7, 13), (10, 11), (19, 20), (23, 41),
                                        (44, 45)])
def test_ranges_are_frame_exact(odd_clip, start, end):
    # 101x77 at 29.97 fps, keyframe every 10 frames, B-frames
    info = probe(odd_clip)
    assert indices(odd_clip, start, end, info=info) == list(range(start, end))


def test_every_start_frame(h264_clip):
    info = probe(h264_clip)
    for start in range(0, 60, 3):
        assert indices(h264_clip, start, start + 2, info=info) == [start, start + 1], start


@pytest.mark.parametrize("name, codec, fps", [
    ("clip.mkv", "ffv1", Fraction(24000, 1001)),
    ("clip.ts", "x264", Fraction(25)),  # MPEG-TS: non-zero start time, seeks by DTS
    ("clip.mov", "x264", Fraction(60)),
])
def test_ranges_other_containers(make_clip, name, codec, fps):
    clip = make_clip(80, 60, fps, 40, name, codec=codec)
    info = probe(clip)
    assert info.frame_count == 40
    for start in (0, 3, 17, 29, 38):
        assert indices(clip, start, start + 2, info=info) == [start, start + 1], start


def test_end_none_reads_to_the_end(odd_clip):
    assert indices(odd_clip, 40, None) == [40, 41, 42, 43, 44]


def test_fewer_frames_than_asked(odd_clip):
    with read_frames(odd_clip, 42, 60) as reader:
        got = [frame_index(f) for f in reader]
    assert got == [42, 43, 44]
    assert reader.frames_read == 3


def test_size(h264_clip):
    with read_frames(h264_clip, 5, 8, size=(32, 24)) as reader:
        frames = list(reader)
    assert (reader.width, reader.height) == (32, 24)
    assert [f.shape for f in frames] == [(24, 32, 3)] * 3
    assert [frame_index(f) for f in frames] == [5, 6, 7]


def test_rotation_is_applied(make_clip, tmp_path):
    clip = make_clip(64, 48, 25, 5, rotate=90)
    info = probe(clip)
    raw = tmp_path / "raw.rgb"
    subprocess.run(["ffmpeg", "-v", "error", "-noautorotate", "-i", str(clip), "-frames:v", "1",
                    "-f", "rawvideo", "-pix_fmt", "rgb24", str(raw)], check=True)
    unrotated = np.fromfile(raw, np.uint8).reshape(48, 64, 3).astype(int)
    with read_frames(clip, 0, 1, info=info) as reader:
        frame = next(reader).astype(int)
    assert (reader.width, reader.height) == info.display_size == (48, 64)
    assert frame.shape == (64, 48, 3)
    # rotation is clockwise; np.rot90 turns counter-clockwise
    expected = np.rot90(unrotated, -info.rotation // 90)
    assert np.abs(frame - expected).mean() < 3


@pytest.mark.parametrize("matrix, tag", [("bt709", "bt709"), ("bt601", "smpte170m")])
def test_colors_decoded_with_source_matrix(tmp_path, matrix, tag):
    # RGB -> YUV 4:4:4 with a known matrix, tagged; decoding must invert exactly that matrix.
    clip = tmp_path / "c.mkv"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "64x48",
                    "-i", "pipe:", "-vf", f"scale=out_color_matrix={matrix}:out_range=tv",
                    "-colorspace", tag, "-color_range", "tv", "-c:v", "ffv1",
                    "-pix_fmt", "yuv444p", str(clip)],
                   input=rgb_patches(64, 48).tobytes(), check=True)
    assert probe(clip).color_space == tag
    with read_frames(clip, 0, 1) as reader:
        frame = next(reader).astype(int)
    assert np.abs(frame - rgb_patches(64, 48)).max() <= 3


def test_close_reaps_ffmpeg(h264_clip):
    reader = read_frames(h264_clip)
    next(reader)
    proc = reader._proc
    reader.close()
    assert proc.returncode is not None  # killed and waited for: no zombie
    reader.close()  # twice is fine
    assert list(reader) == []


def test_context_manager_stops_early(h264_clip):
    with read_frames(h264_clip) as reader:
        proc = reader._proc
        next(reader)
    assert proc.returncode is not None


def test_ffmpeg_failure_mid_stream(h264_clip, tmp_path, monkeypatch):
    info = probe(h264_clip)
    fake = fake_tool(tmp_path, "ffmpeg", "head -c 10000 /dev/zero\n"
                     "echo 'frame 1: decoder exploded' >&2\nexit 1")
    monkeypatch.setenv("VFI_SLOWMO_FFMPEG", str(fake))
    reader = read_frames(h264_clip, info=info)
    next(reader)  # 64*48*3 = 9216 bytes: one whole frame
    with pytest.raises(MediaError) as err:
        next(reader)
    assert str(err.value) == f"{h264_clip}: ffmpeg failed while decoding: frame 1: decoder exploded"


@pytest.mark.parametrize("start, end", [(-1, 5), (5, 5), (9, 3), (60, None)])
def test_bad_ranges(h264_clip, start, end):
    with pytest.raises(UserInputError, match=str(h264_clip)):
        read_frames(h264_clip, start, end)
