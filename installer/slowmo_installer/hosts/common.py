"""What the host modules share: their source files (from the registered environment), configs."""
from __future__ import annotations

import json
from pathlib import Path


def source(env: dict, *parts: str) -> Path:
    """A host file of the environment being registered (its vfi_plugin/resources/hosts)."""
    return Path(env["host_files"]).joinpath(*parts)


def source_files(folder: Path) -> list[Path]:
    """The files of a host folder to copy (no caches, no config left by a developer)."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                  and p.suffix not in (".pyc", ".pyo") and p.name != "slowmo_config.json")


def site_dirs(env: dict) -> list[str]:
    """Folders a host's own Python adds with site.addsitedir (.pth files: editable installs work)."""
    return [env["purelib"]]


def config_bytes(data: dict) -> bytes:
    """A slowmo_config.json's content."""
    return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8")
