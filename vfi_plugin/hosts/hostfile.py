"""The host-file protocol: a host without Qt runs the panel in its own process.

The host side writes a *host file* (JSON) and starts
``python -m vfi_plugin.ui --host-file HOST_FILE`` (``PanelProcess``); the panel appends
each finished render as one JSON line to the host file's ``results`` file, which the host
side polls (``ResultLines``) and imports into the editor.

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

Plain dicts, standard library only, and only ``common`` from this package: the Resolve
script imports it in Resolve's Python and the installer copies this file into the Blender
add-on (``external`` builds the core's ClipSelection/ImportRequest on top of it).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile

from .common import subprocess_env

HOST_FILE_VERSION = 1


def write_host_file(path: str | os.PathLike, host: str, clip: dict | None,
                    results: str | os.PathLike, output_dir: str | os.PathLike | None = None) -> str:
    """Write a host file (atomically); returns its path."""
    data = {"version": HOST_FILE_VERSION, "host": host, "clip": clip, "results": os.fspath(results)}
    if output_dir:
        data["output_dir"] = os.fspath(output_dir)
    path = os.fspath(path)
    folder, name = os.path.split(path)
    tmp = os.path.join(folder, f".{name}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2)
    os.replace(tmp, path)
    return path


def read_host_file(path: str | os.PathLike) -> dict:
    """A host file's content; ValueError when it is newer than this protocol."""
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    if int(data.get("version", 0)) > HOST_FILE_VERSION:
        raise ValueError(f"{path}: host file version {data.get('version')} is newer than "
                         f"this SlowMo understands ({HOST_FILE_VERSION})")
    return data


def append_result(results: str | os.PathLike, result: dict) -> None:
    """Append one result line (written in one call, so a reader never sees half of it)."""
    line = json.dumps(result) + "\n"
    fd = os.open(results, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)


class ResultLines:
    """Host side: the complete result lines (dicts) appended since the last call."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = os.fspath(path)
        self.offset = 0

    def read_new(self) -> list[dict]:
        try:
            with open(self.path, "rb") as fh:
                fh.seek(self.offset)
                data = fh.read()
        except FileNotFoundError:
            return []
        end = data.rfind(b"\n")
        if end < 0:
            return []  # a line still being written is read next time
        self.offset += end + 1
        out = []
        for raw in data[:end].splitlines():
            try:
                item = json.loads(raw)
            except ValueError:
                continue
            if isinstance(item, dict) and "output" in item:
                out.append(item)
        return out


def panel_command(python: str, host_file: str | os.PathLike) -> list[str]:
    """The command that opens the panel for a host file."""
    return [str(python), "-m", "vfi_plugin.ui", "--host-file", os.fspath(host_file)]


class PanelProcess:
    """Host side of one panel process: its folder (host file, results, log), process, results.

    ``close()`` stops the process if it still runs and removes the folder it made.
    ``command`` replaces the panel program (tests); the host file path is appended to it.
    """

    def __init__(self, python: str, host: str, clip: dict | None,
                 output_dir: str | os.PathLike | None = None, workdir: str | None = None,
                 command: list[str] | None = None) -> None:
        self.own_dir = workdir is None
        self.dir = workdir or tempfile.mkdtemp(prefix="slowmo-host-")
        self.results_path = os.path.join(self.dir, "results.jsonl")
        self.log_path = os.path.join(self.dir, "panel.log")
        self.host_file = write_host_file(os.path.join(self.dir, "host.json"), host, clip,
                                         self.results_path, output_dir)
        self.reader = ResultLines(self.results_path)
        self.command = (list(command) + [self.host_file] if command
                        else panel_command(python, self.host_file))
        self.process: subprocess.Popen | None = None

    def start(self) -> "PanelProcess":
        """Start the panel, in a process group of its own (``close`` stops its children too)."""
        kwargs = {}
        if os.name == "nt":
            kwargs["creationflags"] = (getattr(subprocess, "CREATE_NO_WINDOW", 0)
                                       | getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0))
        else:
            kwargs["start_new_session"] = True
        with open(self.log_path, "wb") as log:  # a file, not a pipe: a chatty panel never blocks
            self.process = subprocess.Popen(self.command, env=subprocess_env(),
                                            stdin=subprocess.DEVNULL, stdout=log, stderr=log, **kwargs)
        return self

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def poll(self) -> list[dict]:
        """The results finished since the last call."""
        return self.reader.read_new()

    def error_text(self, max_lines: int = 20) -> str:
        """The end of the output of a panel process that failed ('' otherwise)."""
        if self.process is None or self.process.poll() in (None, 0):
            return ""
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as fh:
                text = fh.read()
        except OSError:
            text = ""
        lines = text.strip().splitlines()[-max_lines:]
        return "\n".join(lines) or f"the panel exited with code {self.process.returncode}"

    def close(self, timeout: float = 5.0) -> None:
        """Stop the panel and what it started (terminate, then kill); remove this folder."""
        if self.process is not None:
            self._signal("SIGTERM", self.process.terminate)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._signal("SIGKILL", self.process.kill)
                self.process.wait()
        if self.own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def _signal(self, name: str, fallback) -> None:
        """Send signal ``name`` to the panel's process group (POSIX), else call ``fallback``."""
        if os.name != "nt":
            import signal

            try:
                os.killpg(self.process.pid, getattr(signal, name))  # the group start() made
            except (ProcessLookupError, PermissionError):
                pass
        elif self.process.poll() is None:
            fallback()
