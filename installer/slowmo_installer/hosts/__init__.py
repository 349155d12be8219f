"""The editors SlowMo registers with, one module each, all with ``install(m, env, forced)``.

``forced`` is True when ``--hosts`` named the host: it is then installed into its standard
folder even when the editor was not detected (except Blender, which needs a version).
"""
from __future__ import annotations

from typing import Callable

from ..manifest import Manifest
from . import blender, desktop, nuke, resolve

INSTALLERS: dict[str, Callable[[Manifest, dict, bool], None]] = {
    "blender": blender.install, "nuke": nuke.install,
    "resolve": resolve.install, "desktop": desktop.install,
}
NAMES = tuple(INSTALLERS)


def select(spec: str | None) -> tuple[list[str], bool]:
    """The hosts ``--hosts`` names (and True), or all of them for "auto" (and False)."""
    if not spec or spec == "auto":
        return list(NAMES), False
    names = [h.strip().lower() for h in spec.split(",") if h.strip()]
    bad = [h for h in names if h not in NAMES]
    if bad:
        raise SystemExit(f"error: unknown host {', '.join(bad)}: choose from {', '.join(NAMES)}")
    return names, True


def install(m: Manifest, env: dict, names: list[str], forced: bool) -> None:
    """Install these hosts' entry points; remove files earlier runs installed for them only."""
    for name in names:
        INSTALLERS[name](m, env, forced)
    m.remove_stale(names)
