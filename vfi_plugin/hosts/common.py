"""Helpers shared by the host adapters and the host-side scripts.

Standard library only, and no imports from the rest of the package: the Resolve
script imports this from inside Resolve's own Python, and the installer copies
this very file into the Blender add-on (which runs in Blender's Python, where
``vfi_plugin`` is not importable; tests/hosts checks the copy's bytes).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sys
from fractions import Fraction
from pathlib import Path

APP_NAME = "vfi-slowmo"
CONFIG_NAME = "slowmo_config.json"  # written by the installer next to a host entry point
# the names of vfi_plugin/names.py (this file cannot import it: it also runs in the add-on alone)
ENV_CLI = "VFI_SLOWMO_CLI"          # overrides: the product's CLI ...
ENV_PYTHON = "VFI_SLOWMO_PYTHON"    # ... and the Python of the environment that holds the product
OLD_ENV_NAMES = {ENV_CLI: ("SLOWMO_CLI",), ENV_PYTHON: ("SLOWMO_PYTHON",)}  # still read, after
ENV_PROGRESS = "VFI_SLOWMO_PROGRESS"  # asked of the CLI: 'jsonl' = one JSON object per progress line
# The file a render writes before renaming it into place: ".<stem>.slowmo-partial-<id><ext>" next
# to the output (jobs.temp_output_path makes it; a host that had to kill the CLI removes it).
PARTIAL_TAG = "slowmo-partial"

# "rendering: 12/40 frames  3.10 fps  ETA 00:09" (the CLI's plain progress lines, stderr, no tty)
STAGES = ("preparing", "rendering", "finishing", "done")  # the core's Progress.stage
_PROGRESS_RE = re.compile(
    r"^(?P<stage>[a-z]+):\s+(?P<done>\d+)/(?P<total>\d+)\s+frames"
    r"(?:\s+(?P<fps>[0-9.]+)\s+fps)?(?:\s+ETA\s+(?P<eta>[0-9:]+|--:--))?")


def fps_fraction(value) -> Fraction | None:
    """A frame rate as an exact Fraction; NTSC-like floats snap to n*1000/1001.

    Accepts Fraction, int, float, "25", "29.97", "30000/1001" or "29.970 fps".
    """
    if value is None or value == "":
        return None
    if isinstance(value, Fraction):
        return value if value > 0 else None
    text = str(value).strip().lower().replace("fps", "").strip()
    try:
        if "/" in text:
            fps = Fraction(text)
        else:
            fps = Fraction(text).limit_denominator(1001)
    except (ValueError, ZeroDivisionError):
        return None
    if fps <= 0:
        return None
    if fps.denominator != 1 and fps.denominator != 1001:
        for base in (24, 30, 48, 60, 120, 240):
            ntsc = Fraction(base * 1000, 1001)
            if abs(fps - ntsc) < Fraction(1, 200):
                return ntsc
    if fps.denominator > 1001:
        fps = fps.limit_denominator(1001)
    return fps


def fraction_text(value: Fraction | None) -> str | None:
    """'25' or '30000/1001' (round-trips through Fraction())."""
    if value is None:
        return None
    value = Fraction(value)
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def partial_output_name(output_name: str, token: str) -> str:
    """The hidden name a render of ``output_name`` writes first ('.clip.slowmo-partial-1a2b.mp4')."""
    stem, ext = os.path.splitext(output_name)
    return f".{stem}.{PARTIAL_TAG}-{token}{ext}"


def partial_output_pattern(output: str | os.PathLike) -> str:
    """A glob pattern matching every partial file of ``output`` (any render's token)."""
    import glob

    folder, name = os.path.split(os.fspath(output))
    stem, ext = os.path.splitext(name)
    return os.path.join(folder, f".{glob.escape(stem)}.{PARTIAL_TAG}-*{glob.escape(ext)}")


def parse_progress(line: str) -> dict | None:
    """One CLI progress line -> {'stage', 'done', 'total', 'fps', 'eta_s'}; None for other lines.

    Reads the plain lines ("rendering: 12/40 frames  3.10 fps  ETA 00:09") and, when the CLI
    emits them, JSON lines ('{"stage": "rendering", "done": 12, "total": 40, ...}').
    """
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
    eta = m.group("eta")
    eta_s = None
    if eta and eta != "--:--":
        eta_s = 0.0
        for part in eta.split(":"):
            eta_s = eta_s * 60 + int(part)
    return {"stage": m.group("stage"), "done": int(m.group("done")), "total": int(m.group("total")),
            "fps": float(m.group("fps") or 0.0), "eta_s": eta_s}


def error_line(stderr_text: str) -> str:
    """The CLI's one-line 'error: ...' message out of its stderr (or its last line)."""
    lines = [ln.strip() for ln in stderr_text.splitlines() if ln.strip()]
    for ln in reversed(lines):
        if ln.startswith("error:"):
            return ln[len("error:"):].strip()
    return lines[-1] if lines else "unknown error"


def cli_command(cli: str | os.PathLike, source: str | os.PathLike, output: str | os.PathLike,
                factor, start_frame: int | None = None, end_frame: int | None = None,
                mode: str = "slowmo", overwrite: bool = False) -> list[str]:
    """The argv of one headless render (``end_frame`` exclusive, frames of the source file)."""
    cmd = [str(cli), str(source), "-o", str(output), "--factor", str(factor)]
    if start_frame is not None:
        cmd += ["--start", f"{int(start_frame)}f"]
    if end_frame is not None:
        cmd += ["--end", f"{int(end_frame)}f"]
    if mode and mode != "slowmo":
        cmd += ["--mode", mode]
    if overwrite:
        cmd.append("--overwrite")
    return cmd


def factor_text(factor) -> str:
    """2 -> '2', 2.5 -> '2.5', Fraction(8, 3) -> '8/3'."""
    f = Fraction(str(factor)).limit_denominator(1000)
    if f.denominator == 1:
        return str(f.numerator)
    as_float = float(f)
    if Fraction(repr(as_float)) == f:
        return repr(as_float)
    return f"{f.numerator}/{f.denominator}"


def slowmo_frames(source_frames: int, factor) -> int:
    """Frames a slow-motion render writes for ``source_frames`` in: floor((N-1)*F)+1."""
    import math

    if source_frames <= 0:
        return 0
    return math.floor((source_frames - 1) * Fraction(str(factor)).limit_denominator(1000)) + 1


def strip_file_range(frame_start: float, frame_final_start: int, frame_final_duration: int,
                     animation_offset_start: int = 0) -> tuple[int, int]:
    """[start, end) in frames of the movie file shown by a Blender movie strip (speed 1).

    Content frame k of the strip sits at timeline frame ``frame_start + k`` and is
    file frame ``k + animation_offset_start`` (the hard trim); the soft trims
    (frame_offset_start/end) leave ``frame_final_start`` .. ``frame_final_end`` visible.
    """
    start = int(round(frame_final_start - frame_start)) + int(animation_offset_start)
    return start, start + int(frame_final_duration)


def output_name(source: str | os.PathLike, factor, mode: str = "slowmo",
                start_frame: int | None = None, end_frame: int | None = None,
                ext: str = ".mp4") -> str:
    """'clip_slowmo2x_f12-40.mp4' (a name, no folder)."""
    stem = Path(source).stem
    tag = "slowmo" if mode == "slowmo" else "smooth"
    f = factor_text(factor).replace("/", "over").replace(".", "p")
    rng = ""
    if start_frame is not None or end_frame is not None:
        rng = f"_f{start_frame if start_frame is not None else 0}-{end_frame if end_frame is not None else 'end'}"
    return f"{stem}_{tag}{f}x{rng}{ext}"


def unique_path(path: str | os.PathLike) -> Path:
    """``path``, or 'name_2.ext', 'name_3.ext'... when it exists."""
    path = Path(path)
    if not path.exists():
        return path
    n = 2
    while True:
        candidate = path.with_name(f"{path.stem}_{n}{path.suffix}")
        if not candidate.exists():
            return candidate
        n += 1


def writable_dir(folder: str | os.PathLike | None) -> bool:
    return bool(folder) and os.path.isdir(folder) and os.access(folder, os.W_OK)


def default_output(source: str | os.PathLike, factor, mode: str = "slowmo",
                   start_frame: int | None = None, end_frame: int | None = None,
                   folders=(), ext: str = ".mp4") -> Path:
    """A fresh output path in the first writable of ``folders``, the source's folder, or temp."""
    import tempfile

    name = output_name(source, factor, mode, start_frame, end_frame, ext)
    for folder in (*folders, Path(source).parent):
        if writable_dir(folder):
            return unique_path(Path(folder) / name)
    return unique_path(Path(tempfile.gettempdir()) / name)


def read_config(path: str | os.PathLike) -> dict:
    """A host entry point's installer config (a JSON object); {} when missing or unreadable."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def default_data_dir() -> str:
    """platformdirs.user_data_dir('vfi-slowmo') without platformdirs: the installer's folder."""
    home = os.path.expanduser("~")
    if sys.platform == "darwin":
        return os.path.join(home, "Library", "Application Support", APP_NAME)
    if os.name == "nt":
        base = os.environ.get("LOCALAPPDATA") or os.path.join(home, "AppData", "Local")
        return os.path.join(base, APP_NAME, APP_NAME)
    base = os.environ.get("XDG_DATA_HOME", "").strip() or os.path.join(home, ".local", "share")
    return os.path.join(base, APP_NAME)


def installer_venv_bin() -> str:
    """The scripts folder of the venv the installer builds by default."""
    venv = os.path.join(default_data_dir(), "venv")
    return os.path.join(venv, "Scripts" if os.name == "nt" else "bin")


def env_value(name: str) -> str | None:
    """The value of variable ``name``, or of its old name (``OLD_ENV_NAMES``); blank is unset."""
    for key in (name, *OLD_ENV_NAMES.get(name, ())):
        value = os.environ.get(key, "").strip()
        if value:
            return value
    return None


def _exe_names(name: str) -> list[str]:
    return [name + ".exe", name] if os.name == "nt" else [name]


def find_cli(explicit: str | None = None, config: dict | None = None,
             search_dirs=()) -> str | None:
    """The product's CLI: explicit setting, $VFI_SLOWMO_CLI, installer config, PATH, search_dirs."""
    for candidate in (explicit, env_value(ENV_CLI), (config or {}).get("cli")):
        if candidate and os.path.isfile(os.path.expanduser(candidate)):
            return os.path.expanduser(candidate)
    found = shutil.which("vfi-slowmo")
    if found:
        return found
    for folder in search_dirs:
        for name in _exe_names("vfi-slowmo"):
            p = os.path.join(folder, name)
            if os.path.isfile(p):
                return p
    return None


def find_python(explicit: str | None = None, config: dict | None = None) -> str | None:
    """The Python of the product's environment (runs ``-m vfi_plugin.ui``), or None."""
    for candidate in (explicit, env_value(ENV_PYTHON), (config or {}).get("python")):
        if candidate and os.path.isfile(os.path.expanduser(candidate)):
            return os.path.expanduser(candidate)
    cli = find_cli(config=config)
    if cli:  # the CLI's own folder holds its interpreter (venv bin/ or Scripts/)
        for name in _exe_names("python"):
            p = os.path.join(os.path.dirname(cli), name)
            if os.path.isfile(p):
                return p
    return None


def add_product_paths(config: dict) -> bool:
    """Make ``vfi_plugin`` importable in a host's own Python (appended: the host's modules win).

    ``config['site_packages']`` are added with ``site.addsitedir`` (so .pth files, editable
    installs included, work). Returns whether ``vfi_plugin`` can be imported afterwards.
    """
    import importlib.util
    import site

    for folder in config.get("site_packages") or []:
        if folder and os.path.isdir(folder) and folder not in sys.path:
            site.addsitedir(folder)
    return importlib.util.find_spec("vfi_plugin") is not None


def subprocess_env(extra: dict | None = None) -> dict:
    """The environment for a product subprocess started from inside a host.

    Hosts set PYTHONHOME/PYTHONPATH for their own interpreter; those would break the
    product's venv Python, so they are dropped. Progress is asked for as JSON lines.
    """
    env = dict(os.environ)
    for key in ("PYTHONHOME", "PYTHONPATH", "PYTHONSTARTUP", "PYTHONEXECUTABLE"):
        env.pop(key, None)
    env[ENV_PROGRESS] = "jsonl"
    env.setdefault("PYTHONUNBUFFERED", "1")
    if extra:
        env.update(extra)
    return env
