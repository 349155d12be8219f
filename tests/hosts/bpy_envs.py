"""Blender as a Python module (the `bpy` wheels on PyPI), one venv per version, cached.

Each venv lives in <repo>/.cache/bpy/<version> (git-ignored) and is made once: a CI run on
a clean clone installs each version once (pip's own cache keeps the ~350 MB wheels between
runs), later runs reuse it. A lock makes concurrent test runs wait for one install.

The wheels of 4.2 LTS, 4.5 LTS and 5.0 are built for CPython 3.11 only (manylinux_2_28
x86_64, macOS, Windows x64): elsewhere the tests skip and say so.
"""
from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

from host_support import ROOT

#: Blender version -> the bpy wheel tested (newest release of each line on PyPI)
VERSIONS = {"4.2": "4.2.23", "4.5": "4.5.15", "5.0": "5.0.1"}
CACHE = ROOT / ".cache" / "bpy"
PYTHON_TAG = (3, 11)


def base_python() -> str | None:
    """A CPython 3.11 to build the venvs with: this one, or python3.11 on PATH."""
    if sys.version_info[:2] == PYTHON_TAG and sys.implementation.name == "cpython":
        return sys.executable
    return shutil.which("python%d.%d" % PYTHON_TAG)


def unsupported_reason(version: str) -> str | None:
    """Why no bpy wheel of ``version`` can be installed here, or None when one can."""
    machine = platform.machine().lower()
    intel = machine in ("x86_64", "amd64")
    if sys.platform.startswith("linux") and not intel:
        return f"the bpy wheels are built for x86_64 Linux only, not {machine}"
    if sys.platform == "win32" and not intel:
        return f"the bpy wheels are built for x64 Windows only, not {machine}"
    if sys.platform == "darwin" and intel and version >= "5.0":
        return f"Blender {version} has no Intel macOS build (no bpy wheel for it)"
    if base_python() is None:
        return ("the bpy wheels (4.2-5.0) are built for CPython 3.11 only and no python3.11 is "
                "available here")
    return None


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _lock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(path, "w")
    if os.name != "nt":
        import fcntl

        fcntl.flock(fh, fcntl.LOCK_EX)
    return fh


def bpy_python(version: str, log=print) -> Path:
    """The Python of a venv holding bpy ``VERSIONS[version]`` (made on first use)."""
    wheel = VERSIONS[version]
    venv = CACHE / version
    stamp = venv / "slowmo-bpy-version"
    with _lock(CACHE / f"{version}.lock"):
        if stamp.is_file() and stamp.read_text().strip() == wheel and _venv_python(venv).exists():
            return _venv_python(venv)
        shutil.rmtree(venv, ignore_errors=True)  # an install cut short: its stamp is missing
        started = time.monotonic()
        subprocess.run([base_python(), "-m", "venv", str(venv)], check=True, timeout=300)
        proc = subprocess.run([str(_venv_python(venv)), "-m", "pip", "install", "--no-compile",
                               "--disable-pip-version-check", "-q", f"bpy=={wheel}"],
                              capture_output=True, text=True, timeout=1200)
        if proc.returncode != 0:
            shutil.rmtree(venv, ignore_errors=True)
            raise RuntimeError(f"pip could not install bpy=={wheel}:\n{proc.stdout[-3000:]}"
                               f"\n{proc.stderr[-3000:]}")
        stamp.write_text(wheel + "\n")  # written last: the venv is complete
        log(f"bpy {wheel}: venv made in {time.monotonic() - started:.0f} s ({venv})")
        return _venv_python(venv)
