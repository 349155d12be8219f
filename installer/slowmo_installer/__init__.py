"""SlowMo's per-user installer as a package, one job per module (standard library only).

locations    per-OS folders: the data dir, XDG, Blender, Resolve and Nuke folders
output       what it says: each change ("would ..." in a dry run), warnings, details
manifest     the record of every file, folder and line added; uninstall removes exactly those
environment  the environment holding the product (venv, --use-env, --python, --no-venv), ffmpeg
hosts        one module per host: blender, nuke, resolve, desktop
cli          the options and the order of the steps (installer/install.py runs it)
"""
from __future__ import annotations

from pathlib import Path

#: the repository this installer belongs to (``pip install`` source of its own venv)
REPO = Path(__file__).resolve().parents[2]
