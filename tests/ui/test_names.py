"""Names in one place (vfi_plugin/names.py), and a test run that leaves no folder behind."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from vfi_plugin import names

ROOT = Path(__file__).resolve().parents[2]
# folders whose Python reads the product's variables (hosts/common.py and the Blender
# add-on keep their own copies: they are shipped into the editors' Pythons alone)
SOURCES = ("vfi_plugin", "ui", "tools", "benchmarks", "installer")


def test_every_variable_the_code_reads_is_named_in_names_py():
    pattern = re.compile(r"['\"]((?:VFI_)?SLOWMO_[A-Z_]+)['\"]")
    known = {n for name in names.ALL_ENV for n in names.env_names(name)}
    found = {}
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*.py"):
            for match in pattern.finditer(path.read_text(encoding="utf-8")):
                found.setdefault(match.group(1), path.relative_to(ROOT))
    assert found, "the scan found nothing: the pattern is wrong"
    unknown = {k: str(v) for k, v in found.items() if k not in known}
    assert unknown == {}
    assert all(n.startswith(names.PREFIX) for n in names.ALL_ENV)


def test_env_reads_the_new_name_first_then_the_old(monkeypatch):
    monkeypatch.delenv(names.CLI_ENV, raising=False)
    monkeypatch.setenv("SLOWMO_CLI", "/old/vfi-slowmo")
    assert names.env(names.CLI_ENV) == "/old/vfi-slowmo"
    monkeypatch.setenv(names.CLI_ENV, "/new/vfi-slowmo")
    assert names.env(names.CLI_ENV) == "/new/vfi-slowmo"
    monkeypatch.setenv(names.CLI_ENV, "  ")
    assert names.env(names.CLI_ENV) == "/old/vfi-slowmo"  # blank counts as unset
    assert names.env(names.RIFE_ENV, "x") in ("x", names.env(names.RIFE_ENV))


def test_a_test_run_removes_its_temporary_folder(tmp_path):
    (tmp_path / "test_nothing.py").write_text("def test_nothing():\n    pass\n")
    conftest = ROOT / "tests" / "conftest.py"
    (tmp_path / "conftest.py").write_text(conftest.read_text(encoding="utf-8"))
    temp = tmp_path / "temp"
    temp.mkdir()
    env = {"PATH": "/usr/bin:/bin", "TMPDIR": str(temp), "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           str(tmp_path / "test_nothing.py")], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert [p.name for p in temp.iterdir() if p.name.startswith("slowmo-tests-")] == []


def test_the_host_files_read_the_same_names():
    """hosts/common.py is shipped into editors alone, so it keeps its own copy of the names."""
    from vfi_plugin.hosts import common

    assert common.ENV_CLI in names.env_names(names.CLI_ENV)
    assert common.ENV_PYTHON in names.env_names(names.PYTHON_ENV)
    assert common.ENV_PROGRESS == names.PROGRESS_ENV
    assert common.APP_NAME == names.APP_NAME
    for name, old in getattr(common, "OLD_ENV_NAMES", {}).items():
        assert tuple(old) == names.ALIASES[name]
