"""One headless render by the ``vfi-slowmo`` CLI in a subprocess, for a host without torch.

A reader thread turns the CLI's stderr into progress; ``cancel`` stops it and leaves
nothing behind. Standard library only, and only ``common`` from this package: the
installer copies this file into the Blender add-on beside ``common.py``.
"""
from __future__ import annotations

import glob
import os
import queue
import shutil
import subprocess
import threading
import time

from .common import error_line, parse_progress, partial_output_pattern, subprocess_env


def _remove(path: str) -> None:
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.remove(path)
    except OSError:
        pass


class RenderProcess:
    """One CLI render (``command`` holds ``-o OUTPUT``); progress, errors, cancel."""

    def __init__(self, command: list[str], expected_frames: int = 0) -> None:
        self.command = list(command)
        self.expected_frames = expected_frames
        self.progress: dict | None = None
        self.stderr_lines: list[str] = []
        self.stdout_text = ""
        self.events: "queue.Queue[dict]" = queue.Queue()
        self.output = self.command[self.command.index("-o") + 1] if "-o" in self.command else None
        # what was there before this run: only what this run made is ever removed
        self.output_existed = self.output is not None and os.path.lexists(self.output)
        self.partials_before = set(self._partials())
        kwargs = {}
        if os.name == "nt":
            kwargs["creationflags"] = getattr(subprocess, "CREATE_NO_WINDOW", 0)
        self.started = time.monotonic()
        self.proc = subprocess.Popen(self.command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=subprocess_env(), **kwargs)
        self._out = threading.Thread(target=self._read_stdout, daemon=True)
        self._err = threading.Thread(target=self._read_stderr, daemon=True)
        self._out.start()
        self._err.start()

    def _read_stdout(self) -> None:
        self.stdout_text = self.proc.stdout.read().decode("utf-8", "replace")

    def _read_stderr(self) -> None:
        for raw in iter(self.proc.stderr.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            info = parse_progress(line)
            if info is not None:
                self.progress = info
                self.events.put(info)
            else:
                self.stderr_lines.append(line)

    @property
    def fraction(self) -> float:
        """Frames done / frames to do, 0..1."""
        p = self.progress or {}
        total = p.get("total") or self.expected_frames
        return min(1.0, p.get("done", 0) / total) if total else 0.0

    def status_text(self) -> str:
        """One line for a status bar."""
        p = self.progress
        if not p or p["stage"] == "preparing" or not p["total"]:
            return "SlowMo: preparing (loading the model)..."
        eta = p.get("eta_s")
        eta_txt = "" if eta is None else "  ETA %d:%02d" % divmod(int(eta + 0.5), 60)
        return f"SlowMo: {p['done']}/{p['total']} frames  {p['fps']:.1f} fps{eta_txt}  (Esc cancels)"

    def poll(self) -> int | None:
        return self.proc.poll()

    def wait(self, on_progress=None) -> int:
        """Block until the CLI ends; each progress update goes to ``on_progress``."""
        while True:
            try:
                info = self.events.get(timeout=0.2)
                if on_progress is not None:
                    on_progress(info)
            except queue.Empty:
                pass
            if self.proc.poll() is not None and self.events.empty():
                break
        self._join()
        return self.proc.returncode

    def cancel(self) -> None:
        """Stop the CLI and leave nothing of this run behind.

        SIGINT lets the CLI remove its partial output itself (exit 130); where it has to be
        terminated instead (Windows, or no reaction in 10 s) the partial files this run made
        are removed here. A render that finished just before the cancel reached it has
        renamed its output into place: that output is removed too, unless it existed before.
        """
        if self.proc.poll() is None:
            forced = os.name == "nt"
            try:
                if forced:
                    self.proc.terminate()
                else:
                    import signal

                    self.proc.send_signal(signal.SIGINT)
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                forced = True
                self.proc.kill()
                self.proc.wait()
            if forced:
                self.remove_partial_output()
        if self.proc.returncode == 0 and self.output is not None and not self.output_existed:
            _remove(self.output)
        self._join()

    def _partials(self) -> list[str]:
        return glob.glob(partial_output_pattern(self.output)) if self.output else []

    def remove_partial_output(self) -> None:
        """Remove the partial files of the output that appeared since this run started."""
        for path in self._partials():
            if path not in self.partials_before:
                _remove(path)

    def _join(self) -> None:
        self._out.join(timeout=5)
        self._err.join(timeout=5)

    def error_text(self) -> str:
        """The CLI's one-line error message."""
        return error_line("\n".join(self.stderr_lines))
