"""Segments on a real Dask cluster (issue 12): a `dask scheduler` and two `dask worker`
processes on localhost (real TCP), started and stopped here; the output equals a
one-process render frame by frame (FFV1), also when a worker is SIGKILLed mid-job."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from farm_support import assert_same_frames, decoded, write_list
from vfi_plugin import render
from vfi_plugin.cli import main

distributed = pytest.importorskip("distributed")
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """tcp://127.0.0.1:PORT of a scheduler with two single-threaded workers (with nannies,
    as `dask worker` runs them)."""
    logs = tmp_path_factory.mktemp("dask-logs")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = str(BIN / "dask")
    procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard"], stdout=subprocess.DEVNULL,
                              stderr=open(logs / "scheduler.log", "w"))]
    try:
        for name in ("w1", "w2"):
            procs.append(subprocess.Popen(
                [dask, "worker", address, "--nthreads", "1", "--nworkers", "1", "--name", name,
                 "--no-dashboard", "--host", "127.0.0.1"], stdout=subprocess.DEVNULL,
                stderr=open(logs / f"{name}.log", "w")))
        with distributed.Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for proc in reversed(procs):
            stop(proc)


def test_scheduler_cli_equals_a_plain_render(tmp_path, cluster, farm_clip, reference, weights):
    out = tmp_path / "farm.mkv"
    started = time.monotonic()
    assert main([str(farm_clip), "-o", str(out), "--audio", "stretch", "--scheduler", cluster,
                 "--segment-frames", "3", "--device", "cpu", "--weights", str(weights),
                 "-q"]) == 0
    print(f"4 segments on 2 workers: {time.monotonic() - started:.1f} s")
    assert_same_frames(reference, out)
    assert [p.name for p in tmp_path.iterdir()] == ["farm.mkv"]


def test_killed_worker_output_still_exact(tmp_path, cluster, farm_clip, reference, weights):
    """SIGKILL the worker process running a segment: the scheduler runs it again on a
    worker (the other, or the one its nanny restarts); the output is still exact."""
    out = tmp_path / "killed.mkv"
    result: dict = {}

    def job():
        try:
            result["r"] = render(farm_clip, out, factor=2, audio="stretch", scheduler=cluster,
                                 segment_frames=2, device="cpu", weights=weights)
        except BaseException as exc:  # noqa: BLE001 - reported below
            result["error"] = exc

    thread = threading.Thread(target=job)
    thread.start()
    killed = None
    with distributed.Client(cluster, timeout="30s") as client:
        pids = client.run(os.getpid)
        deadline = time.monotonic() + 120
        while killed is None and thread.is_alive() and time.monotonic() < deadline:
            busy = [addr for addr, keys in client.processing().items()
                    if any("slowmo-" in str(k) for k in keys)]
            frames_seen = any(p.name.startswith(".") and "partial" in p.name
                              for d in tmp_path.iterdir() if d.is_dir() for p in d.iterdir())
            if busy and frames_seen:  # a segment is being written on that worker
                killed = busy[0]
                os.kill(pids[killed], signal.SIGKILL)
            time.sleep(0.05)
    thread.join(300)
    assert killed is not None, "the job ended before a worker could be killed"
    assert "error" not in result, result.get("error")
    assert_same_frames(reference, out)
    assert [p.name for p in tmp_path.iterdir()] == ["killed.mkv"]


def test_unreachable_scheduler_is_a_user_error(tmp_path, farm_clip, capsys, monkeypatch):
    from vfi_plugin.farm import dask_engine

    monkeypatch.setattr(dask_engine, "CONNECT_TIMEOUT", "2s")
    port = free_port()
    code = main([str(farm_clip), "-o", str(tmp_path / "x.mkv"), "--scheduler",
                 f"tcp://127.0.0.1:{port}", "-q"])
    assert code == 2
    assert f"tcp://127.0.0.1:{port}: no Dask scheduler answers" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_cancel_on_the_cluster_leaves_nothing(tmp_path, cluster, farm_clip, weights):
    """Cancel once the workers report a frame: the job stops, the segments still running
    see the job folder go and stop, nothing is left next to the output."""
    from vfi_plugin import CancelToken
    from vfi_plugin.errors import Cancelled

    token = CancelToken()

    def progress(p):
        if p.stage == "rendering" and p.done >= 1:
            token.cancel()

    with pytest.raises(Cancelled):
        render(farm_clip, tmp_path / "out.mkv", factor=2, scheduler=cluster, segment_frames=2,
               device="cpu", cancel=token, progress=progress, weights=weights)
    assert list(tmp_path.iterdir()) == []
    with distributed.Client(cluster, timeout="30s") as client:
        deadline = time.monotonic() + 30
        while any(client.processing().values()) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(client.processing().values())


def test_a_user_error_on_a_worker_fails_the_job(tmp_path, cluster, farm_clip, weights):
    """The input vanishes once the job is planned: the workers cannot see it, the job fails
    with their one-line message (no retries), nothing is left next to the output."""
    import shutil

    from vfi_plugin.errors import UserInputError

    src = Path(shutil.copy(farm_clip, tmp_path / "src.mp4"))
    out_dir = tmp_path / "out"
    out_dir.mkdir()

    def progress(p):
        if p.stage == "preparing":
            src.unlink(missing_ok=True)

    with pytest.raises(UserInputError, match="src.mp4: not visible on worker .*every worker sees"):
        render(src, out_dir / "out.mkv", factor=2, scheduler=cluster, segment_frames=4,
               device="cpu", progress=progress, weights=weights)
    assert list(out_dir.iterdir()) == []


def test_queue_on_the_cluster(tmp_path, capsys, cluster, farm_clip, reference, weights):
    """`vfi-slowmo queue`: two clips (different factor and range) whose segments go to the
    cluster together, and a clip whose input is missing: the others are done, exact, and
    the summary says so."""
    listing = write_list(tmp_path, farm_clip,
                         {"input": str(farm_clip), "output": "b.mkv", "factor": 4,
                          "start": "6f"})
    code = main(["queue", str(listing), "--scheduler", cluster, "--segment-frames", "4",
                 "--device", "cpu", "--weights", str(weights), "-q"])
    captured = capsys.readouterr()
    assert code == 1  # one clip failed
    lines = captured.out.splitlines()
    assert lines[0].startswith(f"  1. done    {tmp_path / 'a.mkv'} (23 frames)")
    assert lines[1].startswith(f"  2. done    {tmp_path / 'b.mkv'} (21 frames)")
    assert lines[2] == f"  3. FAILED  {tmp_path / 'missing.mp4'}: {tmp_path / 'missing.mp4'}: no such file"
    assert lines[3].startswith("queue: 2 of 3 clips done, 44 frames in ")
    assert "clip 3/3 missing.mp4: FAILED" in captured.err
    assert_same_frames(reference, tmp_path / "a.mkv")
    assert len(decoded(tmp_path / "b.mkv")) == (12 - 6 - 1) * 4 + 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.mkv", "b.mkv", "queue.json"]
