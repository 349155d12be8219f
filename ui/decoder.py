"""Frames for the viewer: decoded in a worker thread, kept in a small LRU cache.

The GUI asks ``FrameDecoder.request(frame, ahead)``; a cached frame comes back at
once, otherwise the worker decodes a run of frames from there (one ffmpeg run,
cheap on the all-intra proxy) and ``frameReady(index)`` tells the GUI when each
one lands in the cache. A newer request that the running decode will not reach
interrupts it, so scrubbing stays responsive.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QImage

from .threads import Worker, describe_error, start, wait_for
from .worker import frame_to_qimage

CHUNK = 24
BUDGET_BYTES = 192 * 1024 * 1024


@dataclass(frozen=True)
class _Media:
    generation: int
    path: Path
    info: object  # MediaInfo of ``path``
    size: tuple[int, int] | None


class _DecodeLoop(Worker):
    """Runs until cancelled, decoding whatever the decoder currently wants."""

    frameDecoded = Signal(int, int)  # generation, index
    decodeFailed = Signal(int, str)

    def __init__(self, owner: FrameDecoder) -> None:
        super().__init__()
        self.owner = owner

    def cancel(self) -> None:
        super().cancel()
        with self.owner._cond:
            self.owner._cond.notify_all()

    def work(self) -> None:
        owner = self.owner
        while True:
            with owner._cond:
                while not self.is_cancelled() and owner._want is None:
                    owner._cond.wait()
                if self.is_cancelled():
                    return None
                media, first, last = owner._want
                owner._want = None
            try:
                self._decode(media, first, last)
            except Exception as exc:  # noqa: BLE001 - reported, the loop goes on
                self.decodeFailed.emit(media.generation, describe_error(exc))

    def _decode(self, media: _Media, first: int, last: int) -> None:
        from vfi_plugin.media import read_frames

        owner = self.owner
        with owner._cond:
            while first <= last and first in owner._cache:
                first += 1
        if first > last:
            return
        reader = read_frames(media.path, first, last + 1, size=media.size, info=media.info)
        try:
            for index, frame in enumerate(reader, first):
                image = frame_to_qimage(frame)
                with owner._cond:
                    if media.generation != owner._media_gen:
                        return
                    owner._store(index, image)
                    want = owner._want
                    interrupt = self.is_cancelled() or (
                        want is not None and (want[0].generation != media.generation
                                              or not index < want[1] <= last))
                self.frameDecoded.emit(media.generation, index)
                if interrupt:
                    return
        finally:
            reader.close()


class FrameDecoder(QObject):
    """Decodes frames of one media file for display; owned by the GUI thread."""

    frameReady = Signal(int)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None, chunk: int = CHUNK,
                 budget_bytes: int = BUDGET_BYTES) -> None:
        super().__init__(parent)
        self.chunk = chunk
        self.budget_bytes = budget_bytes
        self._cond = threading.Condition()
        self._cache: OrderedDict[int, QImage] = OrderedDict()
        self._cache_limit = 64
        self._media: _Media | None = None
        self._media_gen = 0
        self._want: tuple[_Media, int, int] | None = None
        self._loop: _DecodeLoop | None = None
        self._stopped = False

    @property
    def media_path(self) -> Path | None:
        return self._media.path if self._media else None

    def set_media(self, path: Path | None, info=None, size: tuple[int, int] | None = None) -> None:
        """Decode from ``path`` from now on (None: nothing); the cache is emptied."""
        with self._cond:
            self._media_gen += 1
            self._cache.clear()
            self._want = None
            if path is None:
                self._media = None
                return
            self._media = _Media(self._media_gen, Path(path), info, size)
            if size is not None:
                w, h = size
            elif info is not None:
                w, h = info.display_size
            else:
                w, h = 640, 360
            self._cache_limit = max(CHUNK * 2, self.budget_bytes // max(1, w * h * 3))
        self._ensure_loop()

    def cached(self, frame: int) -> QImage | None:
        with self._cond:
            image = self._cache.get(frame)
            if image is not None:
                self._cache.move_to_end(frame)
            return image

    def request(self, frame: int, ahead: int = 0) -> QImage | None:
        """The frame if cached; otherwise (and for the ``ahead`` frames after it) decode."""
        with self._cond:
            media = self._media
            if media is None or frame < 0:
                return None
            count = getattr(media.info, "frame_count", None)
            last = frame + max(ahead, self.chunk - 1)
            if count:
                if frame >= count:
                    return None
                last = min(last, count - 1)
            image = self._cache.get(frame)
            if image is not None:
                self._cache.move_to_end(frame)
            first_missing = next((f for f in range(frame, min(last, frame + ahead) + 1)
                                  if f not in self._cache), None)
            if first_missing is not None:
                self._want = (media, first_missing, max(last, first_missing))
                self._cond.notify_all()
        if first_missing is not None:
            self._ensure_loop()
        return image

    def _store(self, index: int, image: QImage) -> None:  # called with the lock held
        self._cache[index] = image
        self._cache.move_to_end(index)
        while len(self._cache) > self._cache_limit:
            self._cache.popitem(last=False)

    def _ensure_loop(self) -> None:
        if self._loop is None and not self._stopped:
            loop = _DecodeLoop(self)
            loop.frameDecoded.connect(self._on_decoded)
            loop.decodeFailed.connect(self._on_failed)
            self._loop = start(loop)

    @Slot(int, int)
    def _on_decoded(self, generation: int, index: int) -> None:
        if generation == self._media_gen:
            self.frameReady.emit(index)

    @Slot(int, str)
    def _on_failed(self, generation: int, message: str) -> None:
        if generation == self._media_gen:
            self.failed.emit(message)

    def stop(self, timeout_s: float = 3.0) -> bool:
        """End the worker thread for good (waits up to ``timeout_s``); True when it has."""
        self._stopped = True
        loop, self._loop = self._loop, None
        if loop is None:
            return True
        loop.cancel()
        return wait_for(loop, timeout_s)
