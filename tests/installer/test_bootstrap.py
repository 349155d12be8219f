"""tools/bootstrap.sh's system packages, with stand-ins for id, apt-get and dpkg on PATH.

Runs a copy of the script in a temporary "repository" whose .venv/bin/python is a stand-in
(so no venv is made and pip is not run). Checks: the apt stamp lives in that .venv, not in
the temp folder; the package lists are refreshed on the first run and again once the stamp
is a day old, not in between; --dev asks for the X11 libraries Qt's xcb plugin needs.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(os.name == "nt" or shutil.which("bash") is None,
                                reason="bash script")


def _tool(path: Path, body: str) -> None:
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)


@pytest.fixture
def repo(tmp_path):
    repo = tmp_path / "repo"
    (repo / "tools").mkdir(parents=True)
    shutil.copy(ROOT / "tools" / "bootstrap.sh", repo / "tools" / "bootstrap.sh")
    (repo / ".venv" / "bin").mkdir(parents=True)
    _tool(repo / ".venv" / "bin" / "python", "exit 0")  # pip install -e . : nothing to do
    fake = tmp_path / "fakebin"
    fake.mkdir()
    log = tmp_path / "apt.log"
    _tool(fake / "id", "echo 0")                                   # root
    _tool(fake / "apt-get", f'echo "$*" >> "{log}"')               # records each call
    _tool(fake / "dpkg", "exit 1")                                  # no package installed
    return repo, fake, log


def bootstrap(repo: Path, fake: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{fake}{os.pathsep}{os.environ.get('PATH', '')}", TMPDIR=str(repo.parent))
    proc = subprocess.run(["bash", str(repo / "tools" / "bootstrap.sh"), *args], env=env,
                          capture_output=True, text=True, timeout=120, cwd=str(repo.parent))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def calls(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def test_dev_asks_for_qt_xcb_libraries(repo):
    repo, fake, log = repo
    bootstrap(repo, fake, "--dev")
    installs = [c.split() for c in calls(log) if c.startswith("install")]
    assert len(installs) == 1
    for lib in ("libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxkbcommon-x11-0", "xvfb"):
        assert lib in installs[0]


def test_apt_stamp_is_in_the_venv_and_expires_after_a_day(repo):
    repo, fake, log = repo
    stamp = repo / ".venv" / ".slowmo-apt-updated"
    bootstrap(repo, fake, "--dev")
    assert calls(log)[0] == "update -qq" and stamp.is_file()
    assert not list(repo.parent.glob(".slowmo-apt*"))  # nothing in the (test's) temp folder

    log.unlink()
    bootstrap(repo, fake, "--dev")  # refreshed an instant ago: no second update
    assert not any(c.startswith("update") for c in calls(log))
    assert any(c.startswith("install") for c in calls(log))

    log.unlink()
    old = time.time() - 25 * 3600
    os.utime(stamp, (old, old))
    bootstrap(repo, fake, "--dev")  # a day old: refreshed again
    assert calls(log)[0] == "update -qq" and stamp.stat().st_mtime > old + 3600


def test_failed_install_refreshes_stale_lists_once(repo):
    repo, fake, log = repo
    stamp = repo / ".venv" / ".slowmo-apt-updated"
    stamp.touch()  # refreshed recently ... but apt-get cannot find the packages until updated
    flag = repo.parent / "updated"
    _tool(fake / "apt-get", f'echo "$*" >> "{log}"\n'
                            f'[ "$1" = update ] && touch "{flag}"\n'
                            f'[ "$1" != install ] || [ -f "{flag}" ]')
    bootstrap(repo, fake, "--dev")
    assert [c.split()[0] for c in calls(log)] == ["install", "update", "install"]


def test_mkvtoolnix_is_installed_when_mkvpropedit_is_missing(repo):
    """HDR metadata into MKV outputs needs mkvpropedit: asked for like ffmpeg (here neither
    is on PATH, which holds only what the script runs)."""
    repo, fake, log = repo
    for name in ("bash", "dirname", "find", "mkdir", "touch"):
        (fake / name).symlink_to(shutil.which(name))
    env = dict(os.environ, PATH=str(fake), TMPDIR=str(repo.parent))
    proc = subprocess.run([str(fake / "bash"), str(repo / "tools" / "bootstrap.sh")], env=env,
                          capture_output=True, text=True, timeout=120, cwd=str(repo.parent))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    installs = [c.split() for c in calls(log) if c.startswith("install")]
    assert len(installs) == 1 and {"ffmpeg", "mkvtoolnix"} <= set(installs[0])
