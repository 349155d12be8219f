"""Locate the ffmpeg and ffprobe executables, ask ffmpeg which filters it has, and name
files for their command lines."""
from __future__ import annotations

import os
import shutil
import subprocess

from vfi_plugin.errors import ToolMissingError
from vfi_plugin.names import FFMPEG_ENV, FFPROBE_ENV

_INSTALL_HINT = (
    "install it (Debian/Ubuntu: apt-get install ffmpeg; macOS: brew install ffmpeg) or set {env}"
)


def _find(name: str, env: str) -> str:
    override = os.environ.get(env, "").strip()
    if override:
        found = shutil.which(override)
        if found is None:
            raise ToolMissingError(f"{env}={override}: no such executable; fix or unset {env}")
        return found
    found = shutil.which(name)
    if found is None:
        raise ToolMissingError(f"{name} not found on PATH: " + _INSTALL_HINT.format(env=env))
    return found


def ffmpeg_exe() -> str:
    """Path of the ffmpeg executable ($VFI_SLOWMO_FFMPEG, else PATH)."""
    return _find("ffmpeg", FFMPEG_ENV)


def ffprobe_exe() -> str:
    """Path of the ffprobe executable ($VFI_SLOWMO_FFPROBE, else PATH)."""
    return _find("ffprobe", FFPROBE_ENV)


def has_filter(name: str) -> bool:
    """Whether this ffmpeg has the filter ``name`` (builds differ: e.g. rubberband)."""
    try:
        listing = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-filters"],
                                 capture_output=True, text=True, timeout=30, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return any(len(row.split()) > 1 and row.split()[1] == name
               for row in listing.splitlines())


def file_url(path: str | os.PathLike[str]) -> str:
    """`path` for ffmpeg's and ffprobe's command lines, never taken for an option or protocol.

    Every path handed to them goes through this: "-x.mp4" or "concat:a" are files.
    """
    return "file:" + os.fspath(path)
