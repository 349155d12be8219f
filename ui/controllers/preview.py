"""The preview: about a second around the playhead, retimed on the proxy in a worker,
then looped next to the source (the source viewer holds each source frame as long).
With a speed ramp the preview is the ramp's frames over that second (the source times
``Ramp.source_time`` gives), played at the source rate."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer

from vfi_plugin.media import format_timecode
from vfi_plugin.session.naming import fit_size, format_factor

from ..threads import WorkerSlot
from ..worker import PreviewResult, PreviewWorker

if TYPE_CHECKING:
    from ..panel import SlowMoPanel

PREVIEW_SECONDS = 1.0
PREVIEW_MAX_FRAMES = 200
PREVIEW_HEIGHT_CPU = 180
PREVIEW_HEIGHT_GPU = 360


class PreviewController(QObject):
    def __init__(self, panel: SlowMoPanel) -> None:
        super().__init__(panel)
        self.panel = panel
        self.slot = WorkerSlot(self)
        self.result: PreviewResult | None = None
        self._key: tuple | None = None
        self.pos = 0
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self.tick)

    @property
    def looping(self) -> bool:
        return self.timer.isActive()

    def reset(self) -> None:
        """Forget the preview (a new clip): its worker, frames and words."""
        self.stop_loop()
        self.slot.drop()
        self.result = None
        self._key = None
        self.panel.transport.preview_button.setText("Preview")
        self.panel.transport.preview_status.setText("")
        self.show_placeholder()

    def show_placeholder(self) -> None:
        view = self.panel.preview_view
        view.set_image(None)
        view.set_progress(None)
        view.set_badge("")
        view.set_caption("SlowMo preview")
        view.set_placeholder(
            "Press Preview (P) to see about a second of slow motion around the playhead"
            if self.panel.state.info is not None else "")

    def span(self) -> tuple[int, int]:
        """[start, end) source frames for a preview: ~1 s around the playhead, in the range."""
        state, tl = self.panel.state, self.panel.timeline
        lo, hi = state.start, state.end
        ramp = state.range_ramp()
        factor = max(1.01, state.factor if ramp is None else 1 / min(state.ramp_speeds()))
        n = round(float(state.info.fps) * PREVIEW_SECONDS)
        n = min(n, int((PREVIEW_MAX_FRAMES - 1) / factor) + 1, hi - lo)
        n = max(2, n)
        start = tl.playhead - n // 2
        start = max(lo, min(start, hi - n))
        return start, start + n

    def size(self, width: int, height: int) -> tuple[int, int]:
        device, devices = self.panel.state.device, self.panel.loader.devices
        gpu = device in ("cuda", "mps") or (device == "auto" and devices
                                            and devices[0] != "cpu")
        return fit_size(width, height, PREVIEW_HEIGHT_GPU if gpu else PREVIEW_HEIGHT_CPU)

    def toggle(self) -> None:
        if self.slot.busy:
            self.cancel()
        else:
            self.start()

    def start(self) -> None:
        """Retime ~1 s around the playhead on the proxy, then loop it next to the source."""
        panel, state = self.panel, self.panel.state
        info = state.info
        if not state.has_clip:
            panel.show_message("Open a clip first.", "error")
            return
        if panel.renderer.busy:
            panel.show_message("Preview is off while a render is running.", "info")
            return
        panel.playback.pause()
        start, end = self.span()
        media = panel.loader.proxy or info.path
        size = self.size(*info.display_size)
        if state.ramp is not None and not state.ramp:
            panel.show_message("The speed ramp has no keys: double-click the speed lane to "
                               "add one, or pick a preset.", "error")
            return
        key = (str(media), start, end, state.factor_text, state.mode, state.device, state.ramp)
        if self.result is not None and key == self._key:
            self.start_loop()
            return
        worker = PreviewWorker(panel.interpolators, media, start, end, state.factor_text,
                               state.mode, state.device, size, state.ramp)
        self.slot.start(worker, progress=self._on_progress, finished=self._on_finished,
                        failed=self._on_failed, cancelled=self._on_cancelled)
        self._key = key
        self.result = None
        view = panel.preview_view
        view.set_image(None)
        view.set_dimmed(False)
        view.set_placeholder("Rendering the preview\u2026")
        view.set_progress(0.0)
        view.set_caption(self._caption(state.factor_text, state.ramp))
        panel.transport.preview_button.setText("Stop")
        panel.transport.preview_status.setText(
            f"{format_timecode(start, info.fps)} \u2013 {format_timecode(end - 1, info.fps)}")

    def drop(self) -> None:
        """Stop a preview being rendered without waiting for it (a render is starting)."""
        if self.slot.busy:
            self.slot.drop()
            self._ended()
            self.show_placeholder()

    def cancel(self) -> None:
        if self.slot.busy:
            self.slot.stop()
            self.panel.transport.preview_status.setText("Stopping\u2026")

    def settings_changed(self) -> None:
        """Say on the preview when it no longer shows the current factor or mode."""
        result, state = self.result, self.panel.state
        if result is None:
            return
        same = (result.ramp == state.ramp and result.mode == state.mode and
                (result.ramp is not None or format_factor(result.factor) == state.factor_text))
        self.panel.preview_view.set_caption(
            self._caption(format_factor(result.factor), result.ramp)
            + ("" if same else "  (settings changed)"))

    @staticmethod
    def _caption(factor: str, ramp) -> str:
        return "SlowMo ramp preview" if ramp is not None else f"SlowMo {factor}\u00d7 preview"

    def _on_progress(self, value) -> None:
        done, total = value
        self.panel.preview_view.set_progress(done / total if total else 0.0)
        self.panel.preview_view.set_placeholder(
            f"Rendering the preview\u2026 {done} / {total} frames")

    def _on_finished(self, result: PreviewResult) -> None:
        self.panel.transport.preview_button.setText("Preview")
        self.panel.preview_view.set_progress(None)
        self.result = result
        self.panel.transport.preview_status.setText(f"{len(result.frames)} frames, looping")
        self.start_loop()
        self.panel.previewReady.emit(result)

    def _on_failed(self, message: str) -> None:
        self._ended()
        self.panel.preview_view.set_progress(None)
        self.panel.preview_view.set_placeholder(f"Preview failed: {message}")
        self.panel.show_message(f"Preview failed: {message}", "error")
        self.panel.previewFailed.emit(message)

    def _on_cancelled(self) -> None:
        self._ended()
        self.show_placeholder()

    def _ended(self) -> None:
        self._key = None
        self.panel.transport.preview_button.setText("Preview")
        self.panel.transport.preview_status.setText("")

    def start_loop(self) -> None:
        result = self.result
        if result is None or not result.frames:
            return
        self.panel.playback.timer.stop()
        self.pos = 0
        fps = min(60.0, float(result.fps))
        factor = format_factor(result.factor)
        self.panel.preview_view.set_dimmed(False)
        self.panel.preview_view.set_caption(self._caption(factor, result.ramp))
        self.panel.source_view.set_caption(
            "Source, frames held as the ramp's speed" if result.ramp is not None
            else f"Source, frames held {factor}\u00d7")
        self.timer.start(max(5, round(1000 / fps)))
        self.panel.transport.set_playing(True)
        self.tick(advance=False)

    def tick(self, advance: bool = True) -> None:
        result = self.result
        if result is None or not result.frames:
            self.timer.stop()
            return
        if advance:
            self.pos = (self.pos + 1) % len(result.frames)
        j = self.pos
        self.panel.preview_view.set_image(result.frames[j])
        self.panel.preview_view.set_badge(f"{j + 1} / {len(result.frames)}")
        info = self.panel.state.info
        if result.source:
            i = result.source_index(j)
            self.panel.source_view.set_image(result.source[i])
            if info is not None:
                self.panel.source_view.set_badge(format_timecode(result.start + i, info.fps))

    def stop_loop(self) -> None:
        if not self.timer.isActive():
            return
        self.timer.stop()
        self.panel.preview_view.set_dimmed(True)
        self.panel.preview_view.set_placeholder("Press Preview (P) to loop it again")
        self.panel.source_view.set_caption("Source")
