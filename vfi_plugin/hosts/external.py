"""The panel in its own process, for hosts without Qt (Resolve, Blender): the core's side.

The protocol itself (host file, result lines, the panel process) is ``hostfile``, in plain
dicts (the Blender add-on gets a copy of it); this module maps it to the core's
ClipSelection and ImportRequest: ``ExternalHost`` is the Host a panel process builds from
its host file, ``PanelSession`` the host side as Resolve uses it.
"""
from __future__ import annotations

import os
import sys
from fractions import Fraction
from pathlib import Path

from .base import ClipSelection, ImportRequest
from . import hostfile
from .common import fps_fraction, fraction_text
from .hostfile import HOST_FILE_VERSION, panel_command  # noqa: F401  (public names kept)


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
            "clip": selection_to_dict(req.selection),
            **({"ramp": req.ramp} if req.ramp is not None else {})}


def request_from_dict(data: dict) -> ImportRequest:
    return ImportRequest(Path(data["output"]), selection_from_dict(data.get("clip")),
                         Fraction(str(data.get("factor", "2"))), str(data.get("mode", "slowmo")),
                         int(data.get("frames", 0)), fps_fraction(data.get("fps")) or Fraction(0),
                         data.get("ramp"))


def write_host_file(path: str | os.PathLike, host: str, clip: ClipSelection | None,
                    results: str | os.PathLike, output_dir: str | os.PathLike | None = None) -> Path:
    """Write a host file for ``clip``; returns its path."""
    return Path(hostfile.write_host_file(path, host, selection_to_dict(clip), results, output_dir))


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
        data = hostfile.read_host_file(path)
        out = data.get("output_dir")
        return cls(str(data.get("host") or "Host"), selection_from_dict(data.get("clip")),
                   Path(data["results"]), Path(out) if out else None)

    def current_clip(self) -> ClipSelection | None:
        return self.clip

    def import_result(self, request: ImportRequest) -> None:
        """Append the result for the host side to pick up."""
        hostfile.append_result(self.results, request_to_dict(request))


class ResultReader:
    """Host side: the complete results appended since the last call, as ImportRequests."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.lines = hostfile.ResultLines(path)

    def read_new(self) -> list[ImportRequest]:
        out = []
        for item in self.lines.read_new():
            try:
                out.append(request_from_dict(item))
            except (ValueError, KeyError, TypeError):
                continue
        return out


class PanelSession(hostfile.PanelProcess):
    """Host side of one panel process, its results as ImportRequests; ``close()`` when done."""

    def __init__(self, python: str, host: str, clip: ClipSelection | None,
                 output_dir: str | os.PathLike | None = None, workdir: str | None = None,
                 command: list[str] | None = None) -> None:
        super().__init__(python, host, selection_to_dict(clip), output_dir, workdir, command)
        self.reader = ResultReader(self.results_path)

    def poll(self) -> list[ImportRequest]:
        return self.reader.read_new()


if __name__ == "__main__":  # python -m vfi_plugin.hosts.external HOST_FILE: print the selection
    print(ExternalHost.from_file(sys.argv[1]).current_clip())
