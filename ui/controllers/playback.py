"""Playback: the source viewer's frame (playhead, or the handle being dragged), playing
inside the marked range, stepping and jumping."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Slot

from vfi_plugin.media import format_timecode

if TYPE_CHECKING:
    from ..panel import SlowMoPanel


class PlaybackController(QObject):
    def __init__(self, panel: SlowMoPanel) -> None:
        super().__init__(panel)
        self.panel = panel
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._tick)
        panel.decoder.frameReady.connect(self._on_frame_ready)
        panel.decoder.failed.connect(self._on_decode_failed)
        tl = panel.timeline
        tl.playheadChanged.connect(self._on_playhead)
        tl.dragChanged.connect(self._on_drag_changed)

    def is_playing(self) -> bool:
        return self.timer.isActive()

    def toggle(self) -> None:
        if self.timer.isActive() or self.panel.preview.looping:
            self.pause()
        else:
            self.play()

    def play(self) -> None:
        """Play the clip from the playhead (looping inside the marked range)."""
        info = self.panel.state.info
        if info is None:
            return
        self.panel.preview.stop_loop()
        tl = self.panel.timeline
        if tl.playhead >= tl.out_frame:
            tl.set_playhead(tl.in_frame)
        self.timer.start(max(5, round(1000 / float(info.fps))))
        self.panel.transport.set_playing(True)
        self.show_frame()

    def pause(self) -> None:
        was_previewing = self.panel.preview.looping
        self.stop()
        if was_previewing:
            self.show_frame()

    def stop(self) -> None:
        """Stop playing and the preview's loop (nothing else is shown)."""
        self.timer.stop()
        self.panel.preview.stop_loop()
        self.panel.transport.set_playing(False)

    def step(self, frames: int) -> None:
        self.pause()
        self.panel.timeline.set_playhead(self.panel.timeline.playhead + frames)

    def step_seconds(self, seconds: int) -> None:
        info = self.panel.state.info
        if info is not None:
            self.step(seconds * max(1, round(float(info.fps))))

    def go_to_in(self) -> None:
        self.pause()
        self.panel.timeline.set_playhead(self.panel.timeline.in_frame)

    def go_to_out(self) -> None:
        self.pause()
        self.panel.timeline.set_playhead(self.panel.timeline.out_frame)

    def viewer_frame(self) -> tuple[int, str]:
        """The frame the source viewer shows, and its caption: the in or out frame while
        that handle is dragged, else the frame under the playhead."""
        tl = self.panel.timeline
        if tl.dragging == "in":
            return tl.in_frame, "Source \u00b7 in mark"
        if tl.dragging == "out":
            return tl.out_frame, "Source \u00b7 out mark"
        return tl.playhead, "Source"

    def show_frame(self) -> None:
        """Show the viewer's frame (asked of the decoder if not cached yet)."""
        info = self.panel.state.info
        if info is None or self.panel.preview.looping:
            return
        frame, caption = self.viewer_frame()
        view = self.panel.source_view
        image = self.panel.decoder.request(frame, ahead=self._read_ahead())
        if image is not None:
            view.set_image(image)
        view.set_caption(caption)
        view.set_badge(format_timecode(frame, info.fps))

    def _read_ahead(self) -> int:
        info = self.panel.state.info
        if not self.timer.isActive() or info is None:
            return 0
        return max(8, round(float(info.fps)))

    def _tick(self) -> None:
        tl = self.panel.timeline
        nxt = tl.playhead + 1
        if tl.in_frame <= tl.playhead <= tl.out_frame and nxt > tl.out_frame:
            nxt = tl.in_frame
        if nxt >= tl.frame_count:
            self.pause()
            return
        if self.panel.decoder.request(nxt, ahead=self._read_ahead()) is None:
            return  # not decoded yet: hold this frame rather than run ahead of the picture
        tl.set_playhead(nxt)

    @Slot(int)
    def _on_playhead(self, frame: int) -> None:
        info = self.panel.state.info
        if info is None:
            return
        self.panel.transport.show_position(frame, info.frame_count, info.fps)
        self.panel.preview.stop_loop()
        self.show_frame()

    @Slot(str)
    def _on_drag_changed(self, what: str) -> None:
        """Trimming shows the frame under the dragged handle; letting go, the playhead's."""
        if what in ("in", "out"):
            self.pause()
        if what != "playhead":
            self.show_frame()

    @Slot(int)
    def _on_frame_ready(self, index: int) -> None:
        if index == self.viewer_frame()[0] and not self.panel.preview.looping:
            image = self.panel.decoder.cached(index)
            if image is not None:
                self.panel.source_view.set_image(image)

    @Slot(str)
    def _on_decode_failed(self, message: str) -> None:
        self.panel.source_view.set_placeholder(f"Cannot show this frame:\n{message}")
