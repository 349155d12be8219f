"""Shared test set-up: tests/ on sys.path (for clips.py), caches and settings in tmp folders."""
from __future__ import annotations

import os
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def pytest_configure(config):
    import tempfile

    # Keep proxies and settings written by tests out of the user's real folders.
    base = Path(tempfile.mkdtemp(prefix="slowmo-tests-"))
    os.environ.setdefault("VFI_SLOWMO_CACHE_DIR", str(base / "cache"))
    os.environ.setdefault("VFI_SLOWMO_CONFIG_DIR", str(base / "config"))
