"""The product's names in one place: the app's name and every environment variable it reads.

Stdlib only (the installer and the host adapters may read it too). Every variable
has the one prefix ``VFI_SLOWMO_``; names used before that rule are still read,
after the new one (``env()`` looks them up in order).
"""
from __future__ import annotations

import os

APP_NAME = "vfi-slowmo"      # the command, the distribution, and the per-user folders' name
DISPLAY_NAME = "SlowMo"      # what windows and menus show
PREFIX = "VFI_SLOWMO_"

# -- environment variables (the first name is the one to set; later ones are old names) --
FFMPEG_ENV = "VFI_SLOWMO_FFMPEG"          # the ffmpeg executable
FFPROBE_ENV = "VFI_SLOWMO_FFPROBE"        # the ffprobe executable
CACHE_ENV = "VFI_SLOWMO_CACHE_DIR"        # proxies and other caches
CONFIG_ENV = "VFI_SLOWMO_CONFIG_DIR"      # the GUI's settings file
DATA_ENV = "VFI_SLOWMO_DATA_DIR"          # training data
RIFE_ENV = "VFI_SLOWMO_RIFE_DIR"          # the RIFE reference of the benchmarks
PROGRESS_ENV = "VFI_SLOWMO_PROGRESS"      # the CLI's progress format (a host asks for jsonl)
CLI_ENV = "VFI_SLOWMO_CLI"                # hosts: the product's CLI
PYTHON_ENV = "VFI_SLOWMO_PYTHON"          # hosts: the Python of the product's environment

ALIASES: dict[str, tuple[str, ...]] = {
    CLI_ENV: ("SLOWMO_CLI",),
    PYTHON_ENV: ("SLOWMO_PYTHON",),
}
ALL_ENV = (FFMPEG_ENV, FFPROBE_ENV, CACHE_ENV, CONFIG_ENV, DATA_ENV, RIFE_ENV, PROGRESS_ENV,
           CLI_ENV, PYTHON_ENV)


def env_names(name: str) -> tuple[str, ...]:
    """``name`` and its old names, in the order they are read."""
    return (name, *ALIASES.get(name, ()))


def env(name: str, default: str | None = None) -> str | None:
    """The value of variable ``name`` (or of its first old name that is set); blank is unset."""
    for key in env_names(name):
        value = os.environ.get(key, "").strip()
        if value:
            return value
    return default
