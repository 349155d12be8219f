"""The GUI's preferences, typed: ``PanelPrefs`` (the panel's choices), the last folder,
the recent files and the window's geometry, kept in an INI file through QSettings.

Every key is named here and nowhere else. The file lives in
``platformdirs.user_config_dir("vfi-slowmo")`` unless ``$VFI_SLOWMO_CONFIG_DIR``
names another folder (tests point it at a temp dir). A value that does not
parse, or names a choice that no longer exists, reads as the default.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from PySide6.QtCore import QByteArray, QSettings

from vfi_plugin.media import CODECS, DEFAULT_CODEC
from vfi_plugin.names import APP_NAME, CONFIG_ENV, env
from vfi_plugin.session.state import AUDIO_LABELS, DEVICE_LABELS, MODES, clamp_factor

FILE_NAME = "gui.ini"
MAX_RECENT = 10


class Key:
    """The INI file's keys."""

    FACTOR = "retime/factor"
    MODE = "retime/mode"
    CODEC = "output/codec"
    AUDIO = "output/audio"
    DEVICE = "output/device"
    FOLDER = "output/folder"
    LAST_FOLDER = "paths/last_folder"
    RECENT = "recent/files"
    GEOMETRY = "window/geometry"


def config_dir() -> Path:
    """The folder holding the GUI's settings file."""
    override = env(CONFIG_ENV)
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


def _choice(settings: QSettings, key: str, choices, default: str) -> str:
    value = read_str(settings, key, default)
    return value if value in choices else default


@dataclass
class PanelPrefs:
    """The panel's choices that outlive a session."""

    factor: float = 2.0
    mode: str = "slowmo"
    codec: str = DEFAULT_CODEC
    audio: str = "auto"
    device: str = "auto"
    folder: str = ""  # the output folder ("": next to each source)

    @classmethod
    def load(cls, settings: QSettings) -> PanelPrefs:
        try:
            factor = clamp_factor(float(read_str(settings, Key.FACTOR, "2")))
        except ValueError:
            factor = 2.0
        return cls(factor=factor,
                   mode=_choice(settings, Key.MODE, MODES, "slowmo"),
                   codec=_choice(settings, Key.CODEC, CODECS, DEFAULT_CODEC),
                   audio=_choice(settings, Key.AUDIO, AUDIO_LABELS, "auto"),
                   device=_choice(settings, Key.DEVICE, DEVICE_LABELS, "auto"),
                   folder=read_str(settings, Key.FOLDER, "").strip())

    def save(self, settings: QSettings, factor_text: str) -> None:
        settings.setValue(Key.FACTOR, factor_text)
        settings.setValue(Key.MODE, self.mode)
        settings.setValue(Key.CODEC, self.codec)
        settings.setValue(Key.AUDIO, self.audio)
        settings.setValue(Key.DEVICE, self.device)
        settings.setValue(Key.FOLDER, self.folder)
        settings.sync()


def last_folder(settings: QSettings) -> str:
    """The folder the Open dialog starts in (the last clip's, else home)."""
    return read_str(settings, Key.LAST_FOLDER, str(Path.home()))


def set_last_folder(settings: QSettings, folder: str | os.PathLike[str]) -> None:
    settings.setValue(Key.LAST_FOLDER, str(folder))


def read_list(settings: QSettings, key: str) -> list[str]:
    """A string list; INI files give back a bare string when the list had one item."""
    value = settings.value(key, [])
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value if v]


def recent_files(settings: QSettings) -> list[str]:
    return read_list(settings, Key.RECENT)


def add_recent_file(settings: QSettings, path: str | os.PathLike[str]) -> list[str]:
    """Put ``path`` first in the recent-files list (deduplicated, capped) and save it."""
    text = str(Path(path).resolve())
    files = [text] + [f for f in recent_files(settings) if f != text]
    files = files[:MAX_RECENT]
    settings.setValue(Key.RECENT, files)
    settings.sync()
    return files


def clear_recent_files(settings: QSettings) -> None:
    settings.remove(Key.RECENT)
    settings.sync()


def window_geometry(settings: QSettings) -> QByteArray | None:
    value = settings.value(Key.GEOMETRY)
    return value if isinstance(value, QByteArray) and not value.isEmpty() else None


def save_window_geometry(settings: QSettings, geometry: QByteArray) -> None:
    settings.setValue(Key.GEOMETRY, geometry)
