"""The panel's background jobs: probing, proxies, the model, previews and renders.

Each is a ``threads.Worker`` run in its own QThread; none touches a widget. The
torch-heavy parts of the core (``vfi_plugin.engine``'s network, ``vfi_plugin.jobs``'
rendering) are imported only inside ``work()``, i.e. on a worker thread, so neither
the app's start nor the GUI thread ever waits for torch.
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtGui import QImage

from vfi_plugin.errors import Cancelled

from .threads import Worker

if TYPE_CHECKING:
    from vfi_plugin.engine import Interpolator
    from vfi_plugin.jobs import RenderRequest, RenderResult
    from vfi_plugin.media import MediaInfo

# Windows per forward pass on the CPU: one. The core checks for cancellation
# between batches, and its default CPU budget (0.2 Mpx, Interpolator.batch_size) puts
# dozens of tiny frames in one batch: seconds of CPU work before a Cancel is seen. Batching
# buys no speed on the CPU above ~0.1 Mpx (measured: 640x360, 0.57 s/frame at 1
# window vs 0.64 s at 4), and a fixed batch shape avoids oneDNN re-tuning for each
# new batch size (first call of a shape: 1.5 s and more on a busy CPU).
CPU_BATCH_PIXELS = 1
PROXY_HEIGHT = 360
THUMB_HEIGHT = 72
THUMB_COUNT = 40
CUT_SCAN_WIDTH = 128  # px: the proxy is decoded this small to find scene cuts

def load_core() -> list[str]:
    """Import the torch-heavy core (call on a worker thread); return the usable devices."""
    import vfi_plugin.jobs  # noqa: F401
    from vfi_plugin.engine import available_devices  # loads torch

    return available_devices()


def frame_to_qimage(frame: np.ndarray) -> QImage:
    """An HxWx3 uint8 RGB array as a QImage that owns its pixels (safe in any thread)."""
    frame = np.ascontiguousarray(frame)
    h, w = frame.shape[:2]
    return QImage(frame.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class InterpolatorCache:
    """Loads the model once per device (on a worker thread) and hands it out again."""

    def __init__(self, weights: Path | None = None) -> None:
        self.weights = weights
        self._lock = threading.Lock()
        self._items: dict[str, Any] = {}

    def get(self, device: str = "auto") -> Interpolator:
        from vfi_plugin.engine import InferenceOptions, load_interpolator, resolve_device

        with self._lock:
            resolved = str(resolve_device(device))
            if resolved not in self._items:
                options = (InferenceOptions(batch_pixels=CPU_BATCH_PIXELS)
                           if resolved == "cpu" else None)
                self._items[resolved] = load_interpolator(self.weights, resolved, options)
            return self._items[resolved]

    def has(self, device: str) -> bool:
        """True when the model is loaded for ``device`` ("cpu", "cuda", ..., not "auto").

        No lock (a dict lookup): the GUI thread asks while a worker may hold the lock
        for the seconds a load takes."""
        return device in self._items


# ----------------------------------------------------------------------------- workers

class CoreLoader(Worker):
    """Imports the core's torch side in the background; result: available devices."""

    def work(self) -> list[str]:
        return load_core()


class ProbeWorker(Worker):
    """``probe(path, fps)`` -> MediaInfo (ffprobe runs in a child process); ``fps`` is an
    image sequence's rate (from the host), None for 24 or for a video's own."""

    def __init__(self, path: Path, fps=None) -> None:
        super().__init__()
        self.path = Path(path)
        self.fps = fps

    def work(self) -> MediaInfo:
        from vfi_plugin.media import probe

        return probe(self.path, self.fps)


@dataclass(frozen=True)
class ProxyResult:
    proxy: Path
    thumbnails: list  # list[QImage]
    cuts: tuple = ()  # source frames that start a new shot (scene cuts), for the filmstrip


class ProxyWorker(Worker):
    """Makes (or finds) the clip's low-res proxy, then the filmstrip thumbnails."""

    proxyReady = Signal(object)  # (Path, MediaInfo), before the thumbnails are decoded

    def __init__(self, info, count: int = THUMB_COUNT, height: int = PROXY_HEIGHT,
                 thumb_height: int = THUMB_HEIGHT) -> None:
        super().__init__()
        self.info = info
        self.count = count
        self.height = height
        self.thumb_height = thumb_height

    def work(self) -> ProxyResult:
        from vfi_plugin.media import ensure_proxy, probe, thumbnails

        proxy = ensure_proxy(self.info.path, height=self.height, cancel=self.is_cancelled,
                             info=self.info)
        self.check_cancel()
        proxy_info = probe(proxy)
        self.proxyReady.emit((proxy, proxy_info))
        self.check_cancel()
        count = min(self.count, proxy_info.frame_count)
        thumbs = [frame_to_qimage(f) for f in
                  thumbnails(proxy, count, self.thumb_height, info=proxy_info)]
        self.check_cancel()
        return ProxyResult(proxy, thumbs, tuple(self._cuts(proxy, proxy_info)))

    def _cuts(self, proxy: Path, proxy_info) -> list[int]:
        """Scene cuts, found with the renderer's own detector on a tiny decode of the proxy."""
        from vfi_plugin.engine.cuts import find_cuts
        from vfi_plugin.media import read_frames

        width = min(CUT_SCAN_WIDTH, proxy_info.display_size[0])
        height = max(2, round(width * proxy_info.display_size[1] / proxy_info.display_size[0]))
        with read_frames(proxy, size=(width, height), info=proxy_info) as reader:
            def frames():
                for frame in reader:
                    self.check_cancel()
                    yield frame
            return find_cuts(frames())


@dataclass(frozen=True)
class PreviewResult:
    """A retimed stretch and the source frames under it, ready to loop."""

    start: int          # first source frame of the stretch
    end: int            # one past its last source frame
    factor: Fraction
    mode: str
    fps: Fraction       # output frame rate
    source: list        # list[QImage], source frames start..end-1
    frames: list        # list[QImage], the retimed frames
    ramp: tuple | None = None  # a speed ramp's keys (then ``factor`` is its slowest)
    times: tuple = ()   # with a ramp: each output frame's source time, in frames from start

    def source_index(self, j: int) -> int:
        """Which source frame (index into ``source``) output frame j shows."""
        if self.times:
            return min(len(self.source) - 1, math.floor(self.times[j] + 1e-9))
        return min(len(self.source) - 1, int(Fraction(j) / self.factor))


class PreviewWorker(Worker):
    """Retimes source frames [start, end) of ``media`` (a proxy) at ``size`` with the
    shared interpolator: the preview, not a render (nothing is written). With ``ramp``
    (keys in seconds on the clip) the frames are the ramp's over [start, end), at the
    source rate, as a render of that stretch gives them."""

    def __init__(self, cache: InterpolatorCache, media: Path, start: int, end: int,
                 factor: float | str, mode: str, device: str, size: tuple[int, int],
                 ramp: tuple | None = None) -> None:
        super().__init__()
        self.cache = cache
        self.media = Path(media)
        self.start_frame, self.end_frame = start, end
        self.factor, self.mode, self.device, self.size = factor, mode, device, size
        self.ramp = ramp

    def work(self) -> PreviewResult:
        from vfi_plugin.engine import Ramp, RetimePlan, parse_factor
        from vfi_plugin.jobs import retime_range
        from vfi_plugin.media import probe, read_frames

        info = probe(self.media)
        n = self.end_frame - self.start_frame
        if self.ramp:
            plan = Ramp(tuple(self.ramp), info.fps, self.start_frame, n)
            factor = Fraction(plan.max_factor).limit_denominator(1000)
        else:
            plan = RetimePlan(parse_factor(self.factor), self.mode)
            factor = plan.factor
        total = plan.output_frames(n)
        self.report((0, total), force=True)
        with read_frames(self.media, self.start_frame, self.end_frame, size=self.size,
                         info=info) as reader:
            source = [frame_to_qimage(f) for f in reader]
        self.check_cancel()
        interpolator = self.cache.get(self.device)
        self.check_cancel()
        frames: list[QImage] = []
        retimed = retime_range(interpolator, self.media, self.start_frame, self.end_frame, plan,
                               cancel=self.is_cancelled, info=info, size=self.size)
        try:
            for frame in retimed:
                frames.append(frame_to_qimage(frame))
                self.report((len(frames), total))
                self.check_cancel()
        finally:
            retimed.close()
        self.report((len(frames), total), force=True)
        times = (tuple(plan.wanted_time(j) for j in range(len(frames)))
                 if isinstance(plan, Ramp) else ())
        return PreviewResult(self.start_frame, self.end_frame, factor, plan.mode,
                             plan.output_fps(info.fps), source, frames,
                             tuple(self.ramp) if self.ramp else None, times)


class RenderWorker(Worker):
    """Runs one ``RenderJob`` for ``request`` (a ``vfi_plugin.jobs.RenderRequest``), planned
    once: the plan that checks the request is the one the job renders."""

    def __init__(self, request: RenderRequest, cache: InterpolatorCache | None = None) -> None:
        super().__init__()
        self.request = request
        self.cache = cache
        self._token = None
        self._stage = ""

    def cancel(self) -> None:
        super().cancel()
        token = self._token
        if token is not None:
            token.cancel()

    def work(self) -> RenderResult:
        from vfi_plugin.jobs import CancelToken, Progress, RenderJob, plan_render

        token = CancelToken()
        self._token = token
        if self.is_cancelled():  # cancel() may have run before the token existed
            token.cancel()
        plan = plan_render(self.request)  # user mistakes surface before the model loads
        self.report(Progress(0, plan.output_frames, 0.0, 0.0, None, "preparing"), force=True)
        interpolator = self.cache.get(self.request.device) if self.cache is not None else None
        if token.cancelled:
            raise Cancelled("render cancelled")
        job = RenderJob(self.request, progress=self._on_progress, cancel=token,
                        interpolator=interpolator,
                        notice=lambda _text: None)  # the panel shows result.notices
        return job.run(plan)

    def _on_progress(self, progress) -> None:
        stage_changed = progress.stage != self._stage
        self._stage = progress.stage
        self.report(progress, force=stage_changed or progress.done >= progress.total)
