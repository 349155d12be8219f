"""The command line as a user runs it: a subprocess, exit codes, one-line errors."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import pytest

from clips import write_clip
from vfi_plugin.media import probe


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vfi_plugin", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    return write_clip(tmp_path_factory.mktemp("cli") / "in.mp4", 64, 48, Fraction(25), 12)


def test_render_from_the_command_line(tmp_path, clip):
    out = tmp_path / "out.mp4"
    res = run_cli(str(clip), "-o", str(out), "--factor", "4", "--start", "00:00:00.080",
                  "--end", "0.4", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert probe(out).frame_count == (10 - 2 - 1) * 4 + 1
    assert "frames" in res.stderr and "Traceback" not in res.stderr
    assert "wrote" in res.stdout


def one_line_error(res: subprocess.CompletedProcess) -> str:
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), res.stderr
    return lines[0]


@pytest.mark.parametrize("case", ["missing", "not_video", "empty", "bad_range", "bad_factor",
                                  "same_as_input", "unwritable", "bad_time", "usage"])
def test_bad_input_exits_2_with_one_line(tmp_path, clip, case):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    empty = tmp_path / "empty.mp4"
    empty.touch()
    unwritable = tmp_path / "locked"
    unwritable.mkdir()
    unwritable.chmod(0o555)
    locked_dir = unwritable if os.geteuid() != 0 else Path("/proc/1")
    args = {
        "missing": [str(tmp_path / "nope.mp4"), "-o", "o.mp4"],
        "not_video": [str(text), "-o", "o.mp4"],
        "empty": [str(empty), "-o", "o.mp4"],
        "bad_range": [str(clip), "-o", "o.mp4", "--start", "0.3", "--end", "0.2"],
        "bad_factor": [str(clip), "-o", "o.mp4", "--factor", "zero"],
        "same_as_input": [str(clip), "-o", str(clip), "--overwrite"],
        "unwritable": [str(clip), "-o", str(locked_dir / "o.mp4")],
        "bad_time": [str(clip), "-o", "o.mp4", "--start", "1:2:3:4:5"],
        "usage": [str(clip)],
    }[case]
    res = run_cli(*args, cwd=tmp_path)
    assert res.returncode == 2
    line = one_line_error(res)
    expected = {"missing": "nope.mp4", "not_video": "notes.txt", "empty": "empty.mp4",
                "bad_range": "in.mp4", "bad_factor": "factor", "same_as_input": "input",
                "unwritable": str(locked_dir), "bad_time": "1:2:3:4:5", "usage": "-o"}[case]
    assert expected in line
    assert not (tmp_path / "o.mp4").exists()


def test_interrupt_exits_130_and_cleans_up(tmp_path):
    src = write_clip(tmp_path / "long.mp4", 64, 48, Fraction(25), 200)
    proc = subprocess.Popen([sys.executable, "-m", "vfi_plugin", str(src), "-o", "out.mp4",
                             "--factor", "8"], cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    for line in proc.stderr:
        if "rendering:" in line or time.time() > deadline:
            break
    proc.send_signal(signal.SIGINT)
    rest = proc.communicate(timeout=60)[1]
    assert proc.returncode == 130, rest
    assert "Traceback" not in rest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.mp4"]


def test_codec_that_contradicts_the_extension_exits_2(tmp_path, clip):
    res = run_cli(str(clip), "-o", "x.mp4", "--codec", "ffv1", cwd=tmp_path)
    assert res.returncode == 2
    assert one_line_error(res) == ("error: x.mp4: the extension .mp4 does not fit codec ffv1, "
                                   "which writes .mkv")
    res = run_cli(str(clip), "-o", "x.mp4", "--codec", "png", cwd=tmp_path)
    assert res.returncode == 2 and "which writes a folder of PNG frames" in one_line_error(res)
    assert list(tmp_path.iterdir()) == []


def test_one_frame_clip_exits_2(tmp_path):
    src = write_clip(tmp_path / "one.mp4", 64, 48, Fraction(25), 1)
    res = run_cli(str(src), "-o", "o.mp4", cwd=tmp_path)
    assert res.returncode == 2
    assert one_line_error(res) == (f"error: {src}: the clip has only 1 frame; "
                                   f"slow motion needs at least 2")


def test_output_being_written_by_another_render_exits_2(tmp_path, clip):
    from vfi_plugin.jobs import OutputLock

    out = tmp_path / "o.mp4"
    with OutputLock(out) as lock:  # a render in this process is writing o.mp4
        res = run_cli(str(clip), "-o", str(out), "--overwrite", cwd=tmp_path)
        assert lock.held
    assert res.returncode == 2
    assert one_line_error(res) == (
        f"error: {out}: another render (process {os.getpid()}) is writing this output; wait for "
        f"it to finish or choose another output (lock file .o.mp4.slowmo-lock)")
    assert list(tmp_path.iterdir()) == []  # nothing written, and our lock removed on release


def test_dash_named_files_end_to_end(tmp_path):
    write_clip(tmp_path / "-x.mp4", 64, 48, Fraction(25), 4, audio=True)
    res = run_cli("./-x.mp4", "-o", "./-y.mp4", "--audio", "stretch", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    info = probe(tmp_path / "-y.mp4")
    assert info.frame_count == 7 and info.audio
    assert sorted(p.name for p in tmp_path.iterdir()) == ["-x.mp4", "-y.mp4"]


def test_end_past_the_clip_is_clamped_with_a_notice(tmp_path, clip):
    res = run_cli(str(clip), "-o", "o.mkv", "--start", "9f", "--end", "99", "-q", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stderr.splitlines() == [
        f"notice: {clip}: end 99 is past the clip's end (12 frames, 0.480 s): "
        f"clamped to the clip's end"]
    assert probe(tmp_path / "o.mkv").frame_count == 5


def test_help_and_input_errors_never_load_torch(tmp_path):
    """--help and a one-line input error answer at once: the parser and the validation that
    runs before a render are torch-free (torch costs ~1.3 s to import)."""
    code = ("import sys\n"
            "from vfi_plugin import cli\n"
            "try:\n"
            "    cli.main(['--help'])\n"
            "except SystemExit:\n"
            "    pass\n"
            "assert cli.main(['missing.mp4', '-o', 'x.mp4']) == 2\n"
            "assert 'torch' not in sys.modules, 'torch was imported'\n")
    res = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert "missing.mp4: no such file" in res.stderr
