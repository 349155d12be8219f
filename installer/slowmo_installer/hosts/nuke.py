"""Nuke: ~/.nuke/slowmo/menu.py + slowmo_config.json, and one marked line in ~/.nuke/init.py."""
from __future__ import annotations

import json
from pathlib import Path

from ..environment import exe
from ..locations import nuke_dir
from ..manifest import Manifest
from .common import config_bytes, site_dirs, source

MARK = "# added by the vfi-slowmo installer (install.py --uninstall removes it)"


def init_line(folder: Path) -> str:
    """The line in init.py that adds ``folder`` to Nuke's plugin path."""
    return f"__import__('nuke').pluginAddPath({json.dumps(folder.as_posix())})  {MARK}"


def install(m: Manifest, env: dict, forced: bool) -> None:
    """Install the menu and its config; register the folder with one line in init.py."""
    base = nuke_dir()
    if not base.is_dir() and not forced:
        m.out.detail("nuke: ~/.nuke not found (run Nuke once, or pass --hosts nuke)")
        return
    folder = base / "slowmo"
    m.write_file(folder / "menu.py", source(env, "nuke", "menu.py").read_bytes(), "nuke")
    config = {"python": env["python"], "python_version": env["python_version"],
              "site_packages": site_dirs(env), "cli": exe(env["scripts"], "vfi-slowmo")}
    m.write_file(folder / "slowmo_config.json", config_bytes(config), "nuke")
    m.add_line(base / "init.py", init_line(folder), "nuke")
