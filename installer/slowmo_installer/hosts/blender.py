"""Blender: the slowmo_vse add-on (+ slowmo_config.json) in every Blender config's scripts/addons."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from ..environment import exe
from ..locations import blender_config_base
from ..manifest import Manifest
from .common import config_bytes, source, source_files


def version_from_path() -> str | None:
    """major.minor of the `blender` on PATH (asks `blender --version`), or None."""
    blender = shutil.which("blender")
    if not blender:
        return None
    try:
        out = subprocess.run([blender, "--version"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r"Blender\s+(\d+)\.(\d+)", out)
    return f"{m.group(1)}.{m.group(2)}" if m else None


def addon_dirs() -> list[tuple[str, Path]]:
    """(label, scripts/addons folder) for every Blender this user has, and $BLENDER_USER_SCRIPTS."""
    out = []
    base = blender_config_base()
    versions = []
    if base.is_dir():
        versions = sorted((d for d in base.iterdir() if d.is_dir() and re.fullmatch(r"\d+\.\d+", d.name)),
                          key=lambda d: tuple(int(x) for x in d.name.split(".")))
    if versions:
        out = [(d.name, d / "scripts" / "addons") for d in versions]
    else:
        version = version_from_path()
        if version:
            out = [(version, base / version / "scripts" / "addons")]
    user_scripts = os.environ.get("BLENDER_USER_SCRIPTS", "").strip()
    if user_scripts:
        out.append(("$BLENDER_USER_SCRIPTS", Path(user_scripts) / "addons"))
    return out


def install(m: Manifest, env: dict, forced: bool) -> None:
    """Copy the add-on and its config naming the environment's CLI into each addons folder."""
    targets = addon_dirs()
    if not targets:
        (m.out.say if forced else m.out.detail)(
            "blender: no Blender configuration found (run Blender once, or put `blender` on PATH)")
        return
    config = config_bytes({"cli": exe(env["scripts"], "vfi-slowmo"), "python": env["python"],
                           "version": env.get("version")})
    src = source(env, "blender", "slowmo_vse")
    files = source_files(src)
    for label, addons in targets:
        m.out.detail(f"blender {label}: {addons}")
        dest = addons / "slowmo_vse"
        for f in files:
            m.write_file(dest / f.relative_to(src), f.read_bytes(), "blender")
        m.write_file(dest / "slowmo_config.json", config, "blender")
