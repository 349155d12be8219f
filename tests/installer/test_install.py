"""installer/install.py in a temporary HOME (HOME, XDG_DATA_HOME, XDG_CONFIG_HOME in tmp).

Runs the installer as a subprocess with --python <this test's Python> (the product is
installed there), so no venv is built and nothing is downloaded. Checks: --dry-run
writes nothing; install writes the host files; a second run changes nothing and says
so; --uninstall leaves the temporary HOME exactly as it was (user files untouched); host files
come from the environment registered (--use-env/--python), not from this repository.
"""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INSTALLER = ROOT / "installer" / "install.py"
USER_NUKE_MENU = "import nuke\nnuke.menu('Nuke').addCommand('Mine/Tool', 'print(1)')\n"
USER_NUKE_INIT = "import nuke\nnuke.pluginAddPath('./gizmos')"  # no final newline on purpose


def load_installer():
    spec = importlib.util.spec_from_file_location("slowmo_install_under_test", INSTALLER)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class Sandbox:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.home = root / "home"
        self.data = root / "xdg-data"
        self.config = self.home / ".config"
        self.home.mkdir()
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("BLENDER_USER_SCRIPTS", "SLOWMO_CLI", "SLOWMO_PYTHON", "VFI_SLOWMO_CLI",
                                 "VFI_SLOWMO_PYTHON", "PYTHONPATH")}
        self.env.update(HOME=str(self.home), XDG_DATA_HOME=str(self.data),
                        XDG_CONFIG_HOME=str(self.config))

    def run(self, *args: str, python: str | None = sys.executable, check: bool = True):
        cmd = [sys.executable, str(INSTALLER)]
        if python == sys.executable and sys.prefix != sys.base_prefix:
            cmd += ["--use-env", sys.prefix]  # this test's venv (/work/venv, CI's .venv)
        elif python:
            cmd += ["--python", python]
        proc = subprocess.run(cmd + list(args), env=self.env, capture_output=True, text=True,
                              timeout=300, cwd=str(self.root))
        if check:
            assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc

    def snapshot(self) -> dict:
        """Every path under the sandbox: type, content and mtime (ns)."""
        out = {}
        for p in sorted(self.root.rglob("*")):
            st = p.lstat()
            if stat.S_ISDIR(st.st_mode):
                out[str(p)] = ("dir",)
            else:
                out[str(p)] = ("file", p.read_bytes(), st.st_mtime_ns)
        return out


@pytest.fixture
def box(tmp_path):
    b = Sandbox(tmp_path)
    (b.config / "blender" / "3.4").mkdir(parents=True)       # Blender was run once
    (b.home / ".nuke").mkdir()                                # Nuke was run once ...
    (b.home / ".nuke" / "menu.py").write_text(USER_NUKE_MENU)  # ... and the user has own scripts
    (b.home / ".nuke" / "init.py").write_text(USER_NUKE_INIT)
    (b.home / ".local" / "share" / "DaVinciResolve").mkdir(parents=True)  # Resolve was run once
    return b


def blender_addon(box) -> Path:
    return box.config / "blender" / "3.4" / "scripts" / "addons" / "slowmo_vse"


ADDON_FILES = ("__init__.py", "blender_manifest.toml", "common.py", "hostfile.py",
               "render_process.py", "slowmo_config.json")
SHARED_MODULES = ("common.py", "hostfile.py", "render_process.py")  # from the env's vfi_plugin/hosts


def extension_zip(box) -> Path:
    return box.data / "vfi-slowmo" / "slowmo_vse.zip"


def expected_files(box) -> list[Path]:
    return [*(blender_addon(box) / name for name in ADDON_FILES), extension_zip(box),
            box.home / ".nuke" / "slowmo" / "menu.py", box.home / ".nuke" / "slowmo" / "slowmo_config.json",
            box.home / ".local/share/DaVinciResolve/Fusion/Scripts/Utility/SlowMo.py",
            box.data / "applications" / "vfi-slowmo.desktop"]


def test_dry_run_changes_nothing(box):
    before = box.snapshot()
    proc = box.run("--dry-run")
    assert box.snapshot() == before
    assert "would write" in proc.stdout and "would add one line" in proc.stdout
    for f in expected_files(box):
        assert str(f) in proc.stdout


def test_install_reinstall_uninstall(box):
    before = box.snapshot()
    proc = box.run()
    for f in expected_files(box):
        assert f.is_file(), f"{f} missing\n{proc.stdout}{proc.stderr}"
    assert f"done: {len(expected_files(box)) + 1} change(s)" in proc.stdout

    # the Blender add-on is the resource copy + the product's host modules + the config naming
    # this environment's CLI; the extension zip holds the same files
    src = ROOT / "resources" / "hosts" / "blender" / "slowmo_vse"
    assert (blender_addon(box) / "__init__.py").read_bytes() == (src / "__init__.py").read_bytes()
    for name in SHARED_MODULES:
        assert (blender_addon(box) / name).read_bytes() == (ROOT / "vfi_plugin" / "hosts" / name).read_bytes()
    with zipfile.ZipFile(extension_zip(box)) as zf:
        assert sorted(zf.namelist()) == sorted(ADDON_FILES)
        for name in ADDON_FILES:
            assert zf.read(name) == (blender_addon(box) / name).read_bytes()
    cfg = json.loads((blender_addon(box) / "slowmo_config.json").read_text())
    assert cfg["cli"] == str(Path(sys.executable).parent / "vfi-slowmo")
    assert Path(cfg["python"]).parent == Path(sys.executable).parent
    assert os.path.samefile(cfg["python"], sys.executable)

    # Nuke: one marked line appended to init.py, the user's menu.py untouched
    init = (box.home / ".nuke" / "init.py").read_text()
    assert init.startswith(USER_NUKE_INIT + "\n")
    added = init[len(USER_NUKE_INIT) + 1:].splitlines()
    assert len(added) == 1 and "pluginAddPath" in added[0] and "vfi-slowmo installer" in added[0]
    assert str((box.home / ".nuke" / "slowmo").as_posix()) in added[0]
    assert (box.home / ".nuke" / "menu.py").read_text() == USER_NUKE_MENU
    ncfg = json.loads((box.home / ".nuke" / "slowmo" / "slowmo_config.json").read_text())
    assert ncfg["python_version"] == "%d.%d" % sys.version_info[:2]

    # Resolve: the script with its settings line filled in, still valid Python
    script = (box.home / ".local/share/DaVinciResolve/Fusion/Scripts/Utility/SlowMo.py").read_text()
    compile(script, "SlowMo.py", "exec")
    assert f'"cli": {json.dumps(cfg["cli"])}' in script and f'"python": {json.dumps(cfg["python"])}' in script

    # desktop entry for the standalone app
    desktop = (box.data / "applications" / "vfi-slowmo.desktop").read_text()
    assert "Exec=" + str(Path(sys.executable).parent / "vfi-slowmo-gui") + " %f" in desktop
    assert "@" not in desktop
    icon = next(line[5:] for line in desktop.splitlines() if line.startswith("Icon="))
    assert icon == "video-x-generic" or Path(icon).is_file()

    manifest = json.loads((box.data / "vfi-slowmo" / "install-manifest.json").read_text())
    assert sorted(manifest["files"]) == sorted(str(f) for f in expected_files(box))

    # a second run: nothing changes, and it says so
    installed = box.snapshot()
    again = box.run()
    assert "nothing to do" in again.stdout
    assert box.snapshot() == installed

    # Blender compiles the add-on when it loads it: uninstall removes that cache too
    pycache = blender_addon(box) / "__pycache__"
    pycache.mkdir()
    (pycache / "__init__.cpython-311.pyc").write_bytes(b"\0")

    proc = box.run("--uninstall", python=None)
    assert box.snapshot() == before, proc.stdout + proc.stderr
    assert (box.home / ".nuke" / "init.py").read_text() == USER_NUKE_INIT  # byte-exact
    assert box.run("--uninstall", python=None).stdout.strip().endswith(
        "nothing to do: nothing of SlowMo's is installed")


def test_uninstall_dry_run_changes_nothing(box):
    box.run()
    installed = box.snapshot()
    proc = box.run("--uninstall", "--dry-run", python=None)
    assert box.snapshot() == installed
    assert "would remove" in proc.stdout and "warning" not in proc.stderr


def test_hosts_filter_and_partial_uninstall(box):
    before = box.snapshot()
    box.run("--hosts", "nuke")
    assert (box.home / ".nuke" / "slowmo" / "menu.py").exists()
    assert not blender_addon(box).exists()
    assert not (box.data / "applications").exists()
    box.run("--hosts", "blender,desktop")
    assert blender_addon(box).is_dir() and (box.data / "applications" / "vfi-slowmo.desktop").exists()
    box.run("--uninstall", "--hosts", "nuke", python=None)
    assert not (box.home / ".nuke" / "slowmo").exists()
    assert (box.home / ".nuke" / "init.py").read_text() == USER_NUKE_INIT
    assert blender_addon(box).is_dir()
    box.run("--uninstall", python=None)
    assert box.snapshot() == before
    assert "unknown host" in box.run("--hosts", "premiere", check=False).stderr


def test_forced_host_without_its_folder(tmp_path):
    box = Sandbox(tmp_path)  # no ~/.nuke, no Resolve: auto mode skips them, --hosts forces them
    box.env["PATH"] = "/nonexistent-bin"  # and no blender on PATH
    before = box.snapshot()
    box.run("--no-system-packages", check=True)
    assert not (box.home / ".nuke").exists()
    box.run("--hosts", "nuke,resolve,blender", "--no-system-packages")
    assert (box.home / ".nuke" / "slowmo" / "menu.py").exists()
    assert (box.home / ".nuke" / "init.py").exists()
    assert (box.home / ".local/share/DaVinciResolve/Fusion/Scripts/Utility/SlowMo.py").exists()
    box.run("--uninstall", python=None)
    assert box.snapshot() == before  # created folders and the created init.py are gone too


@pytest.mark.skipif(os.name == "nt", reason="shell script stand-in for blender")
def test_blender_version_asked_when_no_config_dir(tmp_path):
    box = Sandbox(tmp_path)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_blender = bin_dir / "blender"  # FakeBlender: answers --version only
    fake_blender.write_text("#!/bin/sh\necho 'Blender 4.2.3 LTS'\necho '\tbuild date: 2024'\n")
    fake_blender.chmod(0o755)
    box.env["PATH"] = f"{bin_dir}{os.pathsep}{box.env['PATH']}"
    before = box.snapshot()
    box.run("--hosts", "blender")
    # 4.2 and later: an extension, where Blender keeps one installed from disk
    extension = box.config / "blender" / "4.2" / "extensions" / "user_default" / "slowmo_vse"
    assert (extension / "__init__.py").is_file() and (extension / "blender_manifest.toml").is_file()
    assert not (box.config / "blender" / "4.2" / "scripts").exists()
    box.run("--uninstall", python=None)
    assert box.snapshot() == before


def test_blender_user_scripts_is_used(box, tmp_path):
    scripts = tmp_path / "bus"
    box.env["BLENDER_USER_SCRIPTS"] = str(scripts)
    box.run("--hosts", "blender")
    assert (scripts / "addons" / "slowmo_vse" / "__init__.py").is_file()
    assert (blender_addon(box) / "__init__.py").is_file()


def test_changed_and_foreign_files_are_left_alone(box):
    foreign = box.home / ".nuke" / "slowmo" / "menu.py"
    foreign.parent.mkdir()
    foreign.write_text("# someone else's\n")
    proc = box.run("--hosts", "nuke,resolve")
    assert "was not written by SlowMo" in proc.stderr
    assert foreign.read_text() == "# someone else's\n"

    resolve_script = box.home / ".local/share/DaVinciResolve/Fusion/Scripts/Utility/SlowMo.py"
    resolve_script.write_text(resolve_script.read_text() + "\n# my tweak\n")
    proc = box.run("--uninstall", python=None)
    assert "was changed since SlowMo installed it" in proc.stderr
    assert resolve_script.read_text().endswith("# my tweak\n")
    assert foreign.exists()
    assert (box.home / ".nuke" / "init.py").read_text() == USER_NUKE_INIT


def test_missing_ffmpeg_is_explained(box):
    # only this test's Python and the installer on PATH: no ffmpeg; never apt-get in tests
    box.env["PATH"] = "/nonexistent-bin"
    proc = box.run("--hosts", "desktop", "--no-system-packages")
    assert "ffmpeg and ffprobe are not on PATH" in proc.stderr


def test_venv_mode_dry_run(box):
    proc = box.run("--dry-run", python=None)
    venv = box.data / "vfi-slowmo" / "venv"
    assert f"would create a Python environment in {venv}" in proc.stdout
    assert "would pip install" in proc.stdout and "torch==2.13.0" in proc.stdout
    assert f"would write {blender_addon(box) / 'slowmo_config.json'}" in proc.stdout
    assert not (box.data / "vfi-slowmo").exists()


def test_existing_env_without_product_is_refused(box, tmp_path):
    proc = box.run("--dry-run", python=shutil.which("python3") or "/usr/bin/python3", check=False)
    if "using the existing environment" in proc.stdout:
        pytest.skip("the system Python has SlowMo installed")
    assert proc.returncode != 0 and "not installed" in (proc.stderr + proc.stdout)


def test_data_dir_matches_platformdirs(tmp_path, monkeypatch):
    platformdirs = pytest.importorskip("platformdirs")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "d"))
    monkeypatch.setenv("HOME", str(tmp_path / "h"))
    inst = load_installer()
    assert str(inst.locations.data_dir()) == platformdirs.user_data_dir("vfi-slowmo")


@pytest.mark.skipif(shutil.which("blender") is None, reason="blender not installed")
def test_installed_addon_loads_in_blender(box):
    box.run("--hosts", "blender")
    code = ("import addon_utils, json; m = addon_utils.enable('slowmo_vse', default_set=True); "
            "print('SLOWMO', json.dumps({'file': m.__file__, 'cli': m.find_cli()}))")
    proc = subprocess.run(["blender", "-b", "--factory-startup", "--python-exit-code", "1",
                           "--python-expr", code], env=box.env, capture_output=True, text=True,
                          timeout=120)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("SLOWMO ")), None)
    assert line, proc.stdout + proc.stderr
    info = json.loads(line[len("SLOWMO "):])
    assert info["file"] == str(blender_addon(box) / "__init__.py")
    assert info["cli"] == str(Path(sys.executable).parent / "vfi-slowmo")


@pytest.mark.skipif(os.name == "nt" or shutil.which("sh") is None, reason="POSIX shell wrapper")
def test_shell_wrapper_passes_options(box):
    before = box.snapshot()
    env = dict(box.env, PYTHON=sys.executable)
    proc = subprocess.run(["sh", str(ROOT / "installer" / "install.sh"), "--python", sys.executable,
                           "--dry-run"], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "dry run" in proc.stdout
    assert box.snapshot() == before


STUB_BACKEND = '''"""A PEP 517 backend that zips the stub package into a wheel (no setuptools, no wheel)."""
import base64, hashlib, os, zipfile

NAME, VERSION = "vfi_slowmo", "0.1.0"
DIST = f"{NAME}-{VERSION}.dist-info"
FILES = {
    "vfi_plugin/__init__.py": open("vfi_plugin/__init__.py", "rb").read(),
    f"{DIST}/METADATA": b"Metadata-Version: 2.1\\nName: vfi-slowmo\\nVersion: 0.1.0\\n",
    f"{DIST}/WHEEL": b"Wheel-Version: 1.0\\nGenerator: stub\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
    f"{DIST}/entry_points.txt": b"[console_scripts]\\nvfi-slowmo = vfi_plugin:main\\n"
                                b"[gui_scripts]\\nvfi-slowmo-gui = vfi_plugin:main\\n",
}


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name = f"{NAME}-{VERSION}-py3-none-any.whl"
    record = []
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as zf:
        for path, data in FILES.items():
            zf.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{path},sha256={digest},{len(data)}")
        record.append(f"{DIST}/RECORD,,")
        zf.writestr(f"{DIST}/RECORD", "\\n".join(record) + "\\n")
    return name
'''


def test_default_mode_builds_venv_and_uninstall_removes_it(tmp_path, monkeypatch, capsys):
    """The default path for real: venv in the data dir + `pip install <repo>`, run in-process on a
    stand-in repository (a stub `vfi-slowmo` without dependencies: no download, no torch)."""
    repo = tmp_path / "repo"
    (repo / "vfi_plugin").mkdir(parents=True)
    (repo / "vfi_plugin" / "__init__.py").write_text("def main():\n    return 0\n")
    (repo / "stub_backend.py").write_text(STUB_BACKEND)
    (repo / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "stub_backend"\nbackend-path = ["."]\n\n'
        '[project]\nname = "vfi-slowmo"\nversion = "0.1.0"\n')
    (tmp_path / "sandbox").mkdir()
    box = Sandbox(tmp_path / "sandbox")
    for key in list(os.environ):
        if key.startswith(("PIP_", "VIRTUAL_ENV")):
            monkeypatch.delenv(key)
    for key, value in box.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # offline: everything is local
    monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")
    # rustup's proxies on some machines' PATH write ~/.rustup when venv runs tools: not ours
    monkeypatch.setenv("PATH", os.pathsep.join(
        p for p in os.environ["PATH"].split(os.pathsep) if ".cargo" not in p))
    monkeypatch.delenv("BLENDER_USER_SCRIPTS", raising=False)
    inst = load_installer()
    monkeypatch.setattr(inst.environment, "REPO", repo)
    base = Path(sys.base_prefix) / "bin" / "python3"
    if os.name != "nt" and base.exists():  # build the venv from a plain Python, as a user would
        monkeypatch.setattr(inst.sys, "executable", str(base))
    before = box.snapshot()

    assert inst.main(["--hosts", "desktop"]) == 0
    venv = box.data / "vfi-slowmo" / "venv"
    assert (venv / "bin" / "vfi-slowmo").is_file()
    desktop = (box.data / "applications" / "vfi-slowmo.desktop").read_text()
    assert f"Exec={venv / 'bin' / 'vfi-slowmo-gui'} %f" in desktop
    manifest = json.loads((box.data / "vfi-slowmo" / "install-manifest.json").read_text())
    assert manifest["venv"] == str(venv)
    capsys.readouterr()

    assert inst.main(["--hosts", "desktop"]) == 0       # second run: no venv, no pip, no writes
    assert "nothing to do" in capsys.readouterr().out

    assert inst.main(["--uninstall"]) == 0
    assert box.snapshot() == before


def make_env_with_hosts(root: Path, version: str = "0.0.9") -> tuple[Path, Path]:
    """A venv (no pip) holding a stand-in SlowMo `version` whose host files differ from the
    repository's. Returns (venv, its vfi_plugin/resources/hosts)."""
    venv = root / "other-env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=300)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    purelib = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                  capture_output=True, text=True, check=True).stdout.strip())
    resources = purelib / "vfi_plugin" / "resources"
    resources.mkdir(parents=True)
    (purelib / "vfi_plugin" / "__init__.py").write_text("")
    (resources / "__init__.py").write_text("")
    dist = purelib / f"vfi_slowmo-{version}.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: vfi-slowmo\nVersion: {version}\n")
    hosts = resources / "hosts"
    shutil.copytree(ROOT / "resources" / "hosts", hosts, ignore=shutil.ignore_patterns("__pycache__"))
    modules = purelib / "vfi_plugin" / "hosts"
    modules.mkdir()
    for name in SHARED_MODULES:
        shutil.copyfile(ROOT / "vfi_plugin" / "hosts" / name, modules / name)
    for path in (hosts / "blender/slowmo_vse/__init__.py", hosts / "nuke/menu.py",
                 hosts / "resolve/SlowMo.py", *(modules / name for name in SHARED_MODULES)):
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"# the copy in SlowMo {version}'s environment\n")
    with open(hosts / "desktop" / "vfi-slowmo.desktop", "a", encoding="utf-8") as fh:
        fh.write(f"X-SlowMo-Version={version}\n")
    return venv, hosts


def test_host_files_come_from_the_registered_environment(box, tmp_path_factory):
    """--use-env/--python: every host gets the files of the SlowMo it will run, not the repository's."""
    venv, hosts = make_env_with_hosts(tmp_path_factory.mktemp("env"))  # outside the sandbox
    before = box.snapshot()
    proc = box.run("--use-env", str(venv), "--no-system-packages", python=None)
    assert "SlowMo 0.0.9" in proc.stdout
    modules = hosts.parent.parent / "hosts"  # the environment's vfi_plugin/hosts
    for name in ("__init__.py", *SHARED_MODULES):
        installed = (blender_addon(box) / name).read_bytes()
        theirs = hosts / "blender" / "slowmo_vse" / name if name == "__init__.py" else modules / name
        assert installed == theirs.read_bytes()
        assert installed.endswith(b"# the copy in SlowMo 0.0.9's environment\n")
    cfg = json.loads((blender_addon(box) / "slowmo_config.json").read_text())
    assert cfg["version"] == "0.0.9" and Path(cfg["cli"]).parent.parent == venv
    assert (box.home / ".nuke" / "slowmo" / "menu.py").read_bytes() == (hosts / "nuke" / "menu.py").read_bytes()
    script = (box.home / ".local/share/DaVinciResolve/Fusion/Scripts/Utility/SlowMo.py").read_text()
    assert script.endswith("# the copy in SlowMo 0.0.9's environment\n")
    assert "X-SlowMo-Version=0.0.9" in (box.data / "applications" / "vfi-slowmo.desktop").read_text()
    box.run("--uninstall", python=None)
    assert box.snapshot() == before


def test_existing_env_without_host_files_is_refused(box, tmp_path_factory):
    """An environment whose SlowMo lacks host files is refused: no files of another version."""
    venv, hosts = make_env_with_hosts(tmp_path_factory.mktemp("env"))
    shutil.rmtree(hosts)
    before = box.snapshot()
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    proc = box.run("--no-system-packages", python=str(python), check=False)
    assert proc.returncode != 0 and "has no host files" in proc.stderr
    assert box.snapshot() == before
