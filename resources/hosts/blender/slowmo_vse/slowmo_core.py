"""The add-on's plain-Python half (no bpy): finding the product, running its CLI, progress.

Blender's Python has neither torch nor Qt, so the add-on never imports the
SlowMo package: it runs the product's command line tool ``vfi-slowmo`` in a
subprocess. The CLI is found in this order: the operator's ``cli_path``, the
add-on preference, $SLOWMO_CLI, ``slowmo_config.json`` next to this file
(written by the installer), PATH, then the installer's default venv.
"""
from __future__ import annotations

import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from fractions import Fraction

APP_NAME = "vfi-slowmo"
CONFIG_NAME = "slowmo_config.json"
ENV_CLI = "SLOWMO_CLI"
ENV_PYTHON = "SLOWMO_PYTHON"
ENV_PROGRESS = "VFI_SLOWMO_PROGRESS"
HERE = os.path.dirname(os.path.abspath(__file__))

STAGES = ("preparing", "rendering", "finishing", "done")  # the core's Progress.stage
_PROGRESS_RE = re.compile(
    r"^(?P<stage>[a-z]+):\s+(?P<done>\d+)/(?P<total>\d+)\s+frames"
    r"(?:\s+(?P<fps>[0-9.]+)\s+fps)?(?:\s+ETA\s+(?P<eta>[0-9:]+|--:--))?")


# --- finding the product -------------------------------------------------------------------
def read_config(folder: str = HERE) -> dict:
    try:
        with open(os.path.join(folder, CONFIG_NAME), encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def default_data_dir() -> str:
    """platformdirs.user_data_dir('vfi-slowmo') without platformdirs (the installer's venv parent)."""
    home = os.path.expanduser("~")
    if sys.platform == "darwin":
        return os.path.join(home, "Library", "Application Support", APP_NAME)
    if os.name == "nt":
        base = os.environ.get("LOCALAPPDATA") or os.path.join(home, "AppData", "Local")
        return os.path.join(base, APP_NAME, APP_NAME)
    base = os.environ.get("XDG_DATA_HOME", "").strip() or os.path.join(home, ".local", "share")
    return os.path.join(base, APP_NAME)


def _venv_bin(venv: str) -> str:
    return os.path.join(venv, "Scripts" if os.name == "nt" else "bin")


def _exe(folder: str, name: str) -> str | None:
    for candidate in ([name + ".exe", name] if os.name == "nt" else [name]):
        p = os.path.join(folder, candidate)
        if os.path.isfile(p):
            return p
    return None


def find_cli(*explicit: str | None, config: dict | None = None) -> str | None:
    """The first usable CLI path (see the module docstring for the order)."""
    config = read_config() if config is None else config
    for candidate in (*explicit, os.environ.get(ENV_CLI), config.get("cli")):
        if candidate:
            path = os.path.abspath(os.path.expanduser(candidate))
            if os.path.isfile(path):
                return path
    found = shutil.which("vfi-slowmo")
    if found:
        return found
    return _exe(_venv_bin(os.path.join(default_data_dir(), "venv")), "vfi-slowmo")


def find_python(*explicit: str | None, config: dict | None = None) -> str | None:
    """The product environment's Python (for the panel in its own process)."""
    config = read_config() if config is None else config
    for candidate in (*explicit, os.environ.get(ENV_PYTHON), config.get("python")):
        if candidate and os.path.isfile(os.path.expanduser(candidate)):
            return os.path.expanduser(candidate)
    cli = find_cli(config=config)
    return _exe(os.path.dirname(cli), "python") if cli else None


# --- ranges, names -------------------------------------------------------------------------
def strip_file_range(frame_start: float, frame_final_start: int, frame_final_duration: int,
                     animation_offset_start: int = 0) -> tuple[int, int]:
    """[start, end) in frames of the movie file shown by a movie strip (speed 1).

    Content frame k of the strip sits at timeline frame ``frame_start + k`` and is
    file frame ``k + animation_offset_start`` (the hard trim); the soft trims
    (frame_offset_start/end) leave ``frame_final_start`` .. ``frame_final_end`` visible.
    """
    start = int(round(frame_final_start - frame_start)) + int(animation_offset_start)
    return start, start + int(frame_final_duration)


def slowmo_frames(source_frames: int, factor) -> int:
    """Frames a slow-motion render writes for ``source_frames`` in: floor((N-1)*F)+1."""
    import math

    if source_frames <= 0:
        return 0
    return math.floor((source_frames - 1) * Fraction(str(factor)).limit_denominator(1000)) + 1


def factor_text(factor) -> str:
    f = Fraction(str(factor)).limit_denominator(1000)
    if f.denominator == 1:
        return str(f.numerator)
    return repr(float(f)) if Fraction(repr(float(f))) == f else f"{f.numerator}/{f.denominator}"


def output_path(source: str, factor, start: int, end: int, folders=(), ext: str = ".mp4") -> str:
    """A fresh 'clip_slowmo2x_f12-40.mp4' in the first writable of folders / source folder / temp."""
    stem = os.path.splitext(os.path.basename(source))[0]
    f = factor_text(factor).replace("/", "over").replace(".", "p")
    name = f"{stem}_slowmo{f}x_f{start}-{end}"
    for folder in (*folders, os.path.dirname(source), tempfile.gettempdir()):
        if folder and os.path.isdir(folder) and os.access(folder, os.W_OK):
            candidate = os.path.join(folder, name + ext)
            n = 2
            while os.path.exists(candidate):
                candidate = os.path.join(folder, f"{name}_{n}{ext}")
                n += 1
            return candidate
    raise OSError("no writable folder for the SlowMo output")


# --- the CLI -------------------------------------------------------------------------------
def cli_command(cli: str, source: str, output: str, factor, start: int, end: int) -> list[str]:
    return [cli, source, "-o", output, "--factor", factor_text(factor),
            "--start", f"{int(start)}f", "--end", f"{int(end)}f"]


def parse_progress(line: str) -> dict | None:
    """A CLI progress line (plain or JSON) -> {'stage', 'done', 'total', 'fps', 'eta_s'}."""
    line = line.strip()
    if not line:
        return None
    if line.startswith("{"):
        try:
            data = json.loads(line)
        except ValueError:
            return None
        if not isinstance(data, dict) or "done" not in data or "total" not in data:
            return None
        return {"stage": str(data.get("stage", "rendering")), "done": int(data["done"]),
                "total": int(data["total"]), "fps": float(data.get("fps") or 0.0),
                "eta_s": data.get("eta_s")}
    m = _PROGRESS_RE.match(line)
    if m is None:
        stage = line.split(":", 1)[0]
        if stage in STAGES:  # "preparing: loading the model"
            return {"stage": stage, "done": 0, "total": 0, "fps": 0.0, "eta_s": None}
        return None
    eta, eta_s = m.group("eta"), None
    if eta and eta != "--:--":
        eta_s = 0.0
        for part in eta.split(":"):
            eta_s = eta_s * 60 + int(part)
    return {"stage": m.group("stage"), "done": int(m.group("done")), "total": int(m.group("total")),
            "fps": float(m.group("fps") or 0.0), "eta_s": eta_s}


def error_line(stderr_text: str) -> str:
    lines = [ln.strip() for ln in stderr_text.splitlines() if ln.strip()]
    for ln in reversed(lines):
        if ln.startswith("error:"):
            return ln[len("error:"):].strip()
    return lines[-1] if lines else "unknown error"


def child_env() -> dict:
    """Blender sets PYTHONHOME/PYTHONPATH for its own Python; the product's venv must not see them."""
    env = dict(os.environ)
    for key in ("PYTHONHOME", "PYTHONPATH", "PYTHONSTARTUP", "PYTHONEXECUTABLE"):
        env.pop(key, None)
    env[ENV_PROGRESS] = "jsonl"
    env["PYTHONUNBUFFERED"] = "1"
    return env


class RenderProcess:
    """One CLI render in a subprocess; a reader thread turns its stderr into progress."""

    def __init__(self, command: list[str], expected_frames: int = 0) -> None:
        self.command = command
        self.expected_frames = expected_frames
        self.progress: dict | None = None
        self.stderr_lines: list[str] = []
        self.stdout_text = ""
        self.events: "queue.Queue[dict]" = queue.Queue()
        kwargs = {}
        if os.name == "nt":
            kwargs["creationflags"] = getattr(subprocess, "CREATE_NO_WINDOW", 0)
        self.started = time.monotonic()
        self.started_wall = time.time()
        self.proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=child_env(), **kwargs)
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
        p = self.progress
        total = (p or {}).get("total") or self.expected_frames
        return min(1.0, (p or {}).get("done", 0) / total) if total else 0.0

    def status_text(self) -> str:
        p = self.progress
        if not p or p["stage"] == "preparing" or not p["total"]:
            return "SlowMo: preparing (loading the model)..."
        eta = p.get("eta_s")
        eta_txt = "" if eta is None else "  ETA %d:%02d" % divmod(int(eta + 0.5), 60)
        return f"SlowMo: {p['done']}/{p['total']} frames  {p['fps']:.1f} fps{eta_txt}  (Esc cancels)"

    def poll(self) -> int | None:
        return self.proc.poll()

    def wait(self, on_progress=None) -> int:
        """Block until the CLI ends (the background/scripting path); progress to ``on_progress``."""
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
        """Stop the CLI. SIGINT lets it remove its partial output itself (exit 130); where the
        process has to be terminated instead (Windows, or no reaction in 10 s), the partial
        file it leaves is removed here."""
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
        # The render may have finished (and renamed its output into place) just before the
        # cancel reached it: a cancelled render still leaves nothing behind.
        self.remove_finished_output()
        self._join()

    def _output(self) -> str | None:
        if "-o" not in self.command:
            return None
        return self.command[self.command.index("-o") + 1]

    def _remove_if_written_by_this_run(self, path: str) -> None:
        try:
            if os.path.exists(path) and os.path.getmtime(path) >= self.started_wall - 1:
                if os.path.isdir(path):
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    os.remove(path)
        except OSError:
            pass

    def remove_finished_output(self) -> None:
        """Delete the final output if this run wrote it (used when the user cancelled)."""
        out = self._output()
        if out is not None:
            self._remove_if_written_by_this_run(out)

    def remove_partial_output(self) -> None:
        """The core writes '.<name>.slowmo-partial-<id><ext>' next to the output, then renames it."""
        import glob

        out = self._output()
        if out is None:
            return
        stem, ext = os.path.splitext(os.path.basename(out))
        pattern = os.path.join(os.path.dirname(out), f".{glob.escape(stem)}.slowmo-partial-*{ext}")
        for path in glob.glob(pattern):
            self._remove_if_written_by_this_run(path)

    def _join(self) -> None:
        self._out.join(timeout=5)
        self._err.join(timeout=5)

    def error_text(self) -> str:
        return error_line("\n".join(self.stderr_lines))
