"""Helpers for the media tests: tiny clips made with the real ffmpeg.

Frames carry their own index: 8 horizontal bands, band k bright when bit k
of the frame number is set, so range reads can be checked frame-exactly.
"""
from __future__ import annotations

import os
import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

BITS = 8
LOW, HIGH = 40, 215

_CODEC_ARGS = {
    # keyframe every 10 frames and B-frames so that seeking is exercised
    "x264": ["-c:v", "libx264", "-preset", "superfast", "-crf", "12", "-g", "10", "-bf", "2"],
    "ffv1": ["-c:v", "ffv1", "-pix_fmt", "yuv444p"],
    "mpeg2": ["-c:v", "mpeg2video", "-q:v", "2", "-g", "6"],
}


def index_frame(i: int, width: int, height: int) -> np.ndarray:
    """An RGB frame whose bands encode `i` (plus a bit of colour)."""
    frame = np.empty((height, width, 3), np.uint8)
    edges = np.linspace(0, height, BITS + 1).round().astype(int)
    for k in range(BITS):
        frame[edges[k]:edges[k + 1]] = HIGH if (i >> k) & 1 else LOW
    frame[..., 2] = frame[..., 2] // 2 + 60  # not grey: exercises the matrix
    return frame


def frame_index(frame: np.ndarray) -> int:
    """Read back the index written by index_frame (tolerates lossy codecs)."""
    height, width = frame.shape[:2]
    edges = np.linspace(0, height, BITS + 1).round().astype(int)
    value = 0
    for k in range(BITS):
        lo, hi = edges[k], edges[k + 1]
        pad = (hi - lo) // 4
        band = frame[lo + pad:hi - pad, width // 4:width - width // 4, 0]
        if band.mean() > (LOW + HIGH) / 2:
            value |= 1 << k
    return value


def write_clip(path: Path, width: int, height: int, fps: Fraction, frames: int, *,
               codec: str = "x264", audio: bool = False, rotate: int | None = None,
               extra: list[str] | None = None) -> Path:
    """Encode `frames` index frames to `path` with ffmpeg (no project code)."""
    fps = Fraction(fps)
    rate = f"{fps.numerator}/{fps.denominator}"
    cmd = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
           "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}",
           "-framerate", rate, "-i", "pipe:"]
    if audio:
        seconds = float(frames / fps)
        cmd += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=44100:duration={seconds}"]
    cmd += _CODEC_ARGS[codec]
    if codec == "x264":
        cmd += ["-pix_fmt", "yuv420p" if width % 2 == 0 and height % 2 == 0 else "yuv444p"]
    if audio:
        cmd += ["-c:a", "aac", "-b:a", "64k"]
    target = path.with_name("unrotated_" + path.name) if rotate is not None else path
    cmd += (extra or []) + [str(target)]
    data = b"".join(index_frame(i, width, height).tobytes() for i in range(frames))
    subprocess.run(cmd, input=data, check=True)
    if rotate is not None:  # a rotation tag only sticks when remuxing in ffmpeg 5.x
        subprocess.run(["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                        "-i", str(target), "-c", "copy", "-metadata:s:v:0", f"rotate={rotate}",
                        str(path)], check=True)
    return path


def fake_tool(folder: Path, name: str, body: str) -> Path:
    """An executable shell script standing in for ffmpeg (to simulate failures)."""
    if os.name == "nt":
        pytest.skip("needs a POSIX shell")
    script = folder / name
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(0o755)
    return script




def rgb_patches(width: int, height: int) -> np.ndarray:
    """Saturated red/green/blue/yellow quadrants: sensitive to the YUV matrix."""
    frame = np.empty((height, width, 3), np.uint8)
    h2, w2 = height // 2, width // 2
    frame[:h2, :w2] = (200, 30, 30)
    frame[:h2, w2:] = (30, 200, 30)
    frame[h2:, :w2] = (30, 30, 200)
    frame[h2:, w2:] = (210, 200, 40)
    return frame
