"""DaVinci Resolve: SlowMo.py (its settings line filled in) in Fusion/Scripts/Utility."""
from __future__ import annotations

import json
import re
from pathlib import Path

from ..environment import exe
from ..locations import resolve_installed, resolve_user_dir
from ..manifest import Manifest
from .common import site_dirs, source

CONFIG_LINE = re.compile(r"^INSTALL_CONFIG = .*# SLOWMO-INSTALL-CONFIG.*$", re.M)


def script(template: Path, config: dict) -> bytes:
    """The Resolve script ``template`` with its INSTALL_CONFIG line set to ``config``."""
    text = template.read_text(encoding="utf-8")
    line = f"INSTALL_CONFIG = {json.dumps(config, sort_keys=True)}  # SLOWMO-INSTALL-CONFIG (installer)"
    new, n = CONFIG_LINE.subn(lambda _: line, text, count=1)
    if n != 1:
        raise SystemExit(f"error: {template} lost its INSTALL_CONFIG line")
    return new.encode("utf-8")


def install(m: Manifest, env: dict, forced: bool) -> None:
    """Install the Workspace > Scripts entry, configured for the environment."""
    if not resolve_installed() and not forced:
        m.out.detail("resolve: DaVinci Resolve not found")
        return
    dest = resolve_user_dir() / "Fusion" / "Scripts" / "Utility" / "SlowMo.py"
    config = {"python": env["python"], "site_packages": site_dirs(env),
              "cli": exe(env["scripts"], "vfi-slowmo")}
    m.write_file(dest, script(source(env, "resolve", "SlowMo.py"), config), "resolve")
