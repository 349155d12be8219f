"""Image sequences in and out (issue 11): shot.%04d.ext / shot.####.ext sources at a given
or assumed rate, DPX (10-bit), EXR (half float), TIFF and PNG sequences out."""
from __future__ import annotations

import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from clips import frame_index, index_frame
from vfi_plugin import load_interpolator, render
from vfi_plugin.errors import UserInputError
from vfi_plugin.jobs import RenderRequest, plan_render
from vfi_plugin.media import probe, read_frames

W, H, N, FIRST = 64, 48, 8, 1001


@pytest.fixture(scope="module")
def interp():
    return load_interpolator(device="cpu")


@pytest.fixture(scope="module")
def frames_dir(tmp_path_factory) -> Path:
    """shot.1001.png .. shot.1008.png carrying their index (clips.index_frame)."""
    folder = tmp_path_factory.mktemp("plate")
    data = b"".join(index_frame(i, W, H).tobytes() for i in range(N))
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s",
                    f"{W}x{H}", "-i", "pipe:", "-start_number", str(FIRST),
                    str(folder / "shot.%04d.png")], input=data, check=True, timeout=60)
    return folder


@pytest.mark.parametrize("name", ["shot.%04d.png", "shot.####.png"])
def test_sequence_is_probed_and_read_frame_exactly(frames_dir, name):
    info = probe(frames_dir / name, Fraction(25))
    assert info.frame_count == N and info.fps == 25 and info.sequence.start_number == FIRST
    with read_frames(info.path, 3, 7, info=info) as reader:
        assert [frame_index(f) for f in reader] == [3, 4, 5, 6]


def test_rate_is_assumed_with_a_notice(tmp_path, frames_dir):
    plan = plan_render(RenderRequest(frames_dir / "shot.####.png", tmp_path / "o.mp4"))
    assert plan.info.fps == 24 and any("24 fps assumed" in n for n in plan.notices)
    plan = plan_render(RenderRequest(frames_dir / "shot.####.png", tmp_path / "o.mp4", fps="25"))
    assert plan.info.fps == 25 and not any("assumed" in n for n in plan.notices)


@pytest.mark.parametrize("codec, pix_fmts", [
    ("dpx", ("rgb24",)), ("exr", ("gbrpf32le",)), ("tiff", ("rgb24",)), ("png", ("rgb24",))])
def test_sequence_to_sequence(tmp_path, frames_dir, interp, codec, pix_fmts):
    out = tmp_path / "out"
    render(frames_dir / "shot.####.png", out, factor=2, codec=codec, fps=25, interpolator=interp)
    files = sorted(out.iterdir())
    assert len(files) == 2 * N - 1 and files[0].name.startswith("frame_000001.")
    got = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=pix_fmt", "-of",
                          "csv=p=0", str(files[0])], capture_output=True, text=True).stdout
    assert got.strip() in pix_fmts
    back = probe(out / f"frame_%06d{files[0].suffix}", Fraction(50))
    with read_frames(back.path, info=back) as reader:
        idx = [frame_index(f) for f in reader]
    assert idx[::2] == list(range(N))  # source frames at the even positions, in order


def test_ten_bit_source_to_dpx_keeps_ten_bits(tmp_path, interp):
    src = tmp_path / "p.mov"
    ramp = (np.arange(W * 16) % 1024).astype(np.uint16).reshape(1, -1)[:, :W]
    frame = np.repeat(np.repeat((ramp << 6)[..., None], 3, 2), H, 0)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb48le", "-s",
                    f"{W}x{H}", "-i", "pipe:", "-c:v", "prores_ks", "-pix_fmt", "yuv422p10le",
                    str(src)], input=frame.tobytes() * 3, check=True, timeout=60)
    out = tmp_path / "dpx"
    render(src, out, factor=2, codec="dpx", interpolator=interp)
    first = sorted(out.iterdir())[0]
    got = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=pix_fmt", "-of",
                          "csv=p=0", str(first)], capture_output=True, text=True).stdout
    assert got.strip() == "gbrp10le"


def test_gaps_and_missing_frames_are_clear_errors(tmp_path, frames_dir):
    gap = tmp_path / "gap"
    gap.mkdir()
    for n in (1, 2, 4):
        (gap / f"a.{n:04d}.png").write_bytes((frames_dir / f"shot.{FIRST:04d}.png").read_bytes())
    with pytest.raises(UserInputError, match="frame 3 is missing"):
        probe(gap / "a.####.png")
    with pytest.raises(UserInputError, match="no files match"):
        probe(gap / "b.####.png")


def test_output_into_the_frames_folder_is_refused(frames_dir):
    with pytest.raises(UserInputError, match="folder of the input frames"):
        plan_render(RenderRequest(frames_dir / "shot.####.png", f"{frames_dir}/",
                                  overwrite=True))
