"""``SlowMoPanel``: the SlowMo front-end as one QWidget that any host window can embed.

The panel composes its sections (``ui/sections``: source, transport, retime, output,
render bar) and controllers (``ui/controllers``: clip loading, playback, preview,
render) around one ``vfi_plugin.session.PanelState``, which the widgets write and
the summary, output name and render request are read from. It never blocks the GUI
thread (work runs in ``ui/worker.py``'s workers), touches no global QApplication
state, and shuts its workers down itself when it is destroyed or the app quits.

In/out marks are inclusive frame numbers (editor style); the state counts
``start = in`` and ``end = out + 1`` as the core does.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QSettings, Signal, Slot
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from vfi_plugin.hosts.base import ClipSelection, FileHost, Host
from vfi_plugin.media import MediaInfo
from vfi_plugin.session import PanelState

from . import keys
from .controllers.choices import ChoicesController
from .controllers.conform import ConformController
from .controllers.farm import FarmController
from .controllers.clip import ClipLoader, dropped_files
from .controllers.playback import PlaybackController
from .controllers.preview import PreviewController
from .controllers.ramp import RampController
from .controllers.render import RenderController
from .decoder import FrameDecoder
from .ramp_lane import RampLane
from .sections import SideBySide
from .sections.output import OutputSection
from .sections.render_bar import RenderBar
from .sections.retime import RetimeSection
from .sections.source import SourceSection
from .sections.transport import RangeRow, TransportSection
from .settings import open_settings
from .style import PANEL_QSS
from .threads import shutdown_workers
from .timeline import TimelineWidget
from .viewer import FrameView
from .worker import InterpolatorCache

if TYPE_CHECKING:
    from vfi_plugin.jobs import RenderRequest, RenderResult

class SlowMoPanel(QWidget):
    """Pick a clip and range, choose the slowdown, preview it, render it, hand it back.

    ``host`` is any ``vfi_plugin.hosts.base.Host`` (default: a standalone ``FileHost``).
    ``settings`` is a QSettings to keep preferences in (default: the GUI's INI file).
    ``shutdown()`` cancels and joins the workers; it runs by itself when the panel is
    destroyed or the application quits.
    """

    clipLoaded = Signal(object)        # MediaInfo
    clipFailed = Signal(str)
    proxyReady = Signal(object)        # Path of the proxy
    thumbnailsReady = Signal(int)      # how many
    coreReady = Signal(list)           # available devices
    previewReady = Signal(object)      # worker.PreviewResult
    previewFailed = Signal(str)
    renderStarted = Signal()
    renderProgress = Signal(object)    # vfi_plugin.jobs.Progress
    renderFinished = Signal(object)    # vfi_plugin.jobs.RenderResult
    renderFailed = Signal(str)
    renderCancelled = Signal()
    messageChanged = Signal(str, str)  # text, kind: info | busy | ok | error

    def __init__(self, host: Host | None = None, parent: QWidget | None = None, *,
                 settings: QSettings | None = None, weights: str | os.PathLike | None = None
                 ) -> None:
        super().__init__(parent)
        self.setObjectName("SlowMoPanel")
        self.host: Host = host if host is not None else FileHost()
        self.settings = settings if settings is not None else open_settings(self)
        self.weights = Path(weights) if weights else None
        self.interpolators = InterpolatorCache(self.weights)
        self.state = PanelState(weights=self.weights)
        self.closed = False
        self._message = ("", "info")
        self.decoder = FrameDecoder()  # no parent: it outlives the widget until shut down

        self._build()
        self.loader = ClipLoader(self)
        self.playback = PlaybackController(self)
        self.preview = PreviewController(self)
        self.renderer = RenderController(self)
        self.choices = ChoicesController(self)
        self.ramp = RampController(self)
        self.farm = FarmController(self)
        self.conform = ConformController(self)
        self._connect()
        self.actions_by_name = keys.install(self)
        self.setStyleSheet(PANEL_QSS)
        self.setAcceptDrops(True)
        self.choices.restore_prefs()
        self.source.show_clip(None)
        self.preview.show_placeholder()
        self.update_summary()
        self.update_enabled()
        # a host (a Nuke pane) may delete the widget or quit without calling shutdown()
        slots, stoppers = self._workers()
        self.destroyed.connect(lambda *_: shutdown_workers(slots, stoppers, 5.0))
        QCoreApplication.instance().aboutToQuit.connect(self.shutdown)
        self.show_message("Open a clip to begin: Open\u2026, drag a file here"
                          + ("" if isinstance(self.host, FileHost) else
                             f", or take the clip selected in {self.host.name}") + ".")

    # ================================================================== layout
    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(10, 10, 10, 8)
        root.setSpacing(8)
        host_name = None if isinstance(self.host, FileHost) else (
            getattr(self.host, "name", "host") or "host")
        self.source = SourceSection(host_name, self)
        root.addWidget(self.source)
        views = QHBoxLayout()
        views.setSpacing(8)
        self.source_view = FrameView("Source", self)
        self.source_view.setToolTip("The frame under the playhead (from the low-res proxy)")
        self.preview_view = FrameView("SlowMo preview", self)
        self.preview_view.setToolTip("A short slow-motion preview, rendered on the proxy")
        views.addWidget(self.source_view, 1)
        views.addWidget(self.preview_view, 1)
        root.addLayout(views, 1)
        self.transport = TransportSection(self)
        root.addWidget(self.transport)
        self.timeline = TimelineWidget(self)
        root.addWidget(self.timeline)
        self.ramp_lane = RampLane(self.timeline, self)  # shown while Ramp is chosen
        self.ramp_lane.setVisible(False)
        root.addWidget(self.ramp_lane)
        self.range_row = RangeRow(self)
        root.addWidget(self.range_row)
        row = SideBySide(self)
        self.retime = RetimeSection(row)
        self.output = OutputSection(row)
        row.box.addWidget(self.retime, 1)
        row.box.addWidget(self.output, 1)
        root.addWidget(row)
        self.render_bar = RenderBar(self)
        root.addWidget(self.render_bar)
        # the widgets hosts, tests and tools reach for, by their old names
        for section, names in (
                (self.source, "open_button host_button timeline_button clip_name clip_facts"),
                (self.transport, "start_button prev_button play_button next_button end_button "
                                 "timecode_label frame_label preview_status preview_button"),
                (self.range_row, "range_label"),
                (self.retime, "preset_buttons factor_spin mode_slowmo mode_smooth "
                              "speed_constant speed_ramp ramp_presets result_label result_detail"),
                (self.output, "codec_combo audio_combo device_combo name_edit replace_check "
                              "folder_edit folder_button render_on_combo scheduler_edit "
                              "check_button bundle_button"),
                (self.render_bar, "progress_bar render_button cancel_button reveal_button "
                                  "status_label")):
            for name in names.split():
                setattr(self, name, getattr(section, name))

    def _connect(self) -> None:
        self.open_button.clicked.connect(self.browse_source)
        self.host_button.clicked.connect(self.use_host_clip)
        self.timeline_button.clicked.connect(lambda: self.open_timeline())
        self.play_button.clicked.connect(self.toggle_play)
        self.start_button.clicked.connect(self.go_to_in)
        self.end_button.clicked.connect(self.go_to_out)
        self.prev_button.clicked.connect(lambda: self.step(-1))
        self.next_button.clicked.connect(lambda: self.step(1))
        self.preview_button.clicked.connect(self.preview.toggle)
        self.timeline.rangeChanged.connect(self._on_range)
        self.timeline.keyAction.connect(self._on_key_action)
        self.render_button.clicked.connect(self.render)
        self.cancel_button.clicked.connect(self.cancel_render)
        self.reveal_button.clicked.connect(self.reveal)

    # ================================================================ messages
    def show_message(self, text: str, kind: str = "info") -> None:
        """One line (or two) of plain words under the render bar."""
        self._message = (text, kind)
        self.render_bar.show_status(text, kind)
        self.messageChanged.emit(text, kind)

    def message(self) -> str:
        return self._message[0]

    def message_kind(self) -> str:
        return self._message[1]

    # ============================================================ source clip
    @property
    def info(self) -> MediaInfo | None:
        """The loaded clip's facts (None until one is loaded)."""
        return self.state.info

    @property
    def selection(self) -> ClipSelection | None:
        return self.state.selection

    @property
    def proxy(self) -> Path | None:
        return self.loader.proxy

    def browse_source(self) -> None:
        """The Open dialog (non-modal to the host: it only runs when the user asks)."""
        self.loader.browse()

    def use_host_clip(self) -> None:
        """Load the clip (and range) the host editor has selected."""
        self.loader.use_host_clip()

    def open_timeline(self, path: str | os.PathLike | None = None):
        """The "Open timeline..." dialog (conform an editor's timeline); ``path``: read it."""
        return self.conform.open_dialog(path)

    def open_file(self, path: str | os.PathLike, selection: ClipSelection | None = None) -> None:
        """Open a clip (probed in a worker): ``clipLoaded`` or ``clipFailed`` follows."""
        if not self.renderer.refuse_while_rendering(Path(path).name):
            self.loader.open(path, selection)

    # ================================================================ timeline
    @Slot(int, int)
    def _on_range(self, in_frame: int, out_frame: int) -> None:
        self.state.start, self.state.end = in_frame, out_frame + 1
        self.update_summary()
        if self.timeline.dragging in ("in", "out"):
            self.playback.show_frame()  # the frame under the handle

    @Slot(str)
    def _on_key_action(self, name: str) -> None:
        action = self.actions_by_name.get(name)
        if action is not None:
            action.trigger()

    def set_playhead(self, frame: int) -> None:
        self.timeline.set_playhead(frame)

    def playhead(self) -> int:
        return self.timeline.playhead

    def set_range(self, in_frame: int, out_frame: int) -> None:
        """Mark [in_frame, out_frame] (inclusive)."""
        self.timeline.set_range(in_frame, out_frame)

    def range(self) -> tuple[int, int]:
        """The marked range as the core counts it: (start_frame, end_frame), end exclusive."""
        return self.timeline.in_frame, self.timeline.out_frame + 1

    def mark_in(self) -> None:
        self.timeline.set_in(self.timeline.playhead)

    def mark_out(self) -> None:
        self.timeline.set_out(self.timeline.playhead)

    def step(self, frames: int) -> None:
        self.playback.step(frames)

    def go_to_in(self) -> None:
        self.playback.go_to_in()

    def go_to_out(self) -> None:
        self.playback.go_to_out()

    def is_playing(self) -> bool:
        return self.playback.is_playing()

    def toggle_play(self) -> None:
        self.playback.toggle()

    def play(self) -> None:
        self.playback.play()

    def pause(self) -> None:
        self.playback.pause()

    def start_preview(self) -> None:
        self.preview.start()

    def cancel_preview(self) -> None:
        self.preview.cancel()

    # ================================================================ settings
    def factor(self) -> float:
        return self.retime.factor()

    def set_factor(self, value: float) -> None:
        self.retime.set_factor(value)

    def mode(self) -> str:
        return self.retime.mode()

    def set_mode(self, mode: str) -> None:
        self.retime.set_mode(mode)

    def codec(self) -> str:
        return self.output.codec()

    def set_codec(self, name: str) -> None:
        self.output.set_codec(name)

    def audio(self) -> str:
        return self.output.audio()

    def set_audio(self, mode: str) -> None:
        self.output.set_audio(mode)

    def device(self) -> str:
        return self.output.device()

    def set_device(self, name: str) -> None:
        self.choices.set_device(name)

    # ================================================================== output
    def output_folder(self) -> Path | None:
        return self.state.output_folder()

    def set_output_folder(self, folder: str | os.PathLike, remember: bool = True) -> None:
        """The folder outputs go into (see ``ChoicesController.set_folder``)."""
        self.choices.set_folder(folder, remember)

    def set_output_name(self, name: str) -> None:
        """A name chosen by the user (see ``ChoicesController.set_name``)."""
        self.choices.set_name(name)

    def output_path(self) -> Path | None:
        return self.state.output_path()

    def browse_folder(self) -> None:
        self.choices.browse_folder()

    def update_summary(self) -> None:
        summary = self.state.summary()
        self.range_label.setText(summary.range_text)
        self.retime.show_summary(summary)

    def output_frame_count(self) -> int | None:
        """The frame count the summary shows (None without a clip)."""
        return self.state.summary().frames

    # ================================================================== render
    @property
    def last_output(self) -> Path | None:
        return self.renderer.last_output

    @property
    def last_result(self) -> RenderResult | None:
        return self.renderer.last_result

    def is_rendering(self) -> bool:
        return self.renderer.busy

    def render_request(self) -> RenderRequest:
        """The ``RenderRequest`` for the current settings (raises UserInputError)."""
        return self.state.to_request()

    def render(self) -> None:
        """Start rendering the marked range in a worker (``renderFinished`` etc. follow)."""
        self.renderer.start()

    def cancel_render(self) -> None:
        self.renderer.cancel()

    def reveal(self) -> None:
        self.renderer.reveal()

    def confirm_close(self) -> bool:
        """Ask before closing during a render (see ``RenderController.confirm_close``)."""
        return self.renderer.confirm_close() and self.conform.confirm_close()

    def update_enabled(self) -> None:
        has_clip = self.state.has_clip
        rendering = self.renderer.busy
        self.render_button.setEnabled(has_clip and not rendering)
        self.open_button.setEnabled(not rendering)  # the panel keeps its clip meanwhile
        self.host_button.setEnabled(not rendering)
        self.cancel_button.setEnabled(rendering and not self.renderer.cancelling)
        self.preview_button.setEnabled(has_clip and not rendering)
        for button in self.transport.buttons():
            button.setEnabled(has_clip)
        self.reveal_button.setEnabled(self.last_output is not None and not rendering)

    # ========================================================== drag and drop
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if dropped_files(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        if dropped_files(event):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        files = dropped_files(event)
        if files:
            event.acceptProposedAction()
            self.open_file(files[0])

    # ================================================================ shutdown
    def _workers(self) -> tuple[list, list]:
        """The panel's worker slots, and how to stop its frame decoder."""
        return ([*self.loader.slots(), self.preview.slot, self.renderer.slot,
                 *self.conform.slots()], [self.decoder.stop])

    def shutdown(self, timeout_s: float = 5.0) -> None:
        """Cancel everything running and wait (up to ``timeout_s``) for the threads.

        Runs by itself when the panel is destroyed or the application quits; the
        standalone window calls it on close. A second call does nothing."""
        if self.closed:
            return
        self.closed = True
        self.playback.timer.stop()
        self.preview.timer.stop()
        shutdown_workers(*self._workers(), timeout_s)
        try:
            self.choices.save_prefs()
        except RuntimeError:
            pass

