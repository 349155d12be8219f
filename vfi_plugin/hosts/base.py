"""The host interface: what the panel needs from the editor it lives in.

A host (Blender, Nuke, Resolve, or the standalone app) tells the panel which
clip and range the editor has selected and takes the rendered result back.
Adapters live in ``vfi_plugin.hosts``; none of this imports Qt.
"""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class ClipSelection:
    """A clip and its in/out range in source frames ([start_frame, end_frame), None = clip edge)."""

    path: Path
    start_frame: int | None = None
    end_frame: int | None = None
    fps: Fraction | None = None
    name: str = ""
    extra: dict = field(default_factory=dict, compare=False)  # host-specific ids (node, strip, item)

    @property
    def start_spec(self) -> str | None:
        """The start as a time spec the core's parsers accept ('12f'), or None."""
        return None if self.start_frame is None else f"{self.start_frame}f"

    @property
    def end_spec(self) -> str | None:
        return None if self.end_frame is None else f"{self.end_frame}f"


@dataclass(frozen=True)
class ImportRequest:
    """A finished render handed back to the host."""

    output: Path
    selection: ClipSelection | None
    factor: Fraction      # a ramp's: its slowest part's
    mode: str
    frames: int
    fps: Fraction
    ramp: str | None = None  # a speed ramp's keys (``--ramp`` syntax) instead of one factor


@runtime_checkable
class Host(Protocol):
    """What an editor integration provides to the panel."""

    name: str

    def current_clip(self) -> ClipSelection | None:
        """The editor's selected clip and range, or None when nothing usable is selected."""

    def import_result(self, request: ImportRequest) -> None:
        """Put the rendered file into the editor (timeline, node graph, media pool)."""


class FileHost:
    """The standalone app's host: clips come from files, results are revealed on disk."""

    name = "Standalone"

    def __init__(self, path: str | Path | None = None, reveal: bool = False) -> None:
        self.path = Path(path) if path else None
        self.reveal = reveal
        self.imported: list[ImportRequest] = []

    def current_clip(self) -> ClipSelection | None:
        return ClipSelection(self.path, name=self.path.name) if self.path else None

    def import_result(self, request: ImportRequest) -> None:
        self.imported.append(request)
        if self.reveal:
            reveal_in_file_manager(request.output)


def reveal_in_file_manager(path: Path) -> None:
    """Show ``path`` in the platform's file manager (best effort, never blocks)."""
    target = Path(path)
    if sys.platform == "darwin":
        cmd = ["open", "-R", str(target)]
    elif os.name == "nt":
        cmd = ["explorer", f"/select,{target}"]
    else:
        cmd = ["xdg-open", str(target.parent)]
    try:
        subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:
        pass
