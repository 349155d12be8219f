"""Render jobs end to end: real ffmpeg, real files, the shipped model on tiny frames."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from clips import frame_index, write_clip
from vfi_plugin import CancelToken, load_interpolator, render
from vfi_plugin.errors import Cancelled, UserInputError
from vfi_plugin.jobs import RenderRequest, plan_render
from vfi_plugin.media import probe, read_frames

FPS = Fraction(25)


@pytest.fixture(scope="module")
def interp():
    return load_interpolator(device="cpu")


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    """64x48, 25 fps, 20 frames carrying their index, with audio."""
    return write_clip(tmp_path_factory.mktemp("src") / "clip.mp4", 64, 48, FPS, 20, audio=True)


def files_in(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


@pytest.mark.parametrize("factor", [2, 3, 4, 8])
@pytest.mark.parametrize("mode", ["slowmo", "smooth"])
def test_frame_counts_and_timestamps(tmp_path, clip, interp, factor, mode):
    out = tmp_path / "out.mkv"
    result = render(clip, out, factor=factor, start="2f", end="8f", mode=mode, codec="ffv1",
                    interpolator=interp)
    n = 6
    expected = (n - 1) * factor + 1 if mode == "slowmo" else n * factor
    expected_fps = FPS if mode == "slowmo" else FPS * factor
    info = probe(out)
    assert result.frames == expected == info.frame_count
    assert info.fps == expected_fps
    assert info.duration == pytest.approx(expected / expected_fps, abs=1.5 / float(expected_fps))
    decoded = list(read_frames(out))
    assert len(decoded) == expected
    # source frames sit at every F-th output frame, untouched, from the range start on
    for k in range(n):
        assert frame_index(decoded[k * factor]) == 2 + k


def test_range_first_and_last_frames(tmp_path, clip, interp):
    out = tmp_path / "out.mp4"
    render(clip, out, factor=4, start=0.2, end="00:00:00.600", interpolator=interp)
    frames = list(read_frames(out))
    assert len(frames) == (15 - 5 - 1) * 4 + 1
    assert frame_index(frames[0]) == 5 and frame_index(frames[-1]) == 14


@pytest.mark.parametrize("codec,name", [("h264", "o.mp4"), ("h265", "o.mp4"), ("prores", "o.mov"),
                                        ("ffv1", "o.mkv"), ("png", "seq"), ("dnxhr", "o.mov")])
def test_every_codec(tmp_path, interp, codec, name):
    size = (256, 128) if codec == "dnxhr" else (64, 48)
    src = write_clip(tmp_path / "src.mp4", *size, FPS, 4)
    out = tmp_path / name
    result = render(src, out, factor=2, codec=codec, interpolator=interp)
    assert result.frames == 7
    if codec == "png":
        assert sorted(p.name for p in out.iterdir()) == [f"frame_{i:06d}.png" for i in range(1, 8)]
    else:
        info = probe(out)
        assert info.frame_count == 7 and info.fps == FPS
        assert info.codec_name == {"h264": "h264", "h265": "hevc", "prores": "prores",
                                   "ffv1": "ffv1", "dnxhr": "dnxhd"}[codec]
    assert files_in(tmp_path) == {"src.mp4", name}


def test_audio_drop_stretch_and_copy(tmp_path, clip, interp):
    dropped = render(clip, tmp_path / "drop.mp4", factor=2, interpolator=interp)
    assert not probe(dropped.output).audio
    stretched = render(clip, tmp_path / "stretch.mp4", factor=4, audio="stretch", interpolator=interp)
    info = probe(stretched.output)
    assert info.audio and info.audio[0].duration == pytest.approx(stretched.duration_s, abs=0.1)
    smooth = render(clip, tmp_path / "smooth.mp4", factor=2, mode="smooth", interpolator=interp)
    info = probe(smooth.output)
    assert info.audio and info.audio[0].duration == pytest.approx(20 / 25, abs=0.1)


def test_odd_size(tmp_path, interp):
    src = write_clip(tmp_path / "odd.mkv", 101, 77, FPS, 5, codec="ffv1")
    out = tmp_path / "odd_out.mkv"
    render(src, out, factor=2, interpolator=interp)
    info = probe(out)
    assert (info.width, info.height) == (101, 77) and info.frame_count == 9


def test_cancel_leaves_nothing(tmp_path, interp):
    src = write_clip(tmp_path / "long.mp4", 64, 48, FPS, 60)
    token = CancelToken()
    seen = []

    def progress(p):
        seen.append(p.done)
        if p.done >= 5:
            token.cancel()

    with pytest.raises(Cancelled):
        render(src, tmp_path / "out.mp4", factor=8, progress=progress, cancel=token,
               interpolator=interp)
    assert max(seen) < 60 * 8
    assert files_in(tmp_path) == {"long.mp4"}


def test_failure_midway_leaves_nothing_and_keeps_old_output(tmp_path, clip, interp):
    out = tmp_path / "out.mp4"
    out.write_bytes(b"precious")

    class Boom(RuntimeError):
        pass

    def progress(p):
        if p.done >= 3:
            raise Boom()

    with pytest.raises(Boom):
        render(clip, out, factor=2, overwrite=True, progress=progress, interpolator=interp)
    assert out.read_bytes() == b"precious"
    assert files_in(tmp_path) == {"out.mp4"}


def test_overwrite_replaces_only_when_asked(tmp_path, clip, interp):
    out = tmp_path / "out.mp4"
    out.write_bytes(b"old")
    with pytest.raises(UserInputError, match="already exists"):
        render(clip, out, factor=2, interpolator=interp)
    render(clip, out, factor=2, overwrite=True, end="4f", interpolator=interp)
    assert probe(out).frame_count == 7


def test_source_is_never_written(tmp_path, clip, interp):
    before = clip.read_bytes()
    with pytest.raises(UserInputError, match="must not be the input"):
        render(clip, clip, factor=2, overwrite=True, interpolator=interp)
    assert clip.read_bytes() == before


def test_plan_reports_output_facts(clip):
    plan = plan_render(RenderRequest(clip, clip.with_name("x.mp4"), "2.5", "1f", "11f"))
    assert plan.source_frames == 10
    assert plan.output_frames == 23  # floor(9 * 2.5) + 1
    assert plan.output_fps == FPS
    assert plan.retime.max_timing_error <= Fraction(1, 32)


def test_progress_reports_fps_and_eta(tmp_path, clip, interp):
    reports = []
    render(clip, tmp_path / "o.mp4", factor=2, progress=reports.append, interpolator=interp)
    assert reports[0].stage == "preparing" and reports[-1].stage == "done"
    assert reports[-1].done == reports[-1].total == 39
    # on a fast machine all 39 frames may land inside one 0.2 s reporting interval, so the
    # speed and ETA are checked on the reports that carry frames (rendering or finishing)
    timed = [r for r in reports if r.stage in ("rendering", "finishing")]
    assert timed and all(r.fps > 0 and r.eta_s is not None for r in timed)
    assert all(a.done <= b.done for a, b in zip(reports, reports[1:]))


def test_one_frame_clip_is_refused_with_a_clear_message(tmp_path):
    src = write_clip(tmp_path / "one.mp4", 64, 48, FPS, 1)
    with pytest.raises(UserInputError) as err:
        plan_render(RenderRequest(src, tmp_path / "o.mp4"))
    assert str(err.value) == f"{src}: the clip has only 1 frame; slow motion needs at least 2"


def test_short_range_message_names_both_ends(clip):
    with pytest.raises(UserInputError) as err:
        plan_render(RenderRequest(clip, clip.with_name("o.mp4"), 2, "0.3", "0.2"))
    assert str(err.value) == (f"{clip}: the range 0.3 (frame 8) to 0.2 (frame 5) must hold at "
                              f"least 2 frames (start must come before end)")
    with pytest.raises(UserInputError, match=r"19f \(frame 19\) to the clip's end \(frame 20\)"):
        plan_render(RenderRequest(clip, clip.with_name("o.mp4"), 2, "19f", 99))


def test_end_past_the_clip_is_clamped_with_a_notice(tmp_path, clip, interp):
    expected = (f"{clip}: end 99 is past the clip's end (20 frames, 0.800 s): "
                f"clamped to the clip's end")
    plan = plan_render(RenderRequest(clip, tmp_path / "o.mp4", 2, "16f", 99))
    assert plan.end_frame == 20 and plan.notices == (expected,)
    assert plan_render(RenderRequest(clip, tmp_path / "o.mp4", 2, "16f", "20f")).notices == ()
    with pytest.warns(UserWarning) as warned:  # the API's default channel for notices
        result = render(clip, tmp_path / "o.mkv", factor=2, start="16f", end=99,
                        interpolator=interp)
    assert [str(w.message) for w in warned] == [expected]
    assert result.frames == 7 and result.notices == (expected,)
    assert frame_index(list(read_frames(result.output))[-1]) == 19


def test_extension_that_contradicts_the_codec_is_refused(tmp_path, clip, interp):
    for name, codec in [("x.mp4", "png"), ("x.mp4", "ffv1"), ("x.mkv", "prores"), ("x", "h264")]:
        with pytest.raises(UserInputError, match="does not fit codec"):
            render(clip, tmp_path / name, factor=2, codec=codec, interpolator=interp)
    assert files_in(tmp_path) == set()


def test_codec_in_another_container_follows_the_extension(tmp_path, clip, interp):
    out = tmp_path / "o.mkv"
    render(clip, out, factor=2, end="3f", codec="h264", interpolator=interp)
    with open(out, "rb") as f:
        assert f.read(4) == b"\x1a\x45\xdf\xa3"  # EBML: Matroska, not MP4
    info = probe(out)
    assert info.codec_name == "h264" and info.frame_count == 5
    assert files_in(tmp_path) == {"o.mkv"}


def test_trailing_separator_means_a_png_folder(tmp_path, clip, interp):
    result = render(clip, f"{tmp_path / 'frames.v2'}/", factor=2, end="2f", interpolator=interp)
    assert result.frames == 3
    assert sorted(p.name for p in (tmp_path / "frames.v2").iterdir()) == [
        f"frame_{i:06d}.png" for i in (1, 2, 3)]
    assert files_in(tmp_path) == {"frames.v2"}


def test_second_render_to_the_same_output_is_refused_while_the_first_runs(tmp_path, clip, interp):
    out = tmp_path / "o.mp4"
    writing, go_on = threading.Event(), threading.Event()
    results: list = []

    def progress(p):
        if p.done >= 2:
            writing.set()
            go_on.wait(60)

    first = threading.Thread(target=lambda: results.append(
        render(clip, out, factor=2, end="6f", progress=progress, interpolator=interp)))
    first.start()
    try:
        assert writing.wait(120)
        lock = tmp_path / ".o.mp4.slowmo-lock"
        assert lock.read_text().strip() == str(os.getpid())
        for overwrite in (False, True):  # without the lock, both would report success
            with pytest.raises(UserInputError) as err:
                render(clip, out, factor=2, end="4f", overwrite=overwrite, interpolator=interp)
            assert str(err.value) == (
                f"{out}: another render (process {os.getpid()}) is writing this output; wait "
                f"for it to finish or choose another output (lock file .o.mp4.slowmo-lock)")
    finally:
        go_on.set()
        first.join(120)
    assert results and results[0].frames == 11
    assert probe(out).frame_count == 11  # the first render's result is what is there
    assert files_in(tmp_path) == {"o.mp4"}  # lock and partial file removed


LOCK_HOLDER = """
import sys, time
from pathlib import Path
from vfi_plugin.jobs import OutputLock
OutputLock(Path(sys.argv[1])).acquire()
print("locked", flush=True)
time.sleep(120)
"""


def test_lock_of_a_dead_render_is_taken_over(tmp_path, clip, interp):
    out = tmp_path / "o.mp4"
    holder = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(out)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(UserInputError, match=f"another render \\(process {holder.pid}\\)"):
            render(clip, out, factor=2, end="3f", interpolator=interp)
    finally:
        holder.kill()  # dies holding the lock: its file stays, with its pid, unlocked
        holder.wait()
        holder.stdout.close()
    lock = tmp_path / ".o.mp4.slowmo-lock"
    assert lock.read_text().strip() == str(holder.pid)
    render(clip, out, factor=2, end="3f", interpolator=interp)
    assert probe(out).frame_count == 5
    assert files_in(tmp_path) == {"o.mp4"}


def test_dash_named_files_render(tmp_path, clip, interp, monkeypatch):
    shutil.copy(clip, tmp_path / "-x.mp4")
    monkeypatch.chdir(tmp_path)
    result = render("-x.mp4", "-y.mp4", factor=2, end="3f", audio="stretch", interpolator=interp)
    info = probe(Path("-y.mp4"))
    assert result.frames == info.frame_count == 5 and info.audio
    assert files_in(tmp_path) == {"-x.mp4", "-y.mp4"}


@pytest.mark.parametrize("old_kind", ["folder", "file"])
def test_replacing_an_output_never_leaves_a_gap_or_fails_on_its_kind(tmp_path, monkeypatch,
                                                                     old_kind):
    """A finished folder of frames replaces an old folder or file: the old one is renamed
    aside and removed only once the new one is in place; when that fails, it is back."""
    from vfi_plugin import jobs

    out = tmp_path / "frames"
    if old_kind == "folder":
        out.mkdir()
        (out / "frame_000001.png").write_bytes(b"old")
    else:
        out.write_bytes(b"old")
    new = tmp_path / ".frames.tmp"
    new.mkdir()
    (new / "frame_000001.png").write_bytes(b"new")
    real_replace = os.replace

    def failing(src, dst):
        if Path(src) == new:
            raise OSError("disk full")
        return real_replace(src, dst)

    monkeypatch.setattr(jobs.os, "replace", failing)
    with pytest.raises(OSError):
        jobs.install_output(new, out)
    assert (out / "frame_000001.png").read_bytes() == b"old" if old_kind == "folder" \
        else out.read_bytes() == b"old"
    monkeypatch.setattr(jobs.os, "replace", real_replace)
    jobs.install_output(new, out)
    assert (out / "frame_000001.png").read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["frames"]  # nothing aside is left
