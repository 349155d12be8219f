"""The panel in its own process, for hosts without Qt (Resolve, Blender).

The host-side script writes a *host file* (JSON) and starts
``python -m vfi_plugin.ui --host-file HOST_FILE``; the panel process builds an
``ExternalHost`` from it. Each finished render is appended as one JSON line to
the host file's ``results`` file, which the host side polls (``ResultReader``)
and imports into the editor.

Host file, version 1::

    {"version": 1,
     "host": "Resolve",                       # shown by the panel
     "clip": {"path": "/media/a.mov", "start_frame": 12, "end_frame": 40,   # or null
              "fps": "30000/1001", "name": "a.mov", "extra": {...}},
     "results": "/tmp/slowmo-host-xyz/results.jsonl",
     "output_dir": "/media"}                  # optional: where outputs are suggested

Result line::

    {"output": "/media/a_slowmo2x.mp4", "frames": 55, "fps": "30000/1001",
     "factor": "2", "mode": "slowmo", "clip": {... as above ...}}

Standard library only (the Resolve script imports this inside Resolve's Python).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

from ..host import ClipSelection, ImportRequest
from .common import fps_fraction, fraction_text, subprocess_env

HOST_FILE_VERSION = 1


def selection_to_dict(sel: ClipSelection | None) -> dict | None:
    if sel is None:
        return None
    return {"path": str(sel.path), "start_frame": sel.start_frame, "end_frame": sel.end_frame,
            "fps": fraction_text(sel.fps), "name": sel.name, "extra": dict(sel.extra)}


def selection_from_dict(data: dict | None) -> ClipSelection | None:
    if not data:
        return None
    opt_int = lambda v: None if v is None else int(v)  # noqa: E731
    return ClipSelection(Path(data["path"]), opt_int(data.get("start_frame")),
                         opt_int(data.get("end_frame")), fps_fraction(data.get("fps")),
                         str(data.get("name") or ""), dict(data.get("extra") or {}))


def request_to_dict(req: ImportRequest) -> dict:
    return {"output": str(req.output), "frames": int(req.frames), "fps": fraction_text(req.fps),
            "factor": fraction_text(Fraction(req.factor)), "mode": req.mode,
            "clip": selection_to_dict(req.selection)}


def request_from_dict(data: dict) -> ImportRequest:
    return ImportRequest(Path(data["output"]), selection_from_dict(data.get("clip")),
                         Fraction(str(data.get("factor", "2"))), str(data.get("mode", "slowmo")),
                         int(data.get("frames", 0)), fps_fraction(data.get("fps")) or Fraction(0))


def write_host_file(path: str | os.PathLike, host: str, clip: ClipSelection | None,
                    results: str | os.PathLike, output_dir: str | os.PathLike | None = None) -> Path:
    path = Path(path)
    data = {"version": HOST_FILE_VERSION, "host": host, "clip": selection_to_dict(clip),
            "results": str(results)}
    if output_dir:
        data["output_dir"] = str(output_dir)
    _atomic_write(path, json.dumps(data, indent=2))
    return path


class ExternalHost:
    """The Host seen by a panel running in its own process (built from a host file)."""

    def __init__(self, name: str, clip: ClipSelection | None, results: Path,
                 output_dir: Path | None = None) -> None:
        self.name = name
        self.clip = clip
        self.results = Path(results)
        self.output_dir = output_dir

    @classmethod
    def from_file(cls, path: str | os.PathLike) -> "ExternalHost":
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        if int(data.get("version", 0)) > HOST_FILE_VERSION:
            raise ValueError(f"{path}: host file version {data.get('version')} is newer than "
                             f"this SlowMo understands ({HOST_FILE_VERSION})")
        out = data.get("output_dir")
        return cls(str(data.get("host") or "Host"), selection_from_dict(data.get("clip")),
                   Path(data["results"]), Path(out) if out else None)

    def current_clip(self) -> ClipSelection | None:
        return self.clip

    def import_result(self, request: ImportRequest) -> None:
        """Append the result for the host side to pick up (one line, written in one call)."""
        line = json.dumps(request_to_dict(request)) + "\n"
        fd = os.open(self.results, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)


class ResultReader:
    """Host side: the complete result lines appended since the last call."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.offset = 0

    def read_new(self) -> list[ImportRequest]:
        try:
            with open(self.path, "rb") as fh:
                fh.seek(self.offset)
                data = fh.read()
        except FileNotFoundError:
            return []
        end = data.rfind(b"\n")
        if end < 0:
            return []
        self.offset += end + 1
        out = []
        for raw in data[:end].splitlines():
            if raw.strip():
                try:
                    out.append(request_from_dict(json.loads(raw)))
                except (ValueError, KeyError, TypeError):
                    continue
        return out


class PanelSession:
    """Host side of one panel process: host file, process, results."""

    def __init__(self, python: str, host: str, clip: ClipSelection | None,
                 output_dir: str | os.PathLike | None = None, workdir: str | None = None,
                 command: list[str] | None = None) -> None:
        self.dir = Path(workdir or tempfile.mkdtemp(prefix="slowmo-host-"))
        self.results_path = self.dir / "results.jsonl"
        self.log_path = self.dir / "panel.log"
        self.host_file = write_host_file(self.dir / "host.json", host, clip, self.results_path,
                                         output_dir)
        self.reader = ResultReader(self.results_path)
        # ``command``: a different panel program (tests); the host file path is appended
        self.command = (list(command) + [str(self.host_file)] if command
                        else panel_command(python, self.host_file))
        self.process: subprocess.Popen | None = None

    def start(self) -> "PanelSession":
        kwargs = {}
        if os.name == "nt":
            kwargs["creationflags"] = getattr(subprocess, "CREATE_NO_WINDOW", 0)
        with open(self.log_path, "wb") as log:  # a file, not a pipe: a chatty panel never blocks
            self.process = subprocess.Popen(self.command, env=subprocess_env(),
                                            stdin=subprocess.DEVNULL, stdout=log, stderr=log, **kwargs)
        return self

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def poll(self) -> list[ImportRequest]:
        return self.reader.read_new()

    def error_text(self, max_lines: int = 20) -> str:
        """The end of the output of a panel process that failed ('' otherwise)."""
        if self.process is None or self.process.poll() in (None, 0):
            return ""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
        lines = text.strip().splitlines()[-max_lines:]
        return "\n".join(lines) or f"the panel exited with code {self.process.returncode}"


def panel_command(python: str, host_file: str | os.PathLike) -> list[str]:
    return [str(python), "-m", "vfi_plugin.ui", "--host-file", str(host_file)]


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def load_host_file(path: str | os.PathLike) -> ExternalHost:
    """What ``python -m vfi_plugin.ui --host-file PATH`` should build its panel with."""
    return ExternalHost.from_file(path)


if __name__ == "__main__":  # python -m vfi_plugin.hosts.external HOST_FILE: print the selection
    print(ExternalHost.from_file(sys.argv[1]).current_clip())
