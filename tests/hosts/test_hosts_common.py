"""Shared host helpers, the panel-process protocol, and the Blender add-on's bpy-free half."""
from __future__ import annotations

import importlib.util
import io
import json
import os
import subprocess
import sys
import textwrap
import time
from fractions import Fraction
from pathlib import Path

import pytest

from host_support import RESOURCES, ROOT
from vfi_plugin.cli import ProgressPrinter
from vfi_plugin.host import ClipSelection, Host, ImportRequest
from vfi_plugin.hosts import common
from vfi_plugin.hosts.external import ExternalHost, ResultReader, write_host_file
from vfi_plugin.jobs import Progress


def load_addon_core():
    path = RESOURCES / "blender" / "slowmo_vse" / "slowmo_core.py"
    spec = importlib.util.spec_from_file_location("slowmo_core_under_test", path)
    mod = importlib.util.module_from_spec(spec)
    keep, sys.dont_write_bytecode = sys.dont_write_bytecode, True  # no __pycache__ in resources/
    try:
        spec.loader.exec_module(mod)
    finally:
        sys.dont_write_bytecode = keep
    return mod


addon_core = load_addon_core()


def cli_progress_lines() -> list[str]:
    """Lines exactly as the real CLI prints them on a non-tty stderr."""
    stream = io.StringIO()
    printer = ProgressPrinter(stream)
    printer(Progress(0, 69, 0.0, 0.0, None, "preparing"))
    printer(Progress(12, 69, 2.5, 3.1, 18.4, "rendering"))
    printer(Progress(69, 69, 9.0, 7.66, 0.0, "finishing"))
    printer(Progress(69, 69, 9.1, 7.6, 0.0, "done"))
    return stream.getvalue().splitlines()


@pytest.mark.parametrize("parse", [common.parse_progress, addon_core.parse_progress],
                         ids=["hosts.common", "blender_addon"])
def test_parse_real_cli_progress(parse):
    parsed = [parse(line) for line in cli_progress_lines()]
    assert parsed[0]["stage"] == "preparing" and parsed[0]["total"] == 0
    assert parsed[1] == {"stage": "rendering", "done": 12, "total": 69, "fps": 3.1, "eta_s": 18.0}
    assert parsed[2]["stage"] == "finishing" and parsed[2]["done"] == 69
    assert parsed[3]["stage"] == "done"
    assert parse("wrote /x.mp4 (69 frames at 25.000 fps, 2.76 s) in 9.1 s") is None
    assert parse("error: bad factor") is None
    assert parse('{"stage": "rendering", "done": 3, "total": 9, "fps": 1.5, "eta_s": 4}')["done"] == 3


@pytest.mark.parametrize("value,expected", [
    (25, Fraction(25)), ("25.000", Fraction(25)), ("29.97", Fraction(30000, 1001)),
    (23.976, Fraction(24000, 1001)), ("30000/1001", Fraction(30000, 1001)), ("59.94 fps", Fraction(60000, 1001)),
    ("12.5", Fraction(25, 2)), ("", None), (None, None), ("abc", None), (0, None),
])
def test_fps_fraction(value, expected):
    assert common.fps_fraction(value) == expected


def test_cli_command_and_names(tmp_path):
    cmd = common.cli_command("vfi-slowmo", "/a/b.mov", "/o/b.mp4", 2, 12, 40, mode="smooth", overwrite=True)
    assert cmd == ["vfi-slowmo", "/a/b.mov", "-o", "/o/b.mp4", "--factor", "2", "--start", "12f",
                   "--end", "40f", "--mode", "smooth", "--overwrite"]
    assert common.output_name("/a/clip.mov", Fraction(5, 2), "slowmo", 3, 9) == "clip_slowmo2p5x_f3-9.mp4"
    (tmp_path / "clip_slowmo2x_f0-5.mp4").touch()
    out = common.default_output(tmp_path / "clip.mov", 2, start_frame=0, end_frame=5)
    assert out == tmp_path / "clip_slowmo2x_f0-5_2.mp4"
    assert common.error_line("rendering: 1/2 frames\nerror: bad thing\n") == "bad thing"


def test_find_cli_order(tmp_path, monkeypatch):
    exe = tmp_path / "bin" / "vfi-slowmo"
    exe.parent.mkdir()
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    other = tmp_path / "other"
    other.write_text("")
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv(common.ENV_CLI, raising=False)
    assert common.find_cli(config={}) is None
    assert common.find_cli(config={"cli": str(exe)}) == str(exe)
    monkeypatch.setenv(common.ENV_CLI, str(other))
    assert common.find_cli(config={"cli": str(exe)}) == str(other)
    assert common.find_cli(str(exe), config={}) == str(exe)
    (tmp_path / "bin" / "python").write_text("")
    monkeypatch.delenv(common.ENV_CLI)
    assert common.find_python(config={"cli": str(exe)}) == str(tmp_path / "bin" / "python")


def test_hosts_import_no_qt_no_torch():
    code = ("import sys, vfi_plugin.hosts.nuke, vfi_plugin.hosts.resolve, vfi_plugin.hosts.external, "
            "vfi_plugin.hosts.common; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'torch', 'numpy') "
            "or m.startswith('vfi_plugin.ui')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# --- the panel-process protocol ---------------------------------------------------------------
def test_host_file_round_trip(tmp_path):
    sel = ClipSelection(Path("/m/a.mov"), 12, 40, Fraction(30000, 1001), "a.mov", {"item": "x"})
    host_file = write_host_file(tmp_path / "host.json", "Resolve", sel, tmp_path / "r.jsonl", "/m")
    host = ExternalHost.from_file(host_file)
    assert isinstance(host, Host)
    assert host.name == "Resolve"
    got = host.current_clip()
    assert got == sel and got.extra == {"item": "x"}
    assert host.output_dir == Path("/m")

    reader = ResultReader(tmp_path / "r.jsonl")
    assert reader.read_new() == []
    req = ImportRequest(Path("/m/a_slowmo.mp4"), sel, Fraction(8, 3), "slowmo", 75, Fraction(30000, 1001))
    host.import_result(req)
    with open(tmp_path / "r.jsonl", "a") as fh:
        fh.write('{"output": "/m/partial')  # a line still being written is not read yet
    [back] = reader.read_new()
    assert back == req
    assert reader.read_new() == []


def test_host_file_without_clip_and_newer_version(tmp_path):
    path = write_host_file(tmp_path / "h.json", "Blender", None, tmp_path / "r.jsonl")
    assert ExternalHost.from_file(path).current_clip() is None
    data = json.loads(path.read_text())
    data["version"] = 99
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="newer"):
        ExternalHost.from_file(path)


# --- the Blender add-on's bpy-free half -------------------------------------------------------
def test_strip_file_range():
    # strip content starts at frame 10, 5 frames soft-trimmed at the head, 35 visible
    assert addon_core.strip_file_range(10.0, 15, 35) == (5, 40)
    assert addon_core.strip_file_range(10.0, 15, 35, animation_offset_start=3) == (8, 43)
    assert addon_core.slowmo_frames(35, 2) == 69
    assert addon_core.slowmo_frames(35, 2.5) == 86


def test_addon_find_cli_order(tmp_path, monkeypatch):
    exe = tmp_path / "venv" / "bin" / "vfi-slowmo"
    exe.parent.mkdir(parents=True)
    exe.write_text("")
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("SLOWMO_CLI", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert addon_core.find_cli(config={}) is None
    default = tmp_path / "data" / "vfi-slowmo" / "venv" / "bin" / "vfi-slowmo"
    default.parent.mkdir(parents=True)
    default.write_text("")
    assert addon_core.find_cli(config={}) == str(default)  # the installer's venv
    assert addon_core.find_cli(config={"cli": str(exe)}) == str(exe)
    assert addon_core.find_cli(None, str(exe), config={}) == str(exe)  # preference
    (exe.parent / "python").write_text("")
    assert addon_core.find_python(config={"cli": str(exe)}) == str(exe.parent / "python")


def test_addon_data_dir_matches_platformdirs(tmp_path, monkeypatch):
    platformdirs = pytest.importorskip("platformdirs")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert addon_core.default_data_dir() == platformdirs.user_data_dir("vfi-slowmo")


FAKE_CLI = textwrap.dedent("""\
    import sys, time, signal
    signal.signal(signal.SIGINT, signal.default_int_handler)  # as the real CLI does
    args = sys.argv[1:]
    out = args[args.index("-o") + 1]
    if "--factor" in args and args[args.index("--factor") + 1] == "9":
        print("error: the factor 9 is not allowed here", file=sys.stderr); sys.exit(2)
    print("preparing: preparing", file=sys.stderr, flush=True)
    for i in range(0, 50, 10):
        print(f"rendering: {i}/49 frames  5.00 fps  ETA 00:0{(49 - i) // 10}", file=sys.stderr, flush=True)
        time.sleep(0.1 if "--slow" not in out else 1.0)
    open(out, "w").write("x")
    print("wrote " + out)
""")


@pytest.fixture
def fake_cli(tmp_path):
    script = tmp_path / "fake_cli.py"
    script.write_text(FAKE_CLI)
    return [sys.executable, str(script)]


def test_render_process_progress_and_success(fake_cli, tmp_path):
    out = tmp_path / "o.mp4"
    proc = addon_core.RenderProcess(fake_cli + ["in.mp4", "-o", str(out), "--factor", "2"], 49)
    seen = []
    assert proc.wait(seen.append) == 0
    assert out.exists()
    assert [p["done"] for p in seen if p["stage"] == "rendering"] == [0, 10, 20, 30, 40]
    assert proc.fraction == pytest.approx(40 / 49)
    assert "40/49 frames" in proc.status_text()
    assert "wrote" in proc.stdout_text


def test_render_process_error_line(fake_cli, tmp_path):
    proc = addon_core.RenderProcess(fake_cli + ["in.mp4", "-o", str(tmp_path / "o.mp4"), "--factor", "9"])
    assert proc.wait() == 2
    assert proc.error_text() == "the factor 9 is not allowed here"


@pytest.mark.skipif(os.name == "nt", reason="SIGINT")
def test_render_process_cancel(fake_cli, tmp_path):
    out = tmp_path / "o--slow.mp4"
    proc = addon_core.RenderProcess(fake_cli + ["in.mp4", "-o", str(out), "--factor", "2"])
    time.sleep(0.5)
    t0 = time.monotonic()
    proc.cancel()
    assert time.monotonic() - t0 < 5
    assert proc.poll() is not None and proc.poll() != 0
    assert not out.exists()


def test_child_env_drops_host_python_settings(monkeypatch):
    monkeypatch.setenv("PYTHONHOME", "/blender/python")
    monkeypatch.setenv("PYTHONPATH", "/blender/scripts")
    for env in (addon_core.child_env(), common.subprocess_env()):
        assert "PYTHONHOME" not in env and "PYTHONPATH" not in env
        assert env["VFI_SLOWMO_PROGRESS"] == "jsonl"


def test_render_process_forced_stop_removes_partial_output(tmp_path):
    """Where the CLI must be terminated (Windows), its partial file is removed by the add-on."""
    out = tmp_path / "clip_slowmo2x.mp4"
    partial = tmp_path / ".clip_slowmo2x.slowmo-partial-1a2b3c4d.mp4"
    other = tmp_path / ".other.slowmo-partial-1a2b3c4d.mp4"
    script = tmp_path / "sleeper.py"
    script.write_text(f"import time, pathlib\npathlib.Path({str(partial)!r}).write_text('x')\n"
                      f"pathlib.Path({str(other)!r}).write_text('x')\ntime.sleep(60)\n")
    proc = addon_core.RenderProcess([sys.executable, str(script), "in.mp4", "-o", str(out)])
    deadline = time.monotonic() + 10
    while not other.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.proc.terminate()
    proc.proc.wait()
    proc.remove_partial_output()
    assert not partial.exists() and other.exists()
