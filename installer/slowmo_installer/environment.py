"""The Python environment holding the product, the host files it provides, and ffmpeg.

Default: a venv in the data dir filled with ``pip install <this repository>``. ``--use-env DIR``,
``--python PY`` or ``--no-venv`` (this Python) use an environment that already has SlowMo. Host
files are copied from the registered environment's installed package
(vfi_plugin/resources/hosts), so a host never gets files of another version than it runs.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from . import REPO
from .locations import IS_MAC, IS_WINDOWS
from .manifest import Manifest
from .output import Output

#: the repository's host files: used only for the venv this installer builds from the repository
#: while that venv does not hold them yet (a dry run before it exists)
REPO_HOST_FILES = REPO / "resources" / "hosts"
REPO_HOST_MODULES = REPO / "vfi_plugin" / "hosts"

_ENV_PROBE = r"""
import json, sys, sysconfig
info = {"python": sys.executable, "python_version": "%d.%d" % sys.version_info[:2],
        "scripts": sysconfig.get_path("scripts"), "purelib": sysconfig.get_path("purelib"),
        "version": None, "package_root": None, "resources": None}
try:
    from importlib.metadata import version
    info["version"] = version("vfi-slowmo")
except Exception:
    pass
try:
    import importlib.util, os
    spec = importlib.util.find_spec("vfi_plugin")
    if spec and spec.origin:
        info["package_root"] = os.path.dirname(os.path.dirname(spec.origin))
    spec = importlib.util.find_spec("vfi_plugin.resources")
    if spec and spec.submodule_search_locations:
        info["resources"] = list(spec.submodule_search_locations)[0]
except Exception:
    pass
print(json.dumps(info))
"""


def venv_python(venv: Path) -> Path:
    """The Python executable of the venv in ``venv``."""
    return venv / ("Scripts/python.exe" if IS_WINDOWS else "bin/python")


def exe(scripts: str, name: str) -> str:
    """The path of console script ``name`` in an environment's scripts folder."""
    return str(Path(scripts) / (name + ".exe" if IS_WINDOWS else name))


def clean_env() -> dict:
    """This process's environment without PYTHONHOME/PYTHONPATH (they would leak into others)."""
    env = dict(os.environ)
    for key in ("PYTHONHOME", "PYTHONPATH"):
        env.pop(key, None)
    return env


def probe_env(python: Path) -> dict | None:
    """Ask ``python`` about its environment and SlowMo in it; None when it does not run."""
    try:
        # run from a neutral folder: `python -c` puts the current folder on sys.path, and the
        # installer usually runs from the repository, whose own vfi_plugin must not be seen
        out = subprocess.run([str(python), "-c", _ENV_PROBE], capture_output=True, text=True,
                             timeout=120, env=clean_env(), cwd=tempfile.gettempdir())
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    try:
        return json.loads(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None


def repo_version() -> str | None:
    """The version in the repository's pyproject.toml."""
    try:
        text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    except OSError:
        return None
    m = re.search(r'^version\s*=\s*"([^"]+)"', text, re.M)
    return m.group(1) if m else None


def predicted_env(venv: Path) -> dict:
    """What a venv made by this Python will look like (for --dry-run before it exists)."""
    ver = "%d.%d" % sys.version_info[:2]
    if IS_WINDOWS:
        scripts, purelib = venv / "Scripts", venv / "Lib" / "site-packages"
    else:
        scripts, purelib = venv / "bin", venv / "lib" / f"python{ver}" / "site-packages"
    return {"python": str(venv_python(venv)), "python_version": ver, "scripts": str(scripts),
            "purelib": str(purelib), "version": repo_version(), "package_root": str(purelib),
            "resources": str(purelib / "vfi_plugin" / "resources")}


def with_host_files(info: dict, existing: bool) -> dict:
    """Set info["host_files"] and info["host_modules"]: the environment's own
    vfi_plugin/resources/hosts and vfi_plugin/hosts (the modules the Blender add-on copies).

    An existing environment must have them (its version is what the hosts will run); the venv
    built from this repository falls back to the repository's copies while it lacks them.
    """
    folder = Path(info["resources"]) / "hosts" if info.get("resources") else None
    modules = (Path(info["package_root"]) / "vfi_plugin" / "hosts"
               if info.get("package_root") else None)
    if folder is not None and folder.is_dir() and modules is not None and modules.is_dir():
        info["host_files"], info["host_modules"] = str(folder), str(modules)
    elif existing:
        raise SystemExit(f"error: SlowMo {info.get('version') or ''} in {info['python']}'s "
                         f"environment has no host files (vfi_plugin/resources/hosts, "
                         f"vfi_plugin/hosts): update it there (pip install --upgrade {REPO})")
    else:
        info["host_files"], info["host_modules"] = str(REPO_HOST_FILES), str(REPO_HOST_MODULES)
    return info


def existing_env(python: Path, out: Output) -> dict:
    """Probe the environment of ``python``; refuse one without SlowMo."""
    info = probe_env(python)
    if info is None:
        raise SystemExit(f"error: {python} does not run: give a Python of an environment "
                         f"with SlowMo installed")
    if info["version"] is None and info["package_root"] is None:
        raise SystemExit(f"error: SlowMo is not installed in {python}'s environment "
                         f"(pip install {REPO} there, or leave out --use-env/--python)")
    out.say(f"using the existing environment of {info['python']} (SlowMo {info['version']})")
    return with_host_files(info, existing=True)


def own_venv(m: Manifest, upgrade: bool = False) -> dict:
    """Create or update <data dir>/venv with ``pip install <repository>``; return its probe."""
    out, venv = m.out, m.folder / "venv"
    python = venv_python(venv)
    if sys.version_info < (3, 10):
        raise SystemExit("error: SlowMo needs Python 3.10 or newer to build its environment")
    if not python.exists():
        out.change(f"create a Python environment in {venv}")
        if not m.dry:
            m.ensure_dir(m.folder, host="core")
            made = subprocess.run([sys.executable, "-m", "venv", str(venv)])
            if made.returncode != 0:
                shutil.rmtree(venv, ignore_errors=True)
                raise SystemExit(f"error: {sys.executable} cannot create a venv (on Debian/Ubuntu: "
                                 f"apt-get install python3-venv), or pass --use-env/--python")
            m.data["venv"] = str(venv)
            m.save()  # from here on, --uninstall knows about the venv
    info = probe_env(python) if python.exists() else None
    wanted = repo_version()
    if info is None or info["version"] != wanted or upgrade:
        out.change(f"pip install {REPO} into {venv} (SlowMo {wanted}, torch==2.13.0; "
                   f"downloads about 1 GB the first time)")
        if not m.dry:
            cmd = [str(python), "-m", "pip", "install", "--disable-pip-version-check"]
            if upgrade:
                cmd.append("--upgrade")
            if subprocess.run(cmd + [str(REPO)], env=clean_env()).returncode != 0:
                raise SystemExit(f"error: pip could not install SlowMo into {venv} (see above); "
                                 f"run the installer again once that is fixed, or --uninstall")
            info = probe_env(python)
            if info is None or info["version"] is None:
                raise SystemExit(f"error: installing SlowMo into {venv} failed")
    if m.data.get("venv") is None and python.exists() and not m.dry:
        m.data["venv"] = str(venv)
    return with_host_files(info or predicted_env(venv), existing=False)


def product_env(m: Manifest, use_env: str | None = None, python: str | None = None,
                no_venv: bool = False, upgrade: bool = False) -> dict:
    """The environment to register: the one named (--use-env/--python/--no-venv) or our venv."""
    if use_env or python or no_venv:
        exe_path = (Path(python) if python else venv_python(Path(use_env)) if use_env
                    else Path(sys.executable))
        return existing_env(exe_path, m.out)
    return own_venv(m, upgrade)


def check_ffmpeg(m: Manifest, allow_apt: bool = True) -> None:
    """ffmpeg/ffprobe on PATH; else apt-get them (Debian/Ubuntu as root) or say how."""
    out = m.out
    if shutil.which("ffmpeg") and shutil.which("ffprobe"):
        out.detail(f"ffmpeg: {shutil.which('ffmpeg')}")
        return
    debian = Path("/etc/debian_version").exists()
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    if sys.platform.startswith("linux") and debian and root and shutil.which("apt-get") and allow_apt:
        out.change("apt-get install -y ffmpeg (ffmpeg/ffprobe are not on PATH)")
        if not m.dry:
            env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
            subprocess.run(["apt-get", "install", "-y", "ffmpeg"], check=False, env=env)
            if not (shutil.which("ffmpeg") and shutil.which("ffprobe")):
                subprocess.run(["apt-get", "update"], check=False, env=env)
                subprocess.run(["apt-get", "install", "-y", "ffmpeg"], check=False, env=env)
            if shutil.which("ffmpeg"):
                packages = m.data.setdefault("system_packages", [])
                if "ffmpeg" not in packages:
                    packages.append("ffmpeg")
                return
    if IS_MAC:
        how = "brew install ffmpeg"
    elif IS_WINDOWS:
        how = "winget install Gyan.FFmpeg (then open a new terminal)"
    elif debian:
        how = "sudo apt-get install ffmpeg"
    else:
        how = "install ffmpeg with your system's package manager"
    out.warn(f"ffmpeg and ffprobe are not on PATH; SlowMo needs them: {how}")
