"""Thread plumbing for the panel: a worker QObject runs in its own QThread and reports
through queued signals; ``WorkerSlot`` keeps one role's current worker and drops the
reports of workers it has replaced. The jobs themselves are in ``worker.py``.

Signals a worker has (Qt queues them to the GUI thread, where the receivers live):

* ``progress(object)``  whatever the job reports as it goes
* ``finished(object)``  the result
* ``failed(str)``       one line for the user: the core's message as is, or a summary
* ``cancelled()``       the work stopped on request and cleaned up after itself
"""
from __future__ import annotations

import logging
import threading
import time
from collections import deque
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from vfi_plugin.errors import Cancelled, SlowMoError

log = logging.getLogger("vfi_plugin.ui")

PROGRESS_INTERVAL_S = 0.1
TERMINAL = ("finished", "failed", "cancelled")


def one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def describe_error(exc: BaseException) -> str:
    """What the panel shows for an exception: the core's own messages as they are,
    anything else summarized in one line (the traceback goes to the log only)."""
    if isinstance(exc, SlowMoError):
        return one_line(str(exc)) or type(exc).__name__
    detail = one_line(str(exc), 160)
    name = type(exc).__name__
    return f"Unexpected error ({name}{': ' + detail if detail else ''}). See the log for details."


class Worker(QObject):
    """Base class: subclasses implement ``work()`` and may call ``report()``."""

    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    done = Signal()  # after any of finished/failed/cancelled

    def __init__(self) -> None:
        super().__init__()
        self._cancel = threading.Event()
        self._home = QThread.currentThread()
        self._last_report = 0.0

    # -- called from the GUI thread -------------------------------------------------
    def cancel(self) -> None:
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    # -- worker thread ----------------------------------------------------------------
    def work(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def check_cancel(self) -> None:
        if self._cancel.is_set():
            raise Cancelled("cancelled")

    def report(self, value: object, force: bool = False) -> None:
        """Emit ``progress`` at most every PROGRESS_INTERVAL_S (always when forced)."""
        now = time.monotonic()
        if force or now - self._last_report >= PROGRESS_INTERVAL_S:
            self._last_report = now
            self.progress.emit(value)

    @Slot()
    def run(self) -> None:
        try:
            result = self.work()
        except Cancelled:
            self.cancelled.emit()
        except Exception as exc:  # noqa: BLE001 - everything becomes one line in the panel
            if not isinstance(exc, SlowMoError):
                log.error("%s failed", type(self).__name__, exc_info=True)
            self.failed.emit(describe_error(exc))
        else:
            self.finished.emit(result)
        finally:
            # Hand the object back to the thread that made it, so that it can be
            # deleted there once the worker thread has ended.
            if self._home is not None:
                self.moveToThread(self._home)
            self.done.emit()


class _Runner(QObject):
    """Owns the QThread of one worker until that thread has ended.

    Finished runners are not dropped in their own slot: Python would then delete
    the QThread and the worker (C++ objects it owns) while Qt is still dispatching
    to them. They wait in a short queue instead and are freed when pushed out of it.
    """

    _alive: set[_Runner] = set()
    _finished: deque[_Runner] = deque(maxlen=32)

    def __init__(self, worker: Worker) -> None:
        super().__init__()
        self.worker = worker
        self.thread = QThread()
        self.thread.setObjectName(f"slowmo-{type(worker).__name__}")
        worker.moveToThread(self.thread)
        self.thread.started.connect(worker.run)
        # direct: quit() is thread-safe, and a GUI thread blocked in wait_for() could
        # not run a queued call
        worker.done.connect(self.thread.quit, Qt.ConnectionType.DirectConnection)
        self.thread.finished.connect(self._reap)
        _Runner._alive.add(self)
        self.thread.start()

    @Slot()
    def _reap(self) -> None:
        self.thread.wait()
        _Runner._finished.append(self)
        _Runner._alive.discard(self)


def start(worker: Worker) -> Worker:
    """Run ``worker.run()`` in a new QThread; the thread ends when the work does."""
    worker._runner = _Runner(worker)  # type: ignore[attr-defined]
    return worker


def wait_for(worker: Worker | None, timeout_s: float = 5.0) -> bool:
    """Block until ``worker``'s thread has ended (for shutdown only); True if it has."""
    runner = getattr(worker, "_runner", None) if worker is not None else None
    if runner is None:
        return True
    return runner.thread.wait(int(timeout_s * 1000))


def wait_all(timeout_s: float) -> bool:
    """Wait (up to ``timeout_s`` in all) for every worker thread to end; True if they have.

    For an app about to exit: a QThread destroyed while it still runs aborts the process.
    """
    deadline = time.monotonic() + timeout_s
    for runner in list(_Runner._alive):
        left = max(0.0, deadline - time.monotonic())
        if not runner.thread.wait(int(left * 1000)):
            return False
    return True


def running_threads() -> int:
    """How many worker threads are still alive (tests check that none leak)."""
    return sum(1 for r in _Runner._alive if r.thread.isRunning())


class _Relay(QObject):
    """Carries one signal of one worker to its handler, in the GUI thread, while that
    worker is still its slot's current one."""

    def __init__(self, slot: WorkerSlot, worker: Worker, handler: Callable, terminal: bool,
                 parent: QObject) -> None:
        super().__init__(parent)
        self.slot, self.worker, self.handler, self.terminal = slot, worker, handler, terminal

    @Slot(object)
    def on_value(self, value: object) -> None:
        self._deliver(value)

    @Slot(str)
    def on_text(self, text: str) -> None:
        self._deliver(text)

    @Slot()
    def on_bare(self) -> None:
        self._deliver()

    def _deliver(self, *args: object) -> None:
        if self.slot.worker is not self.worker:
            return  # a worker the slot has replaced or dropped: its news is stale
        if self.terminal:
            self.slot.release()
        self.handler(*args)


class WorkerSlot:
    """One kind of background work of an owner (its probe, its render ...), one worker at
    a time. Handlers only hear the current worker; a terminal signal (finished, failed,
    cancelled) empties the slot before its handler runs."""

    def __init__(self, owner: QObject) -> None:
        self._owner = owner
        self.worker: Worker | None = None
        self._relays: list[_Relay] = []

    @property
    def busy(self) -> bool:
        return self.worker is not None

    def start(self, worker: Worker, **handlers: Callable) -> Worker:
        """Run ``worker`` (a previous one is dropped); ``handlers`` by signal name,
        e.g. ``finished=self._on_done``."""
        self.drop()
        for name, handler in handlers.items():
            signal = getattr(worker, name)
            relay = _Relay(self, worker, handler, name in TERMINAL, self._owner)
            receiver = (relay.on_text if name == "failed" else
                        relay.on_bare if name == "cancelled" else relay.on_value)
            signal.connect(receiver)
            self._relays.append(relay)
        self.worker = start(worker)
        return worker

    def stop(self) -> None:
        """Ask the current worker to stop; its ``cancelled`` (or last word) still arrives."""
        if self.worker is not None:
            self.worker.cancel()

    def drop(self) -> None:
        """Ask the current worker to stop and forget it (its later reports are dropped)."""
        worker = self.worker
        self.release()
        if worker is not None:
            worker.cancel()

    def release(self) -> None:
        """Forget the current worker without cancelling it."""
        self.worker = None
        relays, self._relays = self._relays, []
        for relay in relays:
            relay.deleteLater()


def shutdown_workers(slots: list[WorkerSlot], stoppers: list[Callable[[float], object]],
                     timeout_s: float) -> None:
    """Cancel every slot's worker and call each ``stopper(timeout)``, then wait (up to
    ``timeout_s`` in all) for the workers' threads to end."""
    running = [s.worker for s in slots if s.worker is not None]
    for worker in running:
        worker.cancel()
    deadline = time.monotonic() + timeout_s
    for stop in stoppers:
        stop(timeout_s)
    for worker in running:
        wait_for(worker, max(0.0, deadline - time.monotonic()))
