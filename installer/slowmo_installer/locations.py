"""Per-user folders on Linux, macOS and Windows (platformdirs' answers, without platformdirs)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

APP = "vfi-slowmo"
IS_WINDOWS = os.name == "nt"
IS_MAC = sys.platform == "darwin"


def home() -> Path:
    """The user's home folder."""
    return Path(os.path.expanduser("~"))


def env_dir(name: str, default: Path) -> Path:
    """The absolute folder in environment variable ``name``; ``default`` when unset or relative."""
    value = os.environ.get(name, "").strip()
    return Path(value) if value and os.path.isabs(value) else default


def data_dir() -> Path:
    """platformdirs.user_data_dir('vfi-slowmo'): holds the venv and the install manifest."""
    if IS_MAC:
        return home() / "Library" / "Application Support" / APP
    if IS_WINDOWS:
        return env_dir("LOCALAPPDATA", home() / "AppData" / "Local") / APP / APP
    return xdg_data_home() / APP


def xdg_data_home() -> Path:
    """$XDG_DATA_HOME, default ~/.local/share."""
    return env_dir("XDG_DATA_HOME", home() / ".local" / "share")


def blender_config_base() -> Path:
    """The folder holding Blender's per-version config folders (<base>/<major.minor>)."""
    if IS_MAC:
        return home() / "Library" / "Application Support" / "Blender"
    if IS_WINDOWS:
        return env_dir("APPDATA", home() / "AppData" / "Roaming") / "Blender Foundation" / "Blender"
    return env_dir("XDG_CONFIG_HOME", home() / ".config") / "blender"


def resolve_user_dir() -> Path:
    """DaVinci Resolve's per-user support folder."""
    if IS_MAC:
        return home() / "Library" / "Application Support" / "Blackmagic Design" / "DaVinci Resolve"
    if IS_WINDOWS:
        return (env_dir("APPDATA", home() / "AppData" / "Roaming") / "Blackmagic Design"
                / "DaVinci Resolve" / "Support")
    return home() / ".local" / "share" / "DaVinciResolve"


def resolve_installed() -> bool:
    """Whether Resolve was run by this user or is installed in its standard place."""
    if resolve_user_dir().is_dir():
        return True
    if IS_MAC:
        return Path("/Applications/DaVinci Resolve").exists()
    if IS_WINDOWS:
        pf = os.environ.get("PROGRAMFILES", r"C:\Program Files")
        return (Path(pf) / "Blackmagic Design" / "DaVinci Resolve").exists()
    return Path("/opt/resolve").exists()


def nuke_dir() -> Path:
    """Nuke's per-user folder, ~/.nuke."""
    return home() / ".nuke"
