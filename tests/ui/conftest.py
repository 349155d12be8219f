"""Fixtures for the Qt front-end tests: offscreen Qt, tiny clips made with the real
ffmpeg, a panel with its own settings and proxy cache, and helpers to wait on it.

Frames carry their index in a row of 8 cells at the top (cell k bright when bit k
of the frame number is set), so decoded output can be matched to source frames.
"""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything loads Qt
# One torch thread (read when torch loads): on this box the 2 cores are shared with
# training jobs, and a 2-thread OpenMP pool whose other thread is preempted makes a
# single 96x64 network call take 0.3 s median, 3.6 s worst, instead of 22 ms
# (measured). That would make the render, cancel-latency and stall tests slow and flaky
# for reasons that have nothing to do with the front-end.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
    pytest.skip("ffmpeg/ffprobe not installed", allow_module_level=True)

BITS = 8
CELL_H = 10
LOW, HIGH = 20, 235


def clip_frame(i: int, width: int, height: int) -> np.ndarray:
    """Frame ``i``: a gradient, a square moving 4 px a frame, the index in the top cells."""
    y, x = np.mgrid[0:height, 0:width]
    frame = np.empty((height, width, 3), np.uint8)
    frame[..., 0] = 40 + (x * 150 // width)
    frame[..., 1] = 40 + (y * 150 // height)
    frame[..., 2] = 110
    side = height // 3
    left = (i * 4) % max(1, width - side)
    top = height // 2 - side // 2 + CELL_H // 2
    frame[top:top + side, left:left + side] = (250, 240, 90)
    cell_w = width // BITS
    for k in range(BITS):
        frame[:CELL_H, k * cell_w:(k + 1) * cell_w] = HIGH if (i >> k) & 1 else LOW
    return frame


def frame_index(frame: np.ndarray) -> int:
    """Read back the index written by clip_frame (tolerates lossy codecs)."""
    width = frame.shape[1]
    cell_w = width // BITS
    value = 0
    for k in range(BITS):
        cell = frame[2:CELL_H - 2, k * cell_w + 2:(k + 1) * cell_w - 2]
        if cell.mean() > (LOW + HIGH) / 2:
            value |= 1 << k
    return value


def write_clip(path: Path, width: int, height: int, fps, frames: int) -> Path:
    """Encode the test frames with ffmpeg (H.264, keyframe every 10 frames, B-frames)."""
    fps = Fraction(fps)
    path.parent.mkdir(parents=True, exist_ok=True)
    cmd = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
           "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}",
           "-framerate", f"{fps.numerator}/{fps.denominator}", "-i", "pipe:",
           "-c:v", "libx264", "-preset", "ultrafast", "-crf", "10", "-g", "10", "-bf", "2",
           "-pix_fmt", "yuv420p", str(path)]
    data = b"".join(clip_frame(i, width, height).tobytes() for i in range(frames))
    subprocess.run(cmd, input=data, check=True)
    return path


@pytest.fixture(scope="session")
def proxy_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("proxy-cache")


@pytest.fixture(autouse=True)
def ui_env(tmp_path, monkeypatch, proxy_cache):
    """Settings in a fresh folder per test; proxies in a folder of the session."""
    config = tmp_path / "config"
    monkeypatch.setenv("VFI_SLOWMO_CONFIG_DIR", str(config))
    monkeypatch.setenv("VFI_SLOWMO_CACHE_DIR", str(proxy_cache))
    return config


@pytest.fixture
def make_clip(tmp_path):
    """make_clip(name="clip.mp4", width=128, height=72, fps=12, frames=24) -> Path.

    Each clip goes into a folder of its own (renders land next to it)."""

    def make(name: str = "clip.mp4", width: int = 128, height: int = 72, fps=12,
             frames: int = 24) -> Path:
        return write_clip(tmp_path / Path(name).stem / name, width, height, fps, frames)

    return make


class RecordingHost:
    """A real Host implementation (as an editor adapter would be): a fixed selection,
    and a list of what it was asked to import."""

    name = "TestEdit"

    def __init__(self, selection=None) -> None:
        self.selection = selection
        self.imported = []

    def current_clip(self):
        return self.selection

    def import_result(self, request) -> None:
        self.imported.append(request)


@pytest.fixture
def make_panel(qtbot):
    """make_panel(host=None) -> a shown SlowMoPanel that shuts down after the test."""
    from vfi_plugin.ui import threads
    from vfi_plugin.ui.panel import SlowMoPanel

    made = []

    def make(host=None, **kw):
        panel = SlowMoPanel(host, **kw)
        qtbot.addWidget(panel, before_close_func=lambda w: w.shutdown())
        panel.resize(1100, 760)
        panel.show()
        qtbot.waitExposed(panel)
        made.append(panel)
        return panel

    yield make
    for panel in made:
        panel.shutdown()
    # a worker that already reported may still be unwinding its QThread: give it a moment
    threads.wait_all(5.0)
    assert threads.running_threads() == 0, "worker threads left running after shutdown"


@pytest.fixture
def panel(make_panel):
    return make_panel()


def _open_clip(qtbot, panel, path, timeout_ms: int = 30_000):
    """Open ``path`` through the panel's public method and wait until it is loaded
    and the engine is ready (so the live summary shows numbers)."""
    with qtbot.waitSignal(panel.clipLoaded, timeout=timeout_ms) as blocker:
        panel.open_file(path)
    _wait_core(qtbot, panel)
    return blocker.args[0]


def _wait_core(qtbot, panel, timeout_ms: int = 60_000) -> None:
    qtbot.waitUntil(lambda: panel.loader.devices is not None and
                    panel.output_frame_count() is not None,
                    timeout=timeout_ms)


@pytest.fixture
def open_clip(qtbot):
    """open_clip(panel, path) -> MediaInfo, once loaded and the engine is ready."""
    return lambda panel, path, timeout_ms=30_000: _open_clip(qtbot, panel, path, timeout_ms)


@pytest.fixture
def recording_host():
    """recording_host(selection=None) -> a RecordingHost."""
    return RecordingHost


@pytest.fixture
def index_of():
    """index_of(frame) -> the frame number drawn into a test clip's frame."""
    return frame_index
