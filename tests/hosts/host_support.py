"""Helpers of the host tests (paths, the product CLI, the add-on as installed, test clips)."""
from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "resources" / "hosts"
FAKES = Path(__file__).resolve().parent / "fakes"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))  # `import fakes`
if str(ROOT / "installer") not in sys.path:
    sys.path.append(str(ROOT / "installer"))  # slowmo_installer (stdlib only)


def this_env(cli: str | None = None) -> dict:
    """The installer's description of this test environment (the product is installed here)."""
    import vfi_plugin

    cli = cli or product_cli()
    return {"python": sys.executable, "scripts": str(Path(cli).parent), "version": vfi_plugin.__version__
            if hasattr(vfi_plugin, "__version__") else None,
            "purelib": sysconfig.get_path("purelib"), "host_files": str(RESOURCES),
            "host_modules": str(ROOT / "vfi_plugin" / "hosts")}


def addon_files(cli: str | None = None) -> dict[str, bytes]:
    """The Blender add-on's files exactly as the installer builds them for this environment."""
    blender = importlib.import_module("slowmo_installer.hosts.blender")
    return blender.addon_files(this_env(cli))


def install_addon(folder: Path, cli: str | None = None) -> Path:
    """Write the add-on (as the installer builds it) into ``folder``; returns ``folder``."""
    for name, data in addon_files(cli).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


def extension_zip(path: Path, cli: str | None = None) -> Path:
    """The extension zip the installer builds, written to ``path``."""
    blender = importlib.import_module("slowmo_installer.hosts.blender")
    path.write_bytes(blender.extension_zip(addon_files(cli)))
    return path


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
