"""Shared host helpers, the panel-process protocol, the CLI process, and the Blender add-on's
copies of them (the installer copies the product's files: one contract, byte for byte)."""
from __future__ import annotations

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

from host_support import RESOURCES, ROOT, addon_files
from vfi_plugin.cli import ProgressPrinter
from vfi_plugin.host import ClipSelection, Host, ImportRequest
from vfi_plugin.hosts import common, hostfile
from vfi_plugin.hosts.external import ExternalHost, PanelSession, ResultReader, write_host_file
from vfi_plugin.hosts.render_process import RenderProcess
from vfi_plugin.jobs import Progress, temp_output_path


def cli_progress_lines() -> list[str]:
    """Lines exactly as the real CLI prints them on a non-tty stderr."""
    stream = io.StringIO()
    printer = ProgressPrinter(stream)
    printer(Progress(0, 69, 0.0, 0.0, None, "preparing"))
    printer(Progress(12, 69, 2.5, 3.1, 18.4, "rendering"))
    printer(Progress(69, 69, 9.0, 7.66, 0.0, "finishing"))
    printer(Progress(69, 69, 9.1, 7.6, 0.0, "done"))
    return stream.getvalue().splitlines()


def test_parse_real_cli_progress():
    parse = common.parse_progress
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
    monkeypatch.delenv("SLOWMO_CLI", raising=False)
    assert common.find_cli(config={}) is None
    assert common.find_cli(config={"cli": str(exe)}) == str(exe)
    monkeypatch.setenv(common.ENV_CLI, str(other))
    assert common.find_cli(config={"cli": str(exe)}) == str(other)
    assert common.find_cli(str(exe), config={}) == str(exe)
    (tmp_path / "bin" / "python").write_text("")
    monkeypatch.delenv(common.ENV_CLI)
    monkeypatch.setenv("SLOWMO_CLI", str(other))  # the old name is still read
    assert common.find_cli(config={"cli": str(exe)}) == str(other)
    monkeypatch.delenv("SLOWMO_CLI")
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
    ramped = ImportRequest(Path("/m/a_slowmo_ramp.mp4"), sel, Fraction(4), "slowmo", 90,
                           Fraction(30000, 1001), "0.0:1.0,0.5:0.25~,1.0:1.0")
    host.import_result(ramped)
    assert reader.read_new() == [ramped]  # the ramp's keys reach the host
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


# --- the Blender add-on's copies: one contract --------------------------------------------------
def test_addon_gets_the_products_host_modules_byte_for_byte():
    files = addon_files("/opt/slowmo/bin/vfi-slowmo")
    for name in ("common.py", "hostfile.py", "render_process.py"):
        assert files[name] == (ROOT / "vfi_plugin" / "hosts" / name).read_bytes(), name
    # no hand-kept second copy in the add-on's sources
    kept = sorted(p.name for p in (RESOURCES / "blender" / "slowmo_vse").iterdir())
    assert kept == ["__init__.py", "blender_manifest.toml"]
    assert json.loads(files["slowmo_config.json"])["cli"] == "/opt/slowmo/bin/vfi-slowmo"


def test_shared_modules_need_nothing_else_from_the_package(tmp_path):
    """The add-on's copies import each other only: as a package of their own, with no vfi_plugin."""
    pkg = tmp_path / "addon_pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    for name in ("common.py", "hostfile.py", "render_process.py"):
        (pkg / name).write_bytes(addon_files("/x/vfi-slowmo")[name])
    code = ("import sys; sys.modules.pop('vfi_plugin', None); "
            "import addon_pkg.common, addon_pkg.hostfile, addon_pkg.render_process; "
            "bad = [m for m in sys.modules if m.startswith('vfi_plugin')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=str(tmp_path),
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_partial_output_name_is_the_cores():
    out = Path("/m/clip.v2.mp4")
    partial = temp_output_path(out)
    assert partial.parent == out.parent and partial.name.startswith(".clip.v2." + common.PARTIAL_TAG)
    import fnmatch

    assert fnmatch.fnmatch(str(partial), common.partial_output_pattern(out))
    assert not fnmatch.fnmatch(str(temp_output_path(Path("/m/clip.mp4"))),
                               common.partial_output_pattern(out))


def test_strip_file_range():
    # strip content starts at frame 10, 5 frames soft-trimmed at the head, 35 visible
    assert common.strip_file_range(10.0, 15, 35) == (5, 40)
    assert common.strip_file_range(10.0, 15, 35, animation_offset_start=3) == (8, 43)
    assert common.slowmo_frames(35, 2) == 69
    assert common.slowmo_frames(35, 2.5) == 86


def test_installer_venv_is_searched_last(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("SLOWMO_CLI", raising=False)
    monkeypatch.delenv(common.ENV_CLI, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    default = tmp_path / "data" / "vfi-slowmo" / "venv" / "bin" / "vfi-slowmo"
    assert common.find_cli(config={}, search_dirs=[common.installer_venv_bin()]) is None
    default.parent.mkdir(parents=True)
    default.write_text("")
    assert common.find_cli(config={}, search_dirs=[common.installer_venv_bin()]) == str(default)


def test_data_dir_matches_platformdirs(tmp_path, monkeypatch):
    platformdirs = pytest.importorskip("platformdirs")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert common.default_data_dir() == platformdirs.user_data_dir("vfi-slowmo")


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
    proc = RenderProcess(fake_cli + ["in.mp4", "-o", str(out), "--factor", "2"], 49)
    seen = []
    assert proc.wait(seen.append) == 0
    assert out.exists()
    assert [p["done"] for p in seen if p["stage"] == "rendering"] == [0, 10, 20, 30, 40]
    assert proc.fraction == pytest.approx(40 / 49)
    assert "40/49 frames" in proc.status_text()
    assert "wrote" in proc.stdout_text


def test_render_process_error_line(fake_cli, tmp_path):
    proc = RenderProcess(fake_cli + ["in.mp4", "-o", str(tmp_path / "o.mp4"), "--factor", "9"])
    assert proc.wait() == 2
    assert proc.error_text() == "the factor 9 is not allowed here"


@pytest.mark.skipif(os.name == "nt", reason="SIGINT")
def test_render_process_cancel(fake_cli, tmp_path):
    out = tmp_path / "o--slow.mp4"
    proc = RenderProcess(fake_cli + ["in.mp4", "-o", str(out), "--factor", "2"])
    time.sleep(0.5)
    t0 = time.monotonic()
    proc.cancel()
    assert time.monotonic() - t0 < 5
    assert proc.poll() is not None and proc.poll() != 0
    assert not out.exists()


def test_child_env_drops_host_python_settings(monkeypatch):
    monkeypatch.setenv("PYTHONHOME", "/blender/python")
    monkeypatch.setenv("PYTHONPATH", "/blender/scripts")
    env = common.subprocess_env()
    assert "PYTHONHOME" not in env and "PYTHONPATH" not in env
    assert env["VFI_SLOWMO_PROGRESS"] == "jsonl"


def started_render(script, out, made) -> RenderProcess:
    """``script`` run as a render to ``out``, once it has written ``made`` (10 s at most)."""
    proc = RenderProcess([sys.executable, str(script), "in.mp4", "-o", str(out)])
    deadline = time.monotonic() + 10
    while not made.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return proc


def test_render_process_forced_stop_removes_partial_output(tmp_path):
    """Where the CLI must be terminated (Windows), its partial file is removed by the add-on."""
    out = tmp_path / "clip_slowmo2x.mp4"
    partial = tmp_path / ".clip_slowmo2x.slowmo-partial-1a2b3c4d.mp4"
    other = tmp_path / ".other.slowmo-partial-1a2b3c4d.mp4"
    script = tmp_path / "sleeper.py"
    script.write_text(f"import time, pathlib\npathlib.Path({str(partial)!r}).write_text('x')\n"
                      f"pathlib.Path({str(other)!r}).write_text('x')\ntime.sleep(60)\n")
    proc = started_render(script, out, other)
    proc.proc.terminate()
    proc.proc.wait()
    proc.remove_partial_output()
    assert not partial.exists() and other.exists()


def test_cancel_never_removes_what_this_run_did_not_make(tmp_path):
    """A file at the output path the render refused to replace stays, however fresh it is
    (removal used to go by modification time); a finished output of this run goes on cancel."""
    out = tmp_path / "clip_slowmo2x.mp4"
    out.write_text("the user's file, just written")
    refuse = tmp_path / "refuse.py"
    refuse.write_text("import sys\nprint('error: exists (use --overwrite)', file=sys.stderr)\nsys.exit(2)\n")
    proc = RenderProcess([sys.executable, str(refuse), "in.mp4", "-o", str(out)])
    assert proc.wait() == 2
    proc.cancel()
    assert out.read_text() == "the user's file, just written"

    fresh = tmp_path / "fresh.mp4"
    finish = tmp_path / "finish.py"
    finish.write_text(f"open({str(fresh)!r}, 'w').write('x')\n")
    proc = RenderProcess([sys.executable, str(finish), "in.mp4", "-o", str(fresh)])
    assert proc.wait() == 0 and fresh.exists()
    proc.cancel()  # cancelled as it finished: what it made goes
    assert not fresh.exists()


def test_forced_stop_keeps_partials_that_were_there_before(tmp_path):
    out = tmp_path / "clip_slowmo2x.mp4"
    older = tmp_path / ".clip_slowmo2x.slowmo-partial-00000000.mp4"
    older.write_text("another render's")
    mine = tmp_path / ".clip_slowmo2x.slowmo-partial-1a2b3c4d.mp4"
    script = tmp_path / "sleeper.py"
    script.write_text(f"import time, pathlib\npathlib.Path({str(mine)!r}).write_text('x')\ntime.sleep(60)\n")
    proc = started_render(script, out, mine)
    proc.proc.kill()
    proc.proc.wait()
    proc.remove_partial_output()
    assert not mine.exists() and older.exists()


SLEEPING_PANEL = textwrap.dedent("""\
    import subprocess, sys, time
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    open(sys.argv[-1] + ".child", "w").write(str(child.pid))
    time.sleep(120)
""")


@pytest.mark.skipif(os.name == "nt", reason="process groups")
def test_panel_process_close_stops_it_and_its_children_and_removes_its_folder(tmp_path):
    script = tmp_path / "panel.py"
    script.write_text(SLEEPING_PANEL)
    panel = hostfile.PanelProcess("", "Blender", None, command=[sys.executable, str(script)]).start()
    child_file = Path(panel.host_file + ".child")
    deadline = time.monotonic() + 20
    while not child_file.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    child = int(child_file.read_text())
    assert panel.running()
    t0 = time.monotonic()
    panel.close()
    assert time.monotonic() - t0 < 5
    assert not panel.running()
    assert not Path(panel.dir).exists()
    deadline = time.monotonic() + 5
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)  # what the panel started went with it


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie waiting to be reaped has stopped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def test_panel_session_folder_is_removed_but_a_given_workdir_is_kept(tmp_path):
    made = PanelSession("", "Resolve", None, command=[sys.executable, "-c", "pass"]).start()
    made.process.wait()
    assert Path(made.dir).is_dir()
    made.close()
    assert not Path(made.dir).exists()
    given = PanelSession("", "Resolve", None, workdir=str(tmp_path),
                         command=[sys.executable, "-c", "pass"]).start()
    given.process.wait()
    given.close()
    assert (tmp_path / "host.json").exists()


def test_extension_manifest_matches_the_product():
    """blender_manifest.toml (the extension's identity) names the product's version and the add-on id."""
    import re

    def field(text: str, key: str) -> str:
        return re.search(rf'^{key}\s*=\s*"([^"]*)"', text, re.M).group(1)

    manifest = (RESOURCES / "blender" / "slowmo_vse" / "blender_manifest.toml").read_text()
    assert field(manifest, "version") == field((ROOT / "pyproject.toml").read_text(), "version")
    assert field(manifest, "id") == "slowmo_vse" and field(manifest, "type") == "add-on"
    assert field(manifest, "blender_version_min") == "4.2.0"
