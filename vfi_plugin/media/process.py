"""Run ffmpeg child processes: drain stderr in a thread, stop and reap them."""
from __future__ import annotations

import collections
import subprocess
import threading
from typing import IO, Sequence

STDERR_LINES = 40


class StderrTail:
    """Reads a pipe to its end in a daemon thread, keeping the last lines."""

    def __init__(self, pipe: IO[bytes]) -> None:
        self._lines: collections.deque[str] = collections.deque(maxlen=STDERR_LINES)
        self._thread = threading.Thread(target=self._drain, args=(pipe,), daemon=True)
        self._thread.start()

    def _drain(self, pipe: IO[bytes]) -> None:
        try:
            for raw in iter(pipe.readline, b""):
                line = raw.decode("utf-8", "replace").strip()
                if line:
                    self._lines.append(line)
        except (OSError, ValueError):
            pass
        finally:
            try:
                pipe.close()
            except OSError:
                pass

    def join(self, timeout: float | None = 5.0) -> None:
        """Wait until the pipe is drained (the process has exited)."""
        self._thread.join(timeout)

    def last_line(self) -> str:
        """The last non-empty stderr line, or a placeholder."""
        return self._lines[-1] if self._lines else "no error output"


def start(args: Sequence[str], *, stdin: bool = False, stdout: bool = False) -> subprocess.Popen:
    """Start ffmpeg with optional stdin/stdout pipes and stderr piped."""
    return subprocess.Popen(
        list(args),
        stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
        stdout=subprocess.PIPE if stdout else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def stop(proc: subprocess.Popen) -> None:
    """Kill the process if still running, close its pipes and reap it."""
    if proc.poll() is None:
        try:
            proc.kill()
        except OSError:
            pass
    for pipe in (proc.stdin, proc.stdout):
        if pipe is not None:
            try:
                pipe.close()
            except OSError:
                pass
    proc.wait()


def one_line(text: str, limit: int = 300) -> str:
    """Collapse whitespace so a message stays on one line."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
