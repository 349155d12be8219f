"""The add-on as a Blender 4.2+ extension, for real: Blender 4.2 LTS, 4.5 LTS and 5.0 as Python
modules (the `bpy` wheels, one cached venv each: tests/hosts/bpy_envs.py), headless.

Per version: the extension zip the installer builds is installed and enabled as Install from
Disk does; the render operator on a trimmed movie strip (the real CLI) adds the result on the
channel above with the right frame count; a render cancelled while writing leaves no file and
no strip; disabling the extension stops the panel process it opened and removes its folder.
Skips (saying why) only where no bpy wheel exists: the wheels are CPython 3.11, x86_64 Linux,
x64 Windows, macOS (5.0: Apple silicon only). A first run installs each wheel (~350 MB download, ~30 s each); then ~20 s
per version, most of it the CLI's start.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import bpy_envs
from host_support import count_frames, extension_zip, product_cli

SCENE_SCRIPT = Path(__file__).resolve().parent / "bpy_scene.py"
FACTOR = 2
TRIM_START, TRIM_END = 5, 35  # 10 of the clip's 50 frames shown

pytestmark = pytest.mark.slow


def bpy_python(version: str) -> Path:
    """The venv's Python for bpy ``version``; skips (saying why) only where no wheel exists."""
    reason = bpy_envs.unsupported_reason(version)
    if reason:
        pytest.skip(reason)
    return bpy_envs.bpy_python(version)


@pytest.fixture(scope="module", params=sorted(bpy_envs.VERSIONS))
def ext_run(request, clip, tmp_path_factory):
    version = request.param
    python = bpy_python(version)
    cli = product_cli()
    work = tmp_path_factory.mktemp(f"bpy{version}")
    zip_path = extension_zip(work / "slowmo_vse.zip", cli)
    media = work / "media"
    media.mkdir()
    clip_copy = media / clip.name  # outputs go next to the source: this test's folder
    shutil.copyfile(clip, clip_copy)
    report = work / "report.json"
    config = work / "config.json"
    config.write_text(json.dumps({
        "zip": str(zip_path), "clip": str(clip_copy), "factor": FACTOR, "trim_start": TRIM_START,
        "trim_end": TRIM_END, "report": str(report), "panel_python": sys.executable}))
    env = {k: v for k, v in os.environ.items()
           if k not in ("SLOWMO_CLI", "VFI_SLOWMO_CLI", "PYTHONPATH", "VIRTUAL_ENV")}
    env.update(HOME=str(work / "home"), XDG_CONFIG_HOME=str(work / "home" / ".config"),
               XDG_CACHE_HOME=str(work / "home" / ".cache"), QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run([str(python), str(SCENE_SCRIPT), str(config)], env=env, cwd=str(work),
                          capture_output=True, text=True, timeout=420)
    data = json.loads(report.read_text()) if report.exists() else {}
    assert proc.returncode == 0 and not data.get("errors"), (
        f"bpy {version} failed (rc {proc.returncode}):\n{data.get('errors')}\n"
        f"--- stdout ---\n{proc.stdout[-4000:]}\n--- stderr ---\n{proc.stderr[-4000:]}")
    data["version"], data["home"], data["media"] = version, work / "home", media
    return data


def test_extension_installs_from_the_zip_and_enables(ext_run):
    assert ext_run["blender"][:2] == [int(x) for x in ext_run["version"].split(".")]
    assert ext_run["install_result"] == ["FINISHED"] and ext_run["enabled"]
    folder = ext_run["home"] / ".config" / "blender" / ext_run["version"] / "extensions" / "user_default" / "slowmo_vse"
    assert Path(ext_run["addon_file"]) == folder / "__init__.py"
    for name, path in ext_run["shared_files"].items():  # the product's modules, as copied
        assert Path(path) == folder / f"{name}.py"
    assert ext_run["cli_found"] == product_cli()  # slowmo_config.json in the zip names it
    expected_api = "strips" if tuple(ext_run["blender"][:2]) >= (4, 4) else "sequences"
    assert ext_run["strips_api"] == expected_api


def test_render_adds_the_slowmo_strip_on_the_channel_above(ext_run):
    src, res = ext_run["source"], ext_run["result"]
    n = 50 - TRIM_START - TRIM_END
    assert src["frame_final_duration"] == n
    assert ext_run["operator_result"] == ["FINISHED"]
    assert res["type"] == "MOVIE" and res["name"] == "src_slowmo2x"
    assert res["channel"] == src["channel"] + 1
    assert res["frame_final_start"] == src["frame_final_start"] == 10 + TRIM_START
    expected = (n - 1) * FACTOR + 1
    assert res["frame_final_duration"] == expected           # what Blender reads from the file
    assert count_frames(Path(res["filepath"])) == expected   # and what ffprobe counts
    assert Path(res["filepath"]).parent == ext_run["media"]


def test_cancel_while_writing_leaves_nothing(ext_run):
    assert ext_run.get("partial_seen"), "the cancelled render never started writing"
    assert ext_run["cancel_result"] == ["CANCELLED"]
    assert ext_run["files_added_by_cancel"] == []
    assert ext_run["strips_after_cancel"] == ["src", "src_slowmo2x"]


def test_disabling_stops_the_panel_process(ext_run):
    assert ext_run["panel_result"] == ["FINISHED"]
    assert ext_run["panel_running_before"] and ext_run["panel_dir_before"]
    assert ext_run["disabled"]
    assert not ext_run["panel_running_after"]
    assert ext_run["panel_group_after"] == []   # nothing it started is left either
    assert not ext_run["panel_dir_after"]       # its temporary folder is gone
    assert ext_run["sessions_after"] == 0


ENABLE_INSTALLED = """
import bpy, json, sys
result = bpy.ops.preferences.addon_enable(module="bl_ext.user_default.slowmo_vse")
mod = sys.modules["bl_ext.user_default.slowmo_vse"]
print("SLOWMO", json.dumps({"result": sorted(result), "file": mod.__file__, "cli": mod.find_cli(),
                            "operator": hasattr(bpy.ops.sequencer, "slowmo_render")}))
"""


def test_installer_writes_an_extension_blender_enables(tmp_path):
    """install.py for a Blender 5.0 config: the extension folder it writes is the one Blender
    5.0 loads (enabled as in Preferences › Add-ons), and --uninstall removes it again."""
    version = "5.0"
    python = bpy_python(version)
    home = tmp_path / "home"
    (home / ".config" / "blender" / version).mkdir(parents=True)  # Blender 5.0 was run once
    env = {k: v for k, v in os.environ.items()
           if k not in ("SLOWMO_CLI", "VFI_SLOWMO_CLI", "PYTHONPATH", "BLENDER_USER_SCRIPTS")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_DATA_HOME=str(home / "data"))
    installer = [sys.executable, str(Path(bpy_envs.ROOT) / "installer" / "install.py")]
    done = subprocess.run(installer + ["--use-env", sys.prefix, "--hosts", "blender",
                                       "--no-system-packages"], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    folder = home / ".config" / "blender" / version / "extensions" / "user_default" / "slowmo_vse"
    proc = subprocess.run([str(python), "-c", ENABLE_INSTALLED], env=env, capture_output=True,
                          text=True, timeout=300)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("SLOWMO ")), None)
    assert line, proc.stdout[-3000:] + proc.stderr[-3000:]
    info = json.loads(line[len("SLOWMO "):])
    assert info == {"result": ["FINISHED"], "file": str(folder / "__init__.py"),
                    "cli": product_cli(), "operator": True}
    done = subprocess.run(installer + ["--uninstall"], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not folder.exists()  # the bytecode Blender compiled went too


def test_the_bare_sources_say_to_use_the_installer(tmp_path):
    """resources/hosts/blender/slowmo_vse alone (copied by hand) lacks the product's modules: it
    says so in one line instead of failing on a missing name later."""
    python = bpy_python("4.2")
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import bpy\n"
            "try:\n    import slowmo_vse\nexcept ImportError as exc:\n    print('SLOWMO', exc)\n")
    proc = subprocess.run([str(python), "-c", code, str(bpy_envs.ROOT / "resources" / "hosts" / "blender")],
                          env=dict(os.environ, HOME=str(tmp_path), PYTHONDONTWRITEBYTECODE="1"),
                          capture_output=True, text=True,
                          timeout=300)
    assert "SLOWMO SlowMo's add-on is incomplete" in proc.stdout, proc.stdout + proc.stderr
    assert "install it with SlowMo's installer" in proc.stdout
