"""Write HDR mastering-display and content-light-level metadata into a Matroska file.

ffmpeg 5.1's command line cannot attach this side data to a stream it encodes from a
pipe, so Matroska outputs get it afterwards from mkvtoolnix's mkvpropedit, which edits
the track's Colour element in place (no re-encode, no remux).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from vfi_plugin.errors import MediaError

from .probe import HdrMetadata
from .process import one_line

TOOL = "mkvpropedit"
TIMEOUT_S = 120
_MASTER = re.compile(r"G\((\d+),(\d+)\)B\((\d+),(\d+)\)R\((\d+),(\d+)\)"
                     r"WP\((\d+),(\d+)\)L\((\d+),(\d+)\)")


def tool() -> str | None:
    """Path of mkvpropedit (Debian/Ubuntu package mkvtoolnix), or None."""
    return shutil.which(TOOL)


def can_write() -> bool:
    """True when Matroska outputs can be given HDR metadata here (mkvpropedit is installed)."""
    return tool() is not None


def properties(hdr: HdrMetadata) -> list[str]:
    """mkvpropedit's ``--set`` arguments for `hdr` (x265's units converted to Matroska's:
    chromaticities 0..1, luminance and light levels in cd/m2)."""
    args: list[str] = []

    def put(name: str, value: str) -> None:
        args.extend(["--set", f"{name}={value}"])

    match = _MASTER.fullmatch(hdr.master_display or "")
    if match:
        gx, gy, bx, by, rx, ry, wx, wy, lmax, lmin = (int(v) for v in match.groups())
        for name, value in (("red-x", rx), ("red-y", ry), ("green-x", gx), ("green-y", gy),
                            ("blue-x", bx), ("blue-y", by)):
            put(f"chromaticity-coordinates-{name}", f"{value / 50000:.5f}")
        put("white-coordinates-x", f"{wx / 50000:.5f}")
        put("white-coordinates-y", f"{wy / 50000:.5f}")
        put("max-luminance", f"{lmax / 10000:.4f}")
        put("min-luminance", f"{lmin / 10000:.4f}")
    if hdr.max_cll:
        cll, fall = (int(v) for v in hdr.max_cll.split(","))
        put("max-content-light", str(cll))
        put("max-frame-light", str(fall))
    return args


def write_matroska(path: Path, hdr: HdrMetadata) -> None:
    """Set `hdr` on the first video track of the Matroska file `path`, in place.

    MediaError (one line) when mkvpropedit is missing or fails."""
    exe = tool()
    if exe is None:
        raise MediaError(f"{path}: {TOOL} not found: install mkvtoolnix to write HDR "
                         f"metadata into Matroska files")
    args = properties(hdr)
    if not args:
        return
    # an absolute path: a name starting with '-' is never taken for an option
    cmd = [exe, "--quiet", os.path.abspath(path), "--edit", "track:v1", *args]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT_S,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise MediaError(f"{path}: {TOOL} timed out writing HDR metadata") from None
    if done.returncode not in (0, 1):  # 1: done, with warnings
        text = (done.stdout + done.stderr).decode("utf-8", "replace").strip() or "no output"
        raise MediaError(one_line(f"{path}: {TOOL} failed writing HDR metadata: "
                                  f"{text.splitlines()[-1]}"))
