"""Where the GUI keeps its preferences: an INI file read and written through QSettings.

The file lives in ``platformdirs.user_config_dir("vfi-slowmo")`` unless
``$VFI_SLOWMO_CONFIG_DIR`` names another folder (tests point it at a temp dir).
"""
from __future__ import annotations

import os
from pathlib import Path

import platformdirs
from PySide6.QtCore import QSettings


CONFIG_ENV = "VFI_SLOWMO_CONFIG_DIR"
APP_NAME = "vfi-slowmo"
FILE_NAME = "gui.ini"
MAX_RECENT = 10


def config_dir() -> Path:
    """The folder holding the GUI's settings file."""
    override = os.environ.get(CONFIG_ENV, "").strip()
    return Path(override) if override else Path(platformdirs.user_config_dir(APP_NAME))


def settings_path() -> Path:
    return config_dir() / FILE_NAME


def open_settings(parent=None) -> QSettings:
    """A QSettings on the GUI's INI file (the folder is created when missing)."""
    path = settings_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass  # QSettings then simply cannot save; the GUI still works
    return QSettings(str(path), QSettings.Format.IniFormat, parent)


def read_str(settings: QSettings, key: str, default: str = "") -> str:
    value = settings.value(key, default)
    return default if value is None else str(value)


def read_list(settings: QSettings, key: str) -> list[str]:
    """A string list; INI files give back a bare string when the list had one item."""
    value = settings.value(key, [])
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value if v]


def recent_files(settings: QSettings) -> list[str]:
    return read_list(settings, "recent/files")


def add_recent_file(settings: QSettings, path: str | os.PathLike[str]) -> list[str]:
    """Put ``path`` first in the recent-files list (deduplicated, capped) and save it."""
    text = str(Path(path).resolve())
    files = [text] + [f for f in recent_files(settings) if f != text]
    files = files[:MAX_RECENT]
    settings.setValue("recent/files", files)
    settings.sync()
    return files


def clear_recent_files(settings: QSettings) -> None:
    settings.remove("recent/files")
    settings.sync()
