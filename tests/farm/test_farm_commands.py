"""`vfi-slowmo segment` and `vfi-slowmo assemble` (issue 12): a farm's tasks. Segments
rendered one by one (one of them SIGKILLed mid-write) and assembled equal a one-process
render frame by frame; a re-run renders only the segments not finished (resume)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from farm_support import assert_same_frames
from vfi_plugin.cli import main

BIN = Path(sys.executable).parent


def job_args(clip: Path, out: Path, weights: Path) -> list[str]:
    return [str(clip), "-o", str(out), "--audio", "stretch", "--segment-frames", "4",
            "--device", "cpu", "--weights", str(weights), "-q"]


def run_segments(capsys, args: list[str], indices) -> list[int]:
    """Run `segment --index i` for each i here; the indices that rendered (not kept)."""
    rendered = []
    for i in indices:
        assert main(["segment", *args, "--index", str(i)]) == 0
        out = capsys.readouterr().out
        assert f"segment {i}: " in out
        if "rendered" in out:
            rendered.append(i)
    return rendered


def job_dir_of(folder: Path) -> Path:
    (job,) = [p for p in folder.iterdir() if ".slowmo-job-" in p.name]
    return job


def test_segments_resume_and_assemble_exactly(tmp_path, capsys, farm_clip, reference, weights):
    out = tmp_path / "out.mkv"
    args = job_args(farm_clip, out, weights)

    # a segment task killed while it renders (frames are flowing to its intermediate, the
    # next batch is being computed): it is not finished
    proc = subprocess.Popen([str(BIN / "vfi-slowmo"), "segment", *args[:-1], "--progress",
                             "json", "--index", "1"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    seen, progress = [], {"done": 0, "total": 0}
    for line in proc.stderr:
        seen.append(line)
        if line.startswith("{") and json.loads(line)["stage"] == "rendering":
            progress = json.loads(line)
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait()
    assert 0 < progress["done"] < progress["total"] == 8, seen
    job = job_dir_of(tmp_path)
    assert not (job / "segment-000001.mkv").exists()  # (a partial one may be left)

    assert run_segments(capsys, args, range(3)) == [0, 1, 2]  # the killed one runs again
    kept = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in job.glob("segment-*")}
    assert len(kept) == 3

    # resume: only the segment whose intermediate is gone renders again
    (job / "segment-000002.mkv").unlink()
    assert run_segments(capsys, args, range(3)) == [2]
    for name in ("segment-000000.mkv", "segment-000001.mkv"):
        p = job / name
        assert (p.stat().st_ino, p.stat().st_mtime_ns) == kept[name]
    assert run_segments(capsys, args, range(3)) == []

    assert main(["assemble", *args]) == 0
    assert "wrote" in capsys.readouterr().out
    assert_same_frames(reference, out)
    assert [p.name for p in tmp_path.iterdir()] == ["out.mkv"]  # job folder removed


def test_assemble_names_the_missing_segments(tmp_path, capsys, farm_clip, weights, interp1):
    out = tmp_path / "out.mkv"
    args = job_args(farm_clip, out, weights)
    assert main(["assemble", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "3 of 3 segments are not finished (0, 1, 2)" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("extra,message", [
    (["--index", "3"], "bad --index 3: this render has 3 segments (0 to 2)"),
    (["--index", "0", "--workers", "2"], "segment runs here: --workers and --scheduler"),
])
def test_segment_user_errors(tmp_path, capsys, farm_clip, weights, extra, message):
    code = main(["segment", *job_args(farm_clip, tmp_path / "o.mkv", weights), *extra])
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    assert list(tmp_path.iterdir()) == []


def test_another_render_gets_another_job_folder(tmp_path, farm_clip, weights):
    """The job folder is named after what the segments hold: another factor or segment
    size cannot reuse them; the same render on any mount point finds the same folder."""
    from vfi_plugin.farm.commands import job_parser, plan_job

    def folder(*extra):
        p = job_parser("t", "t")
        return plan_job(p.parse_args(job_args(farm_clip, tmp_path / "o.mkv", weights)
                                     + list(extra)), "t").job_dir

    assert folder() == folder()
    assert folder("--factor", "3") != folder()
    assert folder("--segment-frames", "5") != folder()
    assert folder().parent == tmp_path
