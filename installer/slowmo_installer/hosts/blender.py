"""Blender: the slowmo_vse add-on, an extension from 4.2 on, plus the extension zip.

The add-on is the environment's resources/hosts/blender/slowmo_vse plus the host modules
it shares with the product (``SHARED_MODULES``, copied from the environment's
vfi_plugin/hosts) and a slowmo_config.json naming the environment's CLI. It goes into
every Blender config found: <config>/<v>/extensions/user_default/slowmo_vse for 4.2 and
later (where Blender keeps an extension installed from disk), scripts/addons/slowmo_vse
(legacy add-on) before, and $BLENDER_USER_SCRIPTS/addons when that is set. The same files
zipped, <data dir>/slowmo_vse.zip, install into any Blender 4.2+ (Get Extensions ›
Install from Disk).
"""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

from ..environment import exe
from ..locations import blender_config_base
from ..manifest import Manifest
from .common import config_bytes, source, source_files

ADDON = "slowmo_vse"
#: the modules of vfi_plugin/hosts the add-on runs from a copy (Blender's Python cannot import
#: the product): the CLI's progress lines and paths, the host-file protocol, the CLI process
SHARED_MODULES = ("common.py", "hostfile.py", "render_process.py")
EXTENSIONS_FROM = (4, 2)  # the first Blender with extensions (blender_manifest.toml)
ZIP_NAME = f"{ADDON}.zip"
_ZIP_DATE = (2024, 1, 1, 0, 0, 0)  # fixed: the same files make the same zip, byte for byte


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


def is_extension_version(label: str) -> bool:
    """Whether a config folder's version ('4.2') loads extensions."""
    m = re.fullmatch(r"(\d+)\.(\d+)", label)
    return m is not None and (int(m.group(1)), int(m.group(2))) >= EXTENSIONS_FROM


def addon_dirs() -> list[tuple[str, Path]]:
    """(label, folder the add-on goes into) for every Blender of this user, $BLENDER_USER_SCRIPTS."""
    out = []
    base = blender_config_base()
    versions = []
    if base.is_dir():
        versions = [d.name for d in base.iterdir() if d.is_dir() and re.fullmatch(r"\d+\.\d+", d.name)]
    if not versions:
        version = version_from_path()
        versions = [version] if version else []
    for v in sorted(versions, key=lambda v: tuple(int(x) for x in v.split("."))):
        if is_extension_version(v):
            out.append((v, base / v / "extensions" / "user_default" / ADDON))
        else:
            out.append((v, base / v / "scripts" / "addons" / ADDON))
    user_scripts = os.environ.get("BLENDER_USER_SCRIPTS", "").strip()
    if user_scripts:
        out.append(("$BLENDER_USER_SCRIPTS", Path(user_scripts) / "addons" / ADDON))
    return out


def addon_files(env: dict) -> dict[str, bytes]:
    """The add-on's files (relative path -> bytes) for the environment ``env`` registers."""
    src = source(env, "blender", ADDON)
    files = {f.relative_to(src).as_posix(): f.read_bytes() for f in source_files(src)}
    for name in SHARED_MODULES:
        files[name] = (Path(env["host_modules"]) / name).read_bytes()
    files["slowmo_config.json"] = config_bytes({
        "cli": exe(env["scripts"], "vfi-slowmo"), "python": env["python"], "version": env.get("version")})
    return files


def extension_zip(files: dict[str, bytes]) -> bytes:
    """The extension zip of the add-on's files (its manifest at the top level)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, files[name])
    return buf.getvalue()


def install(m: Manifest, env: dict, forced: bool) -> None:
    """Write the add-on into each Blender found, and the extension zip into the data dir."""
    files = addon_files(env)
    m.write_file(m.folder / ZIP_NAME, extension_zip(files), "blender")
    targets = addon_dirs()
    if not targets:
        (m.out.say if forced else m.out.detail)(
            "blender: no Blender configuration found (run Blender once, or put `blender` on PATH); "
            f"Blender 4.2+: install {m.folder / ZIP_NAME} from Preferences › Get Extensions › "
            "Install from Disk")
        return
    for label, dest in targets:
        m.out.detail(f"blender {label}: {dest}")
        for name, data in files.items():
            m.write_file(dest / name, data, "blender")
