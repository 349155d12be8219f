"""Linux desktop entry: $XDG_DATA_HOME/applications/vfi-slowmo.desktop for `vfi-slowmo-gui`."""
from __future__ import annotations

import re
from pathlib import Path

from ..environment import exe
from ..locations import IS_MAC, IS_WINDOWS, xdg_data_home
from ..manifest import Manifest
from .common import source

ICONS = ("slowmo-256.png", "slowmo-512.png", "slowmo-128.png", "slowmo.svg")


def quote(path: str) -> str:
    """``path`` as a desktop-entry Exec argument."""
    if re.search(r'[\s"\'\\$`]', path):
        return '"' + re.sub(r'(["`$\\])', r"\\\1", path) + '"'
    return path


def icon(env: dict) -> str:
    """The environment's SlowMo icon file, or a theme icon name."""
    if env.get("resources"):
        for name in ICONS:
            candidate = Path(env["resources"]) / "icons" / name
            if candidate.is_file():
                return str(candidate)
    return "video-x-generic"


def install(m: Manifest, env: dict, forced: bool) -> None:
    """Write the desktop entry (Linux only) that starts the environment's GUI."""
    if IS_MAC or IS_WINDOWS:
        (m.out.say if forced else m.out.detail)("desktop: only Linux desktop entries are made")
        return
    text = source(env, "desktop", "vfi-slowmo.desktop").read_text(encoding="utf-8")
    text = text.replace("@EXEC@", quote(exe(env["scripts"], "vfi-slowmo-gui")))
    text = text.replace("@ICON@", icon(env))
    m.write_file(xdg_data_home() / "applications" / "vfi-slowmo.desktop", text.encode("utf-8"), "desktop")
