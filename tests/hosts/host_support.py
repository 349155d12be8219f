"""Helpers of the host tests (paths, the product CLI, test clips)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "resources" / "hosts"
FAKES = Path(__file__).resolve().parent / "fakes"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))  # `import fakes`


def product_cli() -> str | None:
    """The product's CLI: $SLOWMO_TEST_CLI, next to this Python (the venv's bin/), or PATH."""
    explicit = os.environ.get("SLOWMO_TEST_CLI")
    if explicit:
        return explicit
    here = Path(sys.executable).parent / ("vfi-slowmo.exe" if os.name == "nt" else "vfi-slowmo")
    if here.is_file():
        return str(here)
    return shutil.which("vfi-slowmo")


def make_clip(path: Path, seconds: float = 2, fps: int = 25, size: str = "96x64") -> Path:
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"testsrc2=size={size}:rate={fps}:duration={seconds}", "-pix_fmt", "yuv420p",
                    "-c:v", "libx264", "-preset", "ultrafast", "-g", "10", str(path)], check=True)
    return path


def count_frames(path: Path) -> int:
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames",
                          "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", str(path)],
                         check=True, capture_output=True, text=True).stdout
    return int(out.strip().split(",")[0])
