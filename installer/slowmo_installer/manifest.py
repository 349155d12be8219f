"""The install manifest: every file written, folder created and line added; and their removal.

<data dir>/install-manifest.json lets ``--uninstall`` remove exactly what was added. Files are
compared before writing (a second run changes nothing); files someone else wrote or changed
are left alone with a warning unless forced.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from .output import Output

MANIFEST_NAME = "install-manifest.json"
MANIFEST_VERSION = 1


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def atomic_write(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``path`` through a temporary file in its folder, so it is never half written."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=str(path.parent))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class Manifest:
    """What SlowMo installed; every write and removal goes through here (and obeys dry runs)."""

    def __init__(self, folder: Path, out: Output, force: bool = False) -> None:
        self.folder = folder
        self.path = folder / MANIFEST_NAME
        self.out = out
        self.dry = out.dry
        self.force = force
        self.data = self._load()
        self.planned: set[str] = set()  # files this run installs (to find stale ones)

    def _load(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(data, dict):
                data.setdefault("files", {})
                data.setdefault("dirs", [])
                data.setdefault("lines", [])
                return data
        except (OSError, ValueError):
            pass
        return {"version": MANIFEST_VERSION, "files": {}, "dirs": [], "lines": [], "venv": None}

    def save(self) -> None:
        """Write the manifest (not in a dry run, and not at all when nothing is installed)."""
        if self.dry:
            return
        d = self.data
        if not d["files"] and not d["lines"] and not d.get("venv") and not self.path.exists():
            return  # nothing installed: leave no trace
        self.ensure_dir(self.folder, host="core")
        text = json.dumps(d, indent=2, sort_keys=True) + "\n"
        try:
            if self.path.read_text(encoding="utf-8") == text:
                return
        except OSError:
            pass
        atomic_write(self.path, text.encode("utf-8"))

    # --- recording ---
    def ensure_dir(self, path: Path, record: bool = True, host: str = "core") -> None:
        """Create ``path`` and missing parents; record each folder created (for uninstall)."""
        missing = []
        p = path
        while not p.exists():
            missing.append(p)
            if p.parent == p:
                break
            p = p.parent
        for d in reversed(missing):
            if self.dry:
                continue
            d.mkdir()
            if record and str(d) not in [e["path"] for e in self.data["dirs"]]:
                self.data["dirs"].append({"path": str(d), "host": host or "core"})

    def write_file(self, path: Path, data: bytes, host: str, mode: int = 0o644) -> None:
        """Install one file for ``host``, unless it is already so or someone else's."""
        key = str(path)
        self.planned.add(key)
        known = self.data["files"].get(key)
        try:
            current = path.read_bytes()
        except FileNotFoundError:
            current = None
        if current == data:
            if known is None:  # identical file already there (e.g. a manual copy): adopt it
                self.data["files"][key] = {"sha256": sha256(data), "host": host}
            return
        if current is not None and known is None and not self.force:
            self.out.warn(f"{path} exists and was not written by SlowMo: left alone (--force replaces it)")
            return
        if current is not None and known is not None and sha256(current) != known["sha256"] \
                and not self.force:
            self.out.warn(f"{path} was changed since SlowMo installed it: left alone (--force replaces it)")
            return
        self.out.change(f"{'update' if current is not None else 'write'} {path}")
        if self.dry:
            return
        self.ensure_dir(path.parent, host=host)
        atomic_write(path, data, mode)
        self.data["files"][key] = {"sha256": sha256(data), "host": host}

    def add_line(self, path: Path, line: str, host: str) -> None:
        """Append one marked line to a user's file (created if missing); no-op if present."""
        lines = self.data["lines"]
        try:
            text = path.read_text(encoding="utf-8")
            existed = True
        except FileNotFoundError:
            text, existed = "", False
        if line in text.splitlines():
            if not any(e["file"] == str(path) and e["line"] == line for e in lines):
                lines.append({"file": str(path), "line": line, "host": host,
                              "created_file": False, "added_newline": False})
            return
        added_newline = bool(text) and not text.endswith("\n")
        self.out.change(f"add one line to {path}")
        if self.dry:
            return
        self.ensure_dir(path.parent, host=host)
        mtime_before = path.stat().st_mtime_ns if existed else None
        with open(path, "a", encoding="utf-8", newline="") as fh:
            fh.write(("\n" if added_newline else "") + line + "\n")
        # both times: uninstall puts the old mtime back if nobody touched the file meanwhile
        lines.append({"file": str(path), "line": line, "host": host, "created_file": not existed,
                      "added_newline": added_newline, "mtime_before": mtime_before,
                      "mtime_after": path.stat().st_mtime_ns})

    # --- removal ---
    def remove_stale(self, hosts: list[str]) -> None:
        """Files an earlier run installed for these hosts that this run no longer installs."""
        for key, entry in list(self.data["files"].items()):
            if entry.get("host") in hosts and key not in self.planned:
                self.remove_file(Path(key), entry)

    def remove_file(self, path: Path, entry: dict) -> None:
        """Remove an installed file, unless it was changed since (then forget it)."""
        files = self.data["files"]
        try:
            current = path.read_bytes()
        except FileNotFoundError:
            if not self.dry:
                files.pop(str(path), None)
            return
        if sha256(current) != entry["sha256"] and not self.force:
            self.out.warn(f"{path} was changed since SlowMo installed it: kept (--force removes it)")
            if not self.dry:
                files.pop(str(path), None)
            return
        self.out.change(f"remove {path}")
        if not self.dry:
            path.unlink()
            files.pop(str(path), None)

    def remove_line(self, entry: dict) -> None:
        """Take out the line ``add_line`` added, leaving the rest of the file byte-exact."""
        path = Path(entry["file"])
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            if not self.dry:
                self.data["lines"].remove(entry)
            return
        block = ("\n" if entry.get("added_newline") else "") + entry["line"] + "\n"
        if block in text:
            idx = text.rfind(block)
            new = text[:idx] + text[idx + len(block):]
        else:
            kept = [ln for ln in text.splitlines(keepends=True) if ln.rstrip("\r\n") != entry["line"]]
            new = "".join(kept)
        if new == text:
            if not self.dry:
                self.data["lines"].remove(entry)
            return
        if entry.get("created_file") and not new.strip():
            self.out.change(f"remove {path} (only held SlowMo's line)")
            if not self.dry:
                path.unlink()
        else:
            self.out.change(f"remove SlowMo's line from {path}")
            if not self.dry:
                untouched = path.stat().st_mtime_ns == entry.get("mtime_after")
                with open(path, "w", encoding="utf-8", newline="") as fh:
                    fh.write(new)
                if untouched and entry.get("mtime_before") is not None:
                    st = path.stat()
                    os.utime(path, ns=(st.st_atime_ns, entry["mtime_before"]))
        if not self.dry:
            self.data["lines"].remove(entry)

    def remove_dirs(self, hosts: list[str], also_gone: tuple[str, ...] | list[str] = ()) -> None:
        """Folders this installer created, deepest first, once empty (their __pycache__ goes too)."""
        gone: set[str] = set(also_gone) if self.dry else set()  # what a dry run would have removed
        if self.dry:
            gone.update(k for k, e in self.data["files"].items() if e.get("host") in hosts)
        entries = [e for e in self.data["dirs"] if e.get("host") in hosts]
        for entry in sorted(entries, key=lambda e: -len(Path(e["path"]).parts)):
            d = Path(entry["path"])
            if not d.is_dir():
                if not self.dry:
                    self.data["dirs"].remove(entry)
                continue
            pycache = d / "__pycache__"
            if pycache.is_dir() and all(p.suffix == ".pyc" for p in pycache.iterdir()):
                self.out.change(f"remove {pycache}")
                gone.add(str(pycache))
                if not self.dry:
                    shutil.rmtree(pycache)
            leftovers = [p for p in d.iterdir() if str(p) not in gone]
            if leftovers:
                names = ", ".join(sorted(p.name for p in leftovers)[:5])
                self.out.warn(f"{d} is not empty, kept: {names}")
                if not self.dry:
                    self.data["dirs"].remove(entry)
                continue
            self.out.change(f"remove folder {d}")
            gone.add(str(d))
            if not self.dry:
                d.rmdir()
                self.data["dirs"].remove(entry)

    def uninstall(self, hosts: list[str], partial: bool) -> None:
        """Remove what was installed for ``hosts``; unless ``partial``, also the venv and manifest."""
        for key, entry in sorted(self.data["files"].items()):
            if entry.get("host") in hosts:
                self.remove_file(Path(key), entry)
        for entry in list(self.data["lines"]):
            if entry.get("host") in hosts:
                self.remove_line(entry)
        if partial:
            self.remove_dirs(hosts)
            self.save()
            return
        venv = self.data.get("venv")
        if venv and Path(venv).is_dir():
            self.out.change(f"remove the SlowMo environment {venv}")
            if not self.dry:
                shutil.rmtree(venv)
        if self.data.get("system_packages"):
            self.out.say("note: ffmpeg was installed with apt-get; `apt-get remove ffmpeg` if unneeded")
        if self.path.exists():
            self.out.change(f"remove {self.path}")
            if not self.dry:
                self.path.unlink()
        self.remove_dirs([*hosts, "core"], also_gone=[str(self.path), str(venv)])
