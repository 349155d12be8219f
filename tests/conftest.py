"""Shared test set-up: tests/ on sys.path (for clips.py), caches and settings in a temporary
folder of the run, removed when the run ends."""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

TESTS = Path(__file__).resolve().parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

_RUN_DIR = "slowmo_run_dir"  # the config attribute holding this run's folder


def pytest_configure(config):
    # Keep proxies and settings written by tests out of the user's real folders.
    base = Path(tempfile.mkdtemp(prefix="slowmo-tests-"))
    setattr(config, _RUN_DIR, base)
    os.environ.setdefault("VFI_SLOWMO_CACHE_DIR", str(base / "cache"))
    os.environ.setdefault("VFI_SLOWMO_CONFIG_DIR", str(base / "config"))


def pytest_unconfigure(config):
    base = getattr(config, _RUN_DIR, None)
    if base is not None:
        shutil.rmtree(base, ignore_errors=True)
