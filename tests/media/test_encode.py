from __future__ import annotations

import json
import subprocess
import time
from fractions import Fraction

import numpy as np
import pytest
from clips import fake_tool, frame_index, index_frame, rgb_patches

from vfi_plugin.errors import MediaError, UserInputError
from vfi_plugin.media import (CODECS, ColorTags, FrameWriter, codec_for_path, output_codec,
                              output_size, probe, read_frames)

NTSC = Fraction(30000, 1001)
BT709 = ColorTags("tv", "bt709", "bt709", "bt709")


def out_path(tmp_path, codec):
    return tmp_path / ("out" + CODECS[codec].extension)


def write(path, frames, width, height, fps=NTSC, codec="h264", **kw):
    with FrameWriter(path, width, height, fps, codec, **kw) as writer:
        for i in range(frames):
            writer.write(index_frame(i, width, height))
    assert writer.frames_written == frames
    return path


def test_codec_table():
    assert set(CODECS) == {"h264", "h265", "prores", "prores4444", "dnxhr", "ffv1", "png", "tiff",
                           "dpx", "exr"}
    for name, spec in CODECS.items():
        assert spec.name == name and spec.label and spec.format
    assert CODECS["h264"].extension == ".mp4" and CODECS["png"].is_sequence
    assert CODECS["tiff"].is_sequence and CODECS["tiff"].sequence_pattern.endswith(".tif")


@pytest.mark.parametrize("codec, size", [
    ("h264", (101, 77)), ("h265", (64, 48)), ("prores", (101, 77)), ("dnxhr", (256, 120)),
    ("ffv1", (101, 77)), ("prores4444", (64, 48)),
])
def test_round_trip(tmp_path, codec, size):
    width, height = size
    path = write(out_path(tmp_path, codec), 7, width, height, codec=codec)
    info = probe(path)
    assert info.frame_count == 7
    assert info.fps == NTSC
    assert (info.width, info.height) == output_size(codec, width, height)
    with read_frames(path, info=info) as reader:
        assert [frame_index(f) for f in reader] == list(range(7))


def test_odd_size_padded_for_420(tmp_path):
    assert output_size("h264", 101, 77) == (102, 78)
    assert output_size("prores", 101, 77) == (101, 77)
    assert output_size("ffv1", 101, 77) == (101, 77)
    info = probe(write(tmp_path / "o.mp4", 2, 101, 77))
    assert (info.width, info.height) == (102, 78)


def test_ffv1_is_lossless(tmp_path):
    frames = [rgb_patches(33, 21), index_frame(5, 33, 21)]
    path = tmp_path / "o.mkv"
    with FrameWriter(path, 33, 21, Fraction(25), "ffv1") as writer:
        for frame in frames:
            writer.write(frame)
    with read_frames(path) as reader:
        got = list(reader)
    assert all(np.array_equal(a, b) for a, b in zip(got, frames)) and len(got) == 2


def test_png_sequence(tmp_path):
    folder = tmp_path / "frames"
    write(folder, 5, 30, 20, codec="png")
    names = sorted(p.name for p in folder.iterdir())
    assert names == [f"frame_{i:06d}.png" for i in range(1, 6)]
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(folder / "frame_000003.png"),
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:"],
                         capture_output=True, check=True).stdout
    frame = np.frombuffer(raw, np.uint8).reshape(20, 30, 3)
    assert np.array_equal(frame, index_frame(2, 30, 20))


def test_png_refuses_non_empty_folder(tmp_path):
    (tmp_path / "x.txt").write_text("x")
    with pytest.raises(UserInputError, match="not empty"):
        FrameWriter(tmp_path, 8, 8, Fraction(25), "png")


@pytest.mark.parametrize("codec", ["h264", "h265", "prores", "dnxhr", "ffv1"])
def test_color_tags_kept(tmp_path, codec):
    size = (256, 120) if codec == "dnxhr" else (64, 48)
    info = probe(write(out_path(tmp_path, codec), 2, *size, codec=codec, color=BT709))
    assert (info.color_transfer, info.color_primaries) == ("bt709", "bt709")
    if codec == "ffv1":  # stored as RGB
        assert info.color_space == "gbr"
    else:
        assert (info.color_range, info.color_space) == ("tv", "bt709")


def test_untagged_sd_is_tagged_bt601(tmp_path):
    info = probe(write(tmp_path / "o.mp4", 2, 64, 48))
    assert info.color_space == "smpte170m"  # the matrix actually used, so players agree


@pytest.mark.parametrize("tags", [BT709, ColorTags("tv", "smpte170m", None, None)])
def test_rgb_to_yuv_uses_the_tagged_matrix(tmp_path, tags):
    path = tmp_path / "o.mov"
    with FrameWriter(path, 64, 48, Fraction(25), "prores", color=tags) as writer:
        writer.write(rgb_patches(64, 48))
    assert probe(path).color_space == tags.color_space
    # decode independently of our reader, inverting the tagged matrix explicitly
    matrix = "bt709" if tags.color_space == "bt709" else "bt601"
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-vf",
                          f"scale=in_color_matrix={matrix}:in_range=tv,format=rgb24",
                          "-f", "rawvideo", "pipe:"], capture_output=True, check=True).stdout
    frame = np.frombuffer(raw, np.uint8).reshape(48, 64, 3).astype(int)
    assert np.abs(frame[4:-4, 4:-4] - rgb_patches(64, 48)[4:-4, 4:-4]).max() <= 6


def test_abort_leaves_nothing(tmp_path):
    path = tmp_path / "o.mp4"
    writer = FrameWriter(path, 64, 48, Fraction(25))
    for i in range(3):
        writer.write(index_frame(i, 64, 48))
    proc = writer._proc
    writer.abort()
    assert proc.returncode is not None
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []


def test_abort_png_removes_folder(tmp_path):
    folder = tmp_path / "frames"
    writer = FrameWriter(folder, 16, 16, Fraction(25), "png")
    writer.write(index_frame(1, 16, 16))
    writer.abort()
    assert not folder.exists()


def test_exception_in_with_block_aborts(tmp_path):
    path = tmp_path / "o.mkv"
    with pytest.raises(RuntimeError):
        with FrameWriter(path, 16, 16, Fraction(25), "ffv1") as writer:
            writer.write(index_frame(1, 16, 16))
            raise RuntimeError("stop")
    assert not path.exists()


def test_write_after_ffmpeg_died(tmp_path, monkeypatch):
    fake = fake_tool(tmp_path, "ffmpeg", "echo 'Encoder exploded' >&2\nexit 1")
    monkeypatch.setenv("VFI_SLOWMO_FFMPEG", str(fake))
    path = tmp_path / "o.mp4"
    writer = FrameWriter(path, 160, 120, Fraction(25))
    started = time.monotonic()
    with pytest.raises(MediaError) as err:
        for _ in range(20):  # more than a pipe buffer
            writer.write(index_frame(0, 160, 120))
        writer.close()
    assert time.monotonic() - started < 10
    assert str(err.value).startswith(f"{path}: ")
    assert str(err.value).endswith("Encoder exploded")


def test_close_reports_ffmpeg_error(tmp_path):
    # a frame rate the encoder cannot represent makes ffmpeg fail at start-up
    path = tmp_path / "o.mp4"
    writer = FrameWriter(path, 16, 16, Fraction(1, 1_000_000))
    writer.write(index_frame(0, 16, 16))
    with pytest.raises(MediaError, match=str(path)):
        writer.close()
    assert not path.exists()


def test_wrong_frame_shape(tmp_path):
    with FrameWriter(tmp_path / "o.mkv", 16, 16, Fraction(25), "ffv1") as writer:
        with pytest.raises(ValueError):
            writer.write(np.zeros((16, 17, 3), np.uint8))
        with pytest.raises(ValueError):
            writer.write(np.zeros((16, 16, 3), np.float32))
        writer.write(np.zeros((16, 16, 3), np.uint8))


def test_dnxhr_minimum_size(tmp_path):
    with pytest.raises(UserInputError, match="256x120"):
        FrameWriter(tmp_path / "o.mov", 160, 120, Fraction(25), "dnxhr")


def test_unknown_codec(tmp_path):
    with pytest.raises(UserInputError, match="unknown codec 'avi'"):
        FrameWriter(tmp_path / "o.avi", 16, 16, Fraction(25), "avi")


def test_any_temp_name_works(tmp_path):
    path = tmp_path / "partial.tmp"
    write(path, 3, 32, 24, codec="h264")
    assert probe(path).frame_count == 3


@pytest.mark.parametrize("name, codec", [
    ("a.mp4", "h264"), ("A.MP4", "h264"), ("a.m4v", "h264"), ("a.mov", "prores"),
    ("a.mkv", "ffv1"), ("frames", "png"),
])
def test_codec_for_path(tmp_path, name, codec):
    assert codec_for_path(tmp_path / name) == codec


def test_codec_for_existing_folder(tmp_path):
    folder = tmp_path / "out.d"
    folder.mkdir()
    assert codec_for_path(folder) == "png"


def test_codec_for_unknown_extension(tmp_path):
    with pytest.raises(UserInputError) as err:
        codec_for_path(tmp_path / "a.avi")
    assert str(err.value).startswith(f"{tmp_path / 'a.avi'}: unknown output type '.avi'")


def test_codec_for_path_with_trailing_separator(tmp_path):
    assert codec_for_path(f"{tmp_path / 'frames.v2'}/") == "png"
    assert output_codec(f"{tmp_path / 'frames'}/") == "png"


def container_of(path) -> str:
    """'matroska', or the MP4/MOV major brand ('isom' for the mp4 muxer, 'qt' for mov)."""
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries",
                          "format=format_name:format_tags=major_brand", "-of", "json",
                          f"file:{path}"], capture_output=True, check=True, text=True).stdout
    fmt = json.loads(out)["format"]
    if fmt["format_name"].startswith("matroska"):
        return "matroska"
    return fmt.get("tags", {}).get("major_brand", "?").strip()


@pytest.mark.parametrize("codec, name, container", [
    ("h264", "o.mkv", "matroska"), ("h264", "o.mov", "qt"), ("h264", "o.m4v", "isom"),
    ("h264", "o.mp4", "isom"), ("h265", "o.mkv", "matroska"), ("ffv1", "o.mkv", "matroska"),
    ("prores", "o.mov", "qt"),
])
def test_muxer_follows_the_extension(tmp_path, codec, name, container):
    path = write(tmp_path / name, 3, 32, 24, codec=codec)
    assert container_of(path) == container
    info = probe(path)
    assert info.frame_count == 3 and info.codec_name == {"h265": "hevc"}.get(codec, codec)


@pytest.mark.parametrize("name, codec, message", [
    ("o.mkv", "prores", "the extension .mkv does not fit codec prores, which writes .mov"),
    ("o.mp4", "ffv1", "the extension .mp4 does not fit codec ffv1, which writes .mkv"),
    ("o.mov", "ffv1", "the extension .mov does not fit codec ffv1, which writes .mkv"),
    ("o.avi", "h264", "the extension .avi does not fit codec h264, which writes .mp4, .m4v, "
                      ".mov or .mkv"),
    ("o", "h265", "a path without extension (a folder for PNG frames) does not fit codec h265, "
                  "which writes .mp4, .m4v, .mov or .mkv"),
    ("o.mp4", "png", "the extension .mp4 does not fit codec png, which writes a folder of PNG "
                     "frames (a path without a video extension)"),
    ("o.mp4/", None, "the extension .mp4 does not fit codec png, which writes a folder of PNG "
                     "frames (a path without a video extension)"),
    ("o.mp4/", "h264", "a folder path (it ends in a separator) does not fit codec h264, which "
                       "writes .mp4, .m4v, .mov or .mkv"),
])
def test_extension_that_contradicts_the_codec_is_refused(tmp_path, name, codec, message):
    path = f"{tmp_path}/{name}"
    with pytest.raises(UserInputError) as err:
        output_codec(path, codec)
    assert str(err.value) == f"{path}: {message}"
    # the writer refuses alike, writing nothing (a suffix naming no container, like .avi, is a
    # temporary name to it: that gets the codec's own container)
    if codec is not None and not name.endswith(("/", ".avi")):
        with pytest.raises(UserInputError, match="does not fit codec"):
            FrameWriter(path, 16, 16, Fraction(25), codec)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name, codec, chosen", [
    ("o.mkv", "h264", "h264"), ("o.MOV", "H265", "h265"), ("o.mov", None, "prores"),
    ("o.mkv", None, "ffv1"), ("o.mp4", None, "h264"), ("o", None, "png"), ("shot.v2", "png", "png"),
])
def test_codec_that_fits_the_extension(tmp_path, name, codec, chosen):
    assert output_codec(tmp_path / name, codec) == chosen


def test_png_folder_name_with_percent(tmp_path):
    folder = tmp_path / "100%_d"  # the image2 muxer would read %_d as a pattern
    write(folder, 3, 16, 16, codec="png")
    assert sorted(p.name for p in folder.iterdir()) == [f"frame_{i:06d}.png" for i in (1, 2, 3)]


def test_missing_ffmpeg_keeps_existing_file(tmp_path, monkeypatch):
    path = tmp_path / "o.mp4"
    path.write_bytes(b"keep me")
    monkeypatch.setenv("VFI_SLOWMO_FFMPEG", str(tmp_path / "no-ffmpeg"))
    with pytest.raises(UserInputError):
        FrameWriter(path, 16, 16, Fraction(25))
    assert path.read_bytes() == b"keep me"
    with pytest.raises(UserInputError):
        FrameWriter(tmp_path / "frames", 16, 16, Fraction(25), "png")
    assert not (tmp_path / "frames").exists()
