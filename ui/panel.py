"""``SlowMoPanel``: the SlowMo front-end as one QWidget that any host window can embed.

The panel never blocks the GUI thread: probing, proxies, thumbnails, the viewer's
frames, previews and renders all run in worker threads (``ui/worker.py``) and
report through queued signals. It touches no global QApplication state, so it
can live in a host's dock as well as in the standalone app's window.

In/out marks are inclusive frame numbers (editor style); the core gets
``start = in`` and ``end = out + 1``.
"""
from __future__ import annotations

import dataclasses
import os
import shutil
import sys
from fractions import Fraction
from pathlib import Path

from PySide6.QtCore import QSettings, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QBoxLayout,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from vfi_plugin.errors import UserInputError
from vfi_plugin.host import ClipSelection, FileHost, Host, ImportRequest, reveal_in_file_manager
from vfi_plugin.media import CODECS, DEFAULT_CODEC, format_timecode

from . import worker as workers
from .decoder import FrameDecoder
from .naming import (
    default_output_name,
    fit_codec_suffix,
    fit_size,
    format_factor,
    format_fps,
    free_output_path,
    seconds_text,
)
from .settings import add_recent_file, open_settings, read_str
from .style import PANEL_QSS
from .timeline import TimelineWidget
from .viewer import ElidedLabel, FrameView

PRESETS = (2, 4, 8)
MIN_FACTOR = 1.01
MAX_FACTOR = 64.0
MODES = ("slowmo", "smooth")
AUDIO_CHOICES = (("auto", "Auto"), ("drop", "Drop"), ("stretch", "Stretch (keep pitch)"))
DEVICE_LABELS = {"auto": "Auto (best available)", "cpu": "CPU", "cuda": "NVIDIA GPU (CUDA)",
                 "mps": "Apple GPU (Metal)"}
CORE_LOAD_DELAY_MS = 250
PREVIEW_SECONDS = 1.0
PREVIEW_MAX_FRAMES = 200
PREVIEW_HEIGHT_CPU = 180
PREVIEW_HEIGHT_GPU = 360
VIDEO_FILTER = ("Video files (*.mp4 *.mov *.m4v *.mkv *.avi *.mxf *.webm *.mts *.m2ts *.ts "
                "*.mpg *.mpeg *.wmv *.flv *.y4m);;All files (*)")


class _SideBySide(QWidget):
    """Holds the Retime and Output sections side by side, stacked when too narrow
    for that (a host's dock), so the panel's minimum width stays that of one section."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(10)

    def _widgets(self) -> list[QWidget]:
        return [w for i in range(self.box.count()) if (w := self.box.itemAt(i).widget())]

    def side_by_side_width(self) -> int:
        widths = [w.minimumSizeHint().width() for w in self._widgets()]
        return sum(widths) + self.box.spacing() * max(0, len(widths) - 1)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        widths = [w.minimumSizeHint().width() for w in self._widgets()] or [0]
        return QSize(max(widths), self.box.minimumSize().height())

    def resizeEvent(self, event) -> None:  # noqa: N802
        direction = (QBoxLayout.Direction.LeftToRight
                     if event.size().width() >= self.side_by_side_width()
                     else QBoxLayout.Direction.TopToBottom)
        if self.box.direction() != direction:
            self.box.setDirection(direction)
            self.updateGeometry()
        super().resizeEvent(event)


class SlowMoPanel(QWidget):
    """Pick a clip and range, choose the slowdown, preview it, render it, hand it back.

    ``host`` is any ``vfi_plugin.host.Host`` (default: a standalone ``FileHost``).
    ``settings`` is a QSettings to keep preferences in (default: the GUI's INI file).
    Call ``shutdown()`` before the panel goes away: it cancels and joins its workers.
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
        self.interpolators = workers.InterpolatorCache(self.weights)
        self.info = None                    # MediaInfo of the clip
        self.selection: ClipSelection | None = None
        self.proxy: Path | None = None
        self.last_output: Path | None = None
        self.last_result = None
        self._devices: list[str] | None = None
        self._wanted_device = "auto"
        self._pending_range: tuple[int | None, int | None] | None = None
        self._pending_selection: ClipSelection | None = None
        self._render_context: tuple | None = None  # what the running render was asked for
        self._last_plan: tuple[int, Fraction] | None = None
        self._core_worker: workers.Worker | None = None
        self._probe_worker: workers.Worker | None = None
        self._proxy_worker: workers.Worker | None = None
        self._preview_worker: workers.Worker | None = None
        self._render_worker: workers.Worker | None = None
        self._cancelling = False
        self._core_pending = False
        self._preview: workers.PreviewResult | None = None
        self._preview_key: tuple | None = None
        self._preview_pos = 0
        self._name_auto = True
        self._output_folder = ""  # the folder the user chose ("": next to each source)
        self._restoring = False
        self._closed = False
        self._message = ("", "info")

        self.decoder = FrameDecoder(self)
        self.decoder.frameReady.connect(self._on_frame_ready)
        self.decoder.failed.connect(self._on_decode_failed)
        self._play_timer = QTimer(self)
        self._play_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._play_timer.timeout.connect(self._play_tick)
        self._preview_timer = QTimer(self)
        self._preview_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._preview_timer.timeout.connect(self._preview_tick)

        self._build_ui()
        self._build_actions()
        self.setStyleSheet(PANEL_QSS)
        self.setAcceptDrops(True)
        self._restore_settings()
        self._update_clip_facts()
        self._update_summary()
        self._update_enabled()
        self.show_message("Open a clip to begin: Open\u2026, drag a file here"
                          + ("" if isinstance(self.host, FileHost) else
                             f", or take the clip selected in {self.host.name}") + ".")

    # ================================================================== layout
    def _section(self, title: str) -> tuple[QFrame, QGridLayout]:
        frame = QFrame(self)
        frame.setObjectName("section")
        grid = QGridLayout(frame)
        grid.setContentsMargins(12, 10, 12, 12)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(8)
        label = QLabel(title.upper(), frame)
        label.setObjectName("sectionTitle")
        grid.addWidget(label, 0, 0, 1, -1)
        return frame, grid

    def _build_ui(self) -> None:
        style = self.style()
        root = QVBoxLayout(self)
        root.setContentsMargins(10, 10, 10, 8)
        root.setSpacing(8)

        # --- source -------------------------------------------------------------
        top = QHBoxLayout()
        top.setSpacing(8)
        self.open_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_DirOpenIcon),
                                       "Open\u2026", self)
        self.open_button.setToolTip("Open a video file (you can also drop one on the panel)")
        self.open_button.clicked.connect(self.browse_source)
        host_name = getattr(self.host, "name", "host") or "host"
        self.host_button = QPushButton(
            f"Use {host_name} clip" if len(host_name) <= 14 else "Use host clip", self)
        self.host_button.setToolTip(f"Take the clip and in/out range selected in {host_name}")
        self.host_button.clicked.connect(self.use_host_clip)
        self.host_button.setVisible(not isinstance(self.host, FileHost))
        names = QVBoxLayout()
        names.setSpacing(1)
        self.clip_name = QLabel("No clip loaded", self)
        self.clip_name.setObjectName("clipName")
        self.clip_name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.clip_facts = ElidedLabel("", self)
        self.clip_facts.setObjectName("clipFacts")
        self.clip_facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        names.addWidget(self.clip_name)
        names.addWidget(self.clip_facts)
        top.addWidget(self.open_button)
        top.addWidget(self.host_button)
        top.addSpacing(8)
        top.addLayout(names, 1)
        root.addLayout(top)

        # --- viewers --------------------------------------------------------------
        views = QHBoxLayout()
        views.setSpacing(8)
        self.source_view = FrameView("Source", self)
        self.source_view.setToolTip("The frame under the playhead (from the low-res proxy)")
        self.preview_view = FrameView("SlowMo preview", self)
        self.preview_view.setToolTip("A short slow-motion preview, rendered on the proxy")
        views.addWidget(self.source_view, 1)
        views.addWidget(self.preview_view, 1)
        root.addLayout(views, 1)

        # --- transport ------------------------------------------------------------
        transport = QHBoxLayout()
        transport.setSpacing(4)

        def tool(icon: QStyle.StandardPixmap, tip: str, slot) -> QToolButton:
            button = QToolButton(self)
            button.setIcon(style.standardIcon(icon))
            button.setToolTip(tip)
            button.setAutoRaise(True)
            button.setIconSize(QSize(18, 18))
            button.clicked.connect(slot)
            transport.addWidget(button)
            return button

        self.start_button = tool(QStyle.StandardPixmap.SP_MediaSkipBackward,
                                 "Go to the in mark (Home)", self.go_to_in)
        self.prev_button = tool(QStyle.StandardPixmap.SP_MediaSeekBackward,
                                "Previous frame (Left)", lambda: self.step(-1))
        self.play_button = tool(QStyle.StandardPixmap.SP_MediaPlay, "Play / pause (Space)",
                                self.toggle_play)
        self.next_button = tool(QStyle.StandardPixmap.SP_MediaSeekForward,
                                "Next frame (Right)", lambda: self.step(1))
        self.end_button = tool(QStyle.StandardPixmap.SP_MediaSkipForward,
                               "Go to the out mark (End)", self.go_to_out)
        transport.addSpacing(10)
        self.timecode_label = QLabel("00:00:00:00", self)
        self.timecode_label.setObjectName("timecode")
        self.timecode_label.setToolTip("Playhead timecode (HH:MM:SS:FF)")
        self.frame_label = QLabel("", self)
        self.frame_label.setObjectName("frameNumber")
        transport.addWidget(self.timecode_label)
        transport.addSpacing(6)
        transport.addWidget(self.frame_label)
        transport.addStretch(1)
        self.preview_status = QLabel("", self)
        self.preview_status.setObjectName("hint")
        transport.addWidget(self.preview_status)
        self.preview_button = QPushButton(
            style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay), "Preview", self)
        self.preview_button.setToolTip(
            "Render about a second of slow motion around the playhead on the low-res proxy "
            "and loop it next to the source (P)")
        self.preview_button.clicked.connect(self._preview_clicked)
        transport.addWidget(self.preview_button)
        root.addLayout(transport)

        # --- timeline -------------------------------------------------------------
        self.timeline = TimelineWidget(self)
        self.timeline.playheadChanged.connect(self._on_playhead)
        self.timeline.rangeChanged.connect(self._on_range)
        self.timeline.keyAction.connect(self._on_key_action)
        self.timeline.dragChanged.connect(self._on_drag_changed)
        root.addWidget(self.timeline)
        under = QHBoxLayout()
        self.range_label = QLabel("", self)
        self.range_label.setObjectName("rangeInfo")
        self.range_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        hint = ElidedLabel("I / O  mark in / out  \u00b7  Space  play  \u00b7  \u2190 \u2192  "
                           "step  \u00b7  drag the yellow handles", self)
        hint.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        hint.setObjectName("hint")
        under.addWidget(self.range_label)
        under.addSpacing(12)
        under.addWidget(hint, 1)
        root.addLayout(under)

        # --- settings -------------------------------------------------------------
        row = _SideBySide(self)
        self._settings_row = row.box
        retime, grid = self._section("Retime")
        grid.addWidget(QLabel("Slowdown", retime), 1, 0)
        presets = QHBoxLayout()
        presets.setSpacing(4)
        # Not in a QButtonGroup: Qt leaves only the checked button of a group in the Tab
        # chain, and each preset must be reachable with Tab. _sync_presets checks them.
        self.preset_buttons: dict[int, QPushButton] = {}
        for value in PRESETS:
            button = QPushButton(f"{value}\u00d7", retime)
            button.setCheckable(True)
            button.setProperty("preset", True)
            button.setToolTip(f"{value} times slower")
            button.clicked.connect(lambda _=False, v=value: self.set_factor(v))
            self.preset_buttons[value] = button
            presets.addWidget(button)
        presets.addSpacing(6)
        self.factor_spin = QDoubleSpinBox(retime)
        # wider than the allowed range, so that "100" can be typed (a narrower spin box
        # drops the last digit) and _on_factor_changed clamps it with a message
        self.factor_spin.setRange(0.0, 9999.99)
        self.factor_spin.setDecimals(2)
        self.factor_spin.setSingleStep(0.5)
        self.factor_spin.setSuffix(" \u00d7")
        self.factor_spin.setValue(2.0)
        self.factor_spin.setToolTip("Custom slowdown factor (more than 1, at most 64)")
        self.factor_spin.setKeyboardTracking(False)
        self.factor_spin.valueChanged.connect(self._on_factor_changed)
        presets.addWidget(self.factor_spin)
        presets.addStretch(1)
        grid.addLayout(presets, 1, 1)
        grid.addWidget(QLabel("Mode", retime), 2, 0)
        modes = QHBoxLayout()
        modes.setSpacing(18)
        self.mode_slowmo = QRadioButton("Slow motion", retime)
        self.mode_slowmo.setToolTip("Same frame rate, the clip plays N times longer")
        self.mode_smooth = QRadioButton("Smooth", retime)
        self.mode_smooth.setToolTip("Same length, N times the frame rate")
        self.mode_slowmo.setChecked(True)
        self.mode_group = QButtonGroup(self)
        self.mode_group.addButton(self.mode_slowmo)
        self.mode_group.addButton(self.mode_smooth)
        self.mode_slowmo.toggled.connect(self._on_mode_changed)
        modes.addWidget(self.mode_slowmo)
        modes.addWidget(self.mode_smooth)
        modes.addStretch(1)
        grid.addLayout(modes, 2, 1)
        grid.addWidget(QLabel("Result", retime), 3, 0, Qt.AlignmentFlag.AlignTop)
        result = QVBoxLayout()
        result.setSpacing(1)
        self.result_label = QLabel("\u2014", retime)
        self.result_label.setObjectName("resultBig")
        self.result_detail = QLabel("", retime)
        self.result_detail.setObjectName("hint")
        result.addWidget(self.result_label)
        result.addWidget(self.result_detail)
        grid.addLayout(result, 3, 1)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(4, 1)
        row.box.addWidget(retime, 1)

        output, grid = self._section("Output")
        self.codec_combo = QComboBox(output)
        for name, spec in CODECS.items():
            self.codec_combo.addItem(spec.label, name)
        self.codec_combo.setToolTip("Video format of the rendered file")
        self.codec_combo.currentIndexChanged.connect(self._on_codec_changed)
        self.audio_combo = QComboBox(output)
        for key, label in AUDIO_CHOICES:
            self.audio_combo.addItem(label, key)
        self.audio_combo.setToolTip(
            "Auto: drop the sound in slow motion, keep it in smooth mode.\n"
            "Stretch: slow the sound down with the picture (pitch kept).")
        self.audio_combo.currentIndexChanged.connect(self._save_settings)
        self.device_combo = QComboBox(output)
        self.device_combo.setToolTip("Where the network runs")
        self._fill_devices(["cpu"])
        self.device_combo.currentIndexChanged.connect(self._on_device_changed)
        formats = QHBoxLayout()
        formats.setSpacing(6)
        formats.addWidget(self.codec_combo, 3)
        formats.addWidget(QLabel("Audio", output))
        formats.addWidget(self.audio_combo, 2)
        grid.addWidget(QLabel("Format", output), 1, 0)
        grid.addLayout(formats, 1, 1, 1, 2)
        grid.addWidget(QLabel("Device", output), 2, 0)
        grid.addWidget(self.device_combo, 2, 1, 1, 2)
        grid.addWidget(QLabel("File name", output), 3, 0)
        self.name_edit = QLineEdit(output)
        self.name_edit.setPlaceholderText("<clip>_slowmo2x.mp4")
        self.name_edit.setToolTip("Output file name (a folder name for PNG sequences)")
        self.name_edit.textEdited.connect(self._on_name_edited)
        self.name_edit.editingFinished.connect(self._fit_name)
        grid.addWidget(self.name_edit, 3, 1)
        self.replace_check = QCheckBox("Replace", output)
        self.replace_check.setToolTip("Replace the file if it exists (otherwise never overwritten)")
        grid.addWidget(self.replace_check, 3, 2)
        grid.addWidget(QLabel("Folder", output), 4, 0)
        self.folder_edit = QLineEdit(output)
        self.folder_edit.setPlaceholderText("next to the source")
        self.folder_edit.setToolTip("Folder the output goes into (kept for the next clips "
                                    "until you change it; empty: next to each source)")
        self.folder_edit.editingFinished.connect(self._on_folder_edited)
        grid.addWidget(self.folder_edit, 4, 1)
        self.folder_button = QPushButton("Browse\u2026", output)
        self.folder_button.clicked.connect(self.browse_folder)
        grid.addWidget(self.folder_button, 4, 2)
        grid.setColumnStretch(1, 1)
        row.box.addWidget(output, 1)
        root.addWidget(row)

        # --- render ---------------------------------------------------------------
        bar = QHBoxLayout()
        bar.setSpacing(8)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setObjectName("renderProgress")
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setValue(0)
        self.progress_bar.setTextVisible(True)
        self.progress_bar.setFormat("Ready")
        self.progress_bar.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.render_button = QPushButton("Render", self)
        self.render_button.setObjectName("renderButton")
        self.render_button.setToolTip("Render the marked range in full resolution (Ctrl+Return)")
        self.render_button.clicked.connect(self.render)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setToolTip("Stop the render; nothing is left behind")
        self.cancel_button.clicked.connect(self.cancel_render)
        self.reveal_button = QPushButton("Reveal", self)
        self.reveal_button.setToolTip("Show the rendered file in the file manager")
        self.reveal_button.clicked.connect(self.reveal)
        bar.addWidget(self.progress_bar, 1)
        bar.addWidget(self.render_button)
        bar.addWidget(self.cancel_button)
        bar.addWidget(self.reveal_button)
        root.addLayout(bar)
        self.status_label = QLabel("", self)
        self.status_label.setObjectName("status")
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_label.setMinimumHeight(self.status_label.fontMetrics().height() * 2 + 8)
        self.status_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        root.addWidget(self.status_label)
        self._show_preview_placeholder()

    def _build_actions(self) -> None:
        """Editor keys, active whenever the focus is inside the panel (not host-wide)."""
        def add(text: str, keys: list, slot) -> QAction:
            action = QAction(text, self)
            action.setShortcuts([QKeySequence(k) for k in keys])
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.addAction(action)
            return action

        self.actions_by_name = {
            "in": add("Mark in", [Qt.Key.Key_I], self.mark_in),
            "out": add("Mark out", [Qt.Key.Key_O], self.mark_out),
            "play": add("Play / pause", [Qt.Key.Key_Space], self.toggle_play),
            "prev": add("Previous frame", [Qt.Key.Key_Left], lambda: self.step(-1)),
            "next": add("Next frame", [Qt.Key.Key_Right], lambda: self.step(1)),
            "prev10": add("Back 10 frames", ["Shift+Left"], lambda: self.step(-10)),
            "next10": add("Forward 10 frames", ["Shift+Right"], lambda: self.step(10)),
            "start": add("Go to in", [Qt.Key.Key_Home], self.go_to_in),
            "end": add("Go to out", [Qt.Key.Key_End], self.go_to_out),
            "preview": add("Preview", [Qt.Key.Key_P], self._preview_clicked),
            "render": add("Render", ["Ctrl+Return", "Ctrl+Enter"], self.render),
        }

    # ================================================================ messages
    def show_message(self, text: str, kind: str = "info") -> None:
        """One line (or two) of plain words under the render bar."""
        self._message = (text, kind)
        self.status_label.setText(text)
        self.status_label.setProperty("kind", kind)
        self.status_label.style().unpolish(self.status_label)
        self.status_label.style().polish(self.status_label)
        self.messageChanged.emit(text, kind)

    def message(self) -> str:
        return self._message[0]

    def message_kind(self) -> str:
        return self._message[1]

    # ============================================================ source clip
    def browse_source(self) -> None:
        """The Open dialog (non-modal to the host: it only runs when the user asks)."""
        if self._refuse_while_rendering("another clip"):
            return
        start = read_str(self.settings, "paths/last_folder", str(Path.home()))
        path, _ = QFileDialog.getOpenFileName(self, "Open a video clip", start, VIDEO_FILTER)
        if path:
            self.open_file(path)

    def use_host_clip(self) -> None:
        """Load the clip (and range) the host editor has selected."""
        name = getattr(self.host, "name", "the host")
        if self._refuse_while_rendering(f"the clip selected in {name}"):
            return
        try:
            selection = self.host.current_clip()
        except Exception as exc:  # noqa: BLE001 - a host adapter's failure, in one line
            self.show_message(f"{name} could not tell its selected clip: "
                              f"{workers.describe_error(exc)}", "error")
            return
        if selection is None:
            self.show_message(f"No clip is selected in {name}: select one there first.",
                              "error")
            return
        self.open_file(selection.path, selection=selection)

    def open_file(self, path: str | os.PathLike, selection: ClipSelection | None = None) -> None:
        """Open a clip (probed in a worker): ``clipLoaded`` or ``clipFailed`` follows."""
        path = Path(path)
        if self._refuse_while_rendering(path.name):
            return
        if self._probe_worker is not None:
            self._probe_worker.cancel()
        self._pending_range = ((selection.start_frame, selection.end_frame)
                               if selection is not None else None)
        self._pending_selection = selection
        self.show_message(f"Opening {path.name}\u2026", "busy")
        # an image sequence plays at the host's rate (a Nuke Read's), else 24 with a notice
        worker = workers.ProbeWorker(path, selection.fps if selection is not None else None)
        worker.finished.connect(self._on_probe_finished)
        worker.failed.connect(self._on_probe_failed)
        self._probe_worker = workers.start(worker)
        self._ensure_core()

    def _refuse_while_rendering(self, what: str) -> bool:
        """While a render runs the panel keeps its clip (the render's progress, result and
        host import belong to it): say so, and True, instead of opening ``what``."""
        if self._render_worker is None:
            return False
        context = self._render_context
        clip = context[0].path.name if context and context[0] is not None else "a clip"
        output = Path(self._render_worker.request["output"]).name
        self.show_message(f"Cannot open {what} while {clip} is rendering (to {output}): "
                          "wait for the render to finish, or Cancel it, then open again.",
                          "error")
        return True

    def _reset_clip_state(self) -> None:
        """Forget what belonged to the previous clip: its preview, render result and
        progress, Reveal, and a ticked Replace (a fresh name is suggested anyway)."""
        self._stop_all_playback()
        self._cancel_worker("_proxy_worker")
        self._cancel_worker("_preview_worker")
        self._preview = None
        self._preview_key = None
        self.preview_button.setText("Preview")
        self.preview_status.setText("")
        self.last_output = None
        self.last_result = None
        self._render_context = None
        self._last_plan = None
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("Ready")
        self.replace_check.setChecked(False)

    @Slot(object)
    def _on_probe_finished(self, info) -> None:
        if self.sender() is not self._probe_worker or self._closed:
            return
        self._probe_worker = None
        if self._refuse_while_rendering(info.path.name):  # the render started meanwhile
            return
        self._reset_clip_state()
        self.info = info
        self.proxy = None
        selection = self._pending_selection
        self.selection = selection
        w, h = fit_size(*info.display_size, workers.PROXY_HEIGHT)
        self.decoder.set_media(info.path, info, (w, h))  # until the proxy is ready
        self.timeline.set_clip(info.frame_count, info.fps)
        if self._pending_range is not None and info.frame_count >= 2:
            start, end = self._pending_range
            start = 0 if start is None else start
            end = info.frame_count if end is None else end
            self.timeline.set_range(start, end - 1)
            self.timeline.set_playhead(self.timeline.in_frame)
        self._pending_range = None
        self.folder_edit.setPlaceholderText(f"next to the source ({info.path.resolve().parent})")
        self._name_auto = True
        self._suggest_name()
        self._show_playhead_frame()
        self._show_preview_placeholder()
        self._update_clip_facts()
        self._update_summary()
        self._update_enabled()
        self.settings.setValue("paths/last_folder", str(info.path.resolve().parent))
        add_recent_file(self.settings, info.path)
        if info.frame_count < 2:
            self.show_message(f"{info.path.name} has only one frame: there is nothing to "
                              "slow down.", "error")
        else:
            self.show_message(f"Loaded {info.path.name}. Mark a range and press Render.")
        self.timeline.set_busy("Making the filmstrip\u2026")
        proxy = workers.ProxyWorker(info)
        proxy.proxyReady.connect(self._on_proxy_ready)
        proxy.finished.connect(self._on_proxy_finished)
        proxy.failed.connect(self._on_proxy_failed)
        self._proxy_worker = workers.start(proxy)
        self.timeline.setFocus(Qt.FocusReason.OtherFocusReason)
        self.clipLoaded.emit(info)

    @Slot(str)
    def _on_probe_failed(self, message: str) -> None:
        if self.sender() is not self._probe_worker or self._closed:
            return
        self._probe_worker = None
        self.show_message(message, "error")
        self.clipFailed.emit(message)

    @Slot(object)
    def _on_proxy_ready(self, value) -> None:
        if self.sender() is not self._proxy_worker:
            return
        proxy, proxy_info = value
        self.proxy = proxy
        self.decoder.set_media(proxy, proxy_info, None)
        self._show_playhead_frame()
        self.proxyReady.emit(proxy)

    @Slot(object)
    def _on_proxy_finished(self, result) -> None:
        if self.sender() is not self._proxy_worker:
            return
        self._proxy_worker = None
        self.timeline.set_busy("")
        self.timeline.set_thumbnails(result.thumbnails)
        self.timeline.set_cuts(result.cuts)
        self.thumbnailsReady.emit(len(result.thumbnails))

    @Slot(str)
    def _on_proxy_failed(self, message: str) -> None:
        if self.sender() is not self._proxy_worker:
            return
        self._proxy_worker = None
        self.timeline.set_busy("No filmstrip for this clip")
        self.show_message(f"Could not make the preview proxy: {message}", "error")

    @Slot(str)
    def _on_decode_failed(self, message: str) -> None:
        self.source_view.set_placeholder(f"Cannot show this frame:\n{message}")

    def _update_clip_facts(self) -> None:
        info = self.info
        if info is None:
            self.clip_name.setText("No clip loaded")
            self.clip_facts.setText("Open a video file or drop one here.")
            return
        w, h = info.display_size
        seconds = info.frame_count / float(info.fps)
        facts = [f"{w}\u00d7{h}", f"{format_fps(info.fps)} fps",
                 f"{format_timecode(info.frame_count, info.fps)} ({info.frame_count} frames, "
                 f"{seconds:.2f} s)"]
        if info.codec_name:
            facts.append(info.codec_name.upper() + (f" {info.pix_fmt}" if info.pix_fmt else ""))
        if info.audio:
            a = info.audio[0]
            facts.append(f"audio {a.codec_name or ''} {round((a.sample_rate or 0) / 1000, 1):g} kHz"
                         if a.sample_rate else "audio")
        else:
            facts.append("no audio")
        self.clip_name.setText(info.path.name)
        self.clip_name.setToolTip(str(info.path))
        self.clip_facts.setText("  \u00b7  ".join(facts))

    # ======================================================= core (torch) warm-up
    def _ensure_core(self) -> None:
        """Import the torch side of the core in the background (once), shortly after
        the current events: loading torch briefly holds Python's GIL, so it should not
        coincide with the window's first paint."""
        if self._devices is not None or self._core_worker is not None or self._core_pending:
            return
        self._core_pending = True
        QTimer.singleShot(CORE_LOAD_DELAY_MS, self, self._start_core)

    def _start_core(self) -> None:
        self._core_pending = False
        if self._closed or self._devices is not None or self._core_worker is not None:
            return
        worker = workers.CoreLoader()
        worker.finished.connect(self._on_core_ready)
        worker.failed.connect(self._on_core_failed)
        self._core_worker = workers.start(worker)

    @Slot(object)
    def _on_core_ready(self, devices: list) -> None:
        self._core_worker = None
        self._devices = list(devices)
        self._fill_devices(self._devices)
        self._update_summary()
        self.coreReady.emit(self._devices)

    @Slot(str)
    def _on_core_failed(self, message: str) -> None:
        self._core_worker = None
        self._devices = ["cpu"]
        self.show_message(f"The slow-motion engine could not start: {message}", "error")

    def _fill_devices(self, devices: list[str]) -> None:
        wanted = self._wanted_device
        self.device_combo.blockSignals(True)
        self.device_combo.clear()
        for name in ["auto"] + [d for d in ("cuda", "mps") if d in devices] + ["cpu"]:
            self.device_combo.addItem(DEVICE_LABELS.get(name, name), name)
        index = self.device_combo.findData(wanted)
        self.device_combo.setCurrentIndex(max(0, index))
        self.device_combo.blockSignals(False)

    # ================================================================ timeline
    @Slot(int)
    def _on_playhead(self, frame: int) -> None:
        info = self.info
        if info is None:
            return
        self.timecode_label.setText(format_timecode(frame, info.fps))
        self.frame_label.setText(f"frame {frame} / {info.frame_count - 1}")
        if self._preview_timer.isActive():
            self._stop_preview_loop()
        self._show_playhead_frame()

    @Slot(int, int)
    def _on_range(self, in_frame: int, out_frame: int) -> None:
        self._update_summary()
        if self.timeline.dragging in ("in", "out"):
            self._show_playhead_frame()  # the frame under the handle

    @Slot(str)
    def _on_drag_changed(self, what: str) -> None:
        """Trimming shows the frame under the dragged handle; letting go, the playhead's."""
        if what in ("in", "out"):
            self.pause()
        if what != "playhead":
            self._show_playhead_frame()

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
        self.pause()
        self.timeline.set_playhead(self.timeline.playhead + frames)

    def go_to_in(self) -> None:
        self.pause()
        self.timeline.set_playhead(self.timeline.in_frame)

    def go_to_out(self) -> None:
        self.pause()
        self.timeline.set_playhead(self.timeline.out_frame)

    # ==================================================== viewer and playback
    def _viewer_frame(self) -> tuple[int, str]:
        """The frame the source viewer shows, and its caption: the in or out frame while
        that handle is dragged, else the frame under the playhead."""
        tl = self.timeline
        if tl.dragging == "in":
            return tl.in_frame, "Source \u00b7 in mark"
        if tl.dragging == "out":
            return tl.out_frame, "Source \u00b7 out mark"
        return tl.playhead, "Source"

    def _show_playhead_frame(self) -> None:
        if self.info is None or self._preview_timer.isActive():
            return
        frame, caption = self._viewer_frame()
        image = self.decoder.request(frame, ahead=self._read_ahead())
        if image is not None:
            self.source_view.set_image(image)
        self.source_view.set_caption(caption)
        self.source_view.set_badge(format_timecode(frame, self.info.fps))

    def _read_ahead(self) -> int:
        if not self._play_timer.isActive() or self.info is None:
            return 0
        return max(8, round(float(self.info.fps)))

    @Slot(int)
    def _on_frame_ready(self, index: int) -> None:
        if index == self._viewer_frame()[0] and not self._preview_timer.isActive():
            image = self.decoder.cached(index)
            if image is not None:
                self.source_view.set_image(image)

    def is_playing(self) -> bool:
        return self._play_timer.isActive()

    def toggle_play(self) -> None:
        if self._play_timer.isActive() or self._preview_timer.isActive():
            self.pause()
        else:
            self.play()

    def play(self) -> None:
        """Play the clip from the playhead (looping inside the marked range)."""
        if self.info is None:
            return
        self._stop_preview_loop()
        if self.timeline.playhead >= self.timeline.out_frame:
            self.timeline.set_playhead(self.timeline.in_frame)
        self._play_timer.start(max(5, round(1000 / float(self.info.fps))))
        self.play_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPause))
        self._show_playhead_frame()

    def pause(self) -> None:
        was_previewing = self._preview_timer.isActive()
        self._play_timer.stop()
        self._stop_preview_loop()
        self.play_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
        if was_previewing:
            self._show_playhead_frame()

    def _play_tick(self) -> None:
        tl = self.timeline
        nxt = tl.playhead + 1
        if tl.in_frame <= tl.playhead <= tl.out_frame and nxt > tl.out_frame:
            nxt = tl.in_frame
        if nxt >= tl.frame_count:
            self.pause()
            return
        if self.decoder.request(nxt, ahead=self._read_ahead()) is None:
            return  # not decoded yet: hold this frame rather than run ahead of the picture
        tl.set_playhead(nxt)

    def _stop_all_playback(self) -> None:
        self._play_timer.stop()
        self._stop_preview_loop()
        self.play_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPlay))

    # ================================================================= preview
    def _show_preview_placeholder(self) -> None:
        self.preview_view.set_image(None)
        self.preview_view.set_progress(None)
        self.preview_view.set_badge("")
        self.preview_view.set_caption("SlowMo preview")
        self.preview_view.set_placeholder(
            "Press Preview (P) to see about a second of slow motion around the playhead"
            if self.info is not None else "")

    def _preview_span(self) -> tuple[int, int]:
        """[start, end) source frames for a preview: ~1 s around the playhead, in the range."""
        info = self.info
        lo, hi = self.timeline.in_frame, self.timeline.out_frame + 1
        factor = max(1.01, self.factor())
        n = round(float(info.fps) * PREVIEW_SECONDS)
        n = min(n, int((PREVIEW_MAX_FRAMES - 1) / factor) + 1, hi - lo)
        n = max(2, n)
        start = self.timeline.playhead - n // 2
        start = max(lo, min(start, hi - n))
        return start, start + n

    def _preview_size(self, width: int, height: int) -> tuple[int, int]:
        device = self.device()
        gpu = device in ("cuda", "mps") or (device == "auto" and self._devices
                                            and self._devices[0] != "cpu")
        return fit_size(width, height, PREVIEW_HEIGHT_GPU if gpu else PREVIEW_HEIGHT_CPU)

    def _preview_clicked(self) -> None:
        if self._preview_worker is not None:
            self.cancel_preview()
        else:
            self.start_preview()

    def start_preview(self) -> None:
        """Retime ~1 s around the playhead on the proxy, then loop it next to the source."""
        info = self.info
        if info is None or info.frame_count < 2:
            self.show_message("Open a clip first.", "error")
            return
        if self._render_worker is not None:
            self.show_message("Preview is off while a render is running.", "info")
            return
        self.pause()
        start, end = self._preview_span()
        media = self.proxy or info.path
        size = self._preview_size(*info.display_size)
        key = (str(media), start, end, format_factor(self.factor()), self.mode(), self.device())
        if self._preview is not None and key == self._preview_key:
            self._start_preview_loop()
            return
        self._cancel_worker("_preview_worker")
        worker = workers.PreviewWorker(self.interpolators, media, start, end,
                                       format_factor(self.factor()), self.mode(),
                                       self.device(), size)
        worker.progress.connect(self._on_preview_progress)
        worker.finished.connect(self._on_preview_finished)
        worker.failed.connect(self._on_preview_failed)
        worker.cancelled.connect(self._on_preview_cancelled)
        self._preview_worker = workers.start(worker)
        self._preview_key = key
        self._preview = None
        self.preview_view.set_image(None)
        self.preview_view.set_dimmed(False)
        self.preview_view.set_placeholder("Rendering the preview\u2026")
        self.preview_view.set_progress(0.0)
        self.preview_view.set_caption(f"SlowMo {format_factor(self.factor())}\u00d7 preview")
        self.preview_button.setText("Stop")
        self.preview_status.setText(
            f"{format_timecode(start, info.fps)} \u2013 {format_timecode(end - 1, info.fps)}")

    def cancel_preview(self) -> None:
        if self._preview_worker is not None:
            self._preview_worker.cancel()
            self.preview_status.setText("Stopping\u2026")

    @Slot(object)
    def _on_preview_progress(self, value) -> None:
        if self.sender() is not self._preview_worker:
            return
        done, total = value
        self.preview_view.set_progress(done / total if total else 0.0)
        self.preview_view.set_placeholder(f"Rendering the preview\u2026 {done} / {total} frames")

    @Slot(object)
    def _on_preview_finished(self, result) -> None:
        if self.sender() is not self._preview_worker:
            return
        self._preview_worker = None
        self.preview_button.setText("Preview")
        self.preview_view.set_progress(None)
        self._preview = result
        self.preview_status.setText(f"{len(result.frames)} frames, looping")
        self._start_preview_loop()
        self.previewReady.emit(result)

    @Slot(str)
    def _on_preview_failed(self, message: str) -> None:
        if self._end_preview():
            self.preview_view.set_progress(None)
            self.preview_view.set_placeholder(f"Preview failed: {message}")
            self.show_message(f"Preview failed: {message}", "error")
            self.previewFailed.emit(message)

    @Slot()
    def _on_preview_cancelled(self) -> None:
        if self._end_preview():
            self._show_preview_placeholder()

    def _end_preview(self) -> bool:
        """Reset the preview controls after a failure or cancel; False for a stale worker."""
        if self.sender() is not self._preview_worker:
            return False
        self._preview_worker = None
        self._preview_key = None
        self.preview_button.setText("Preview")
        self.preview_status.setText("")
        return True

    def _start_preview_loop(self) -> None:
        result = self._preview
        if result is None or not result.frames:
            return
        self._play_timer.stop()
        self._preview_pos = 0
        fps = min(60.0, float(result.fps))
        self.preview_view.set_dimmed(False)
        self.preview_view.set_caption(f"SlowMo {format_factor(result.factor)}\u00d7 preview")
        self.source_view.set_caption(f"Source, frames held {format_factor(result.factor)}\u00d7")
        self._preview_timer.start(max(5, round(1000 / fps)))
        self.play_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPause))
        self._preview_tick(advance=False)

    def _preview_tick(self, advance: bool = True) -> None:
        result = self._preview
        if result is None or not result.frames:
            self._preview_timer.stop()
            return
        if advance:
            self._preview_pos = (self._preview_pos + 1) % len(result.frames)
        j = self._preview_pos
        self.preview_view.set_image(result.frames[j])
        self.preview_view.set_badge(f"{j + 1} / {len(result.frames)}")
        if result.source:
            i = result.source_index(j)
            self.source_view.set_image(result.source[i])
            if self.info is not None:
                self.source_view.set_badge(format_timecode(result.start + i, self.info.fps))

    def _stop_preview_loop(self) -> None:
        if not self._preview_timer.isActive():
            return
        self._preview_timer.stop()
        self.preview_view.set_dimmed(True)
        self.preview_view.set_placeholder("Press Preview (P) to loop it again")
        self.source_view.set_caption("Source")

    # ================================================================ settings
    def factor(self) -> float:
        return float(self.factor_spin.value())

    def set_factor(self, value: float) -> None:
        self.factor_spin.setValue(float(value))
        self._sync_presets()

    def _sync_presets(self) -> None:
        value = self.factor_spin.value()
        for preset, button in self.preset_buttons.items():
            button.setChecked(abs(value - preset) < 1e-6)

    @Slot(float)
    def _on_factor_changed(self, value: float) -> None:
        if not MIN_FACTOR <= value <= MAX_FACTOR:
            kept = min(MAX_FACTOR, max(MIN_FACTOR, value))
            self.factor_spin.setValue(kept)  # comes back here with the kept value
            limit = (f"at most {format_factor(MAX_FACTOR)}\u00d7" if value > MAX_FACTOR
                     else "more than 1\u00d7")
            self.show_message(f"The slowdown must be {limit}: {format_factor(value)}\u00d7 "
                              f"was changed to {format_factor(kept)}\u00d7.", "error")
            return
        self._sync_presets()
        self._untick_replace("factor")
        self._settings_changed()

    def mode(self) -> str:
        return "smooth" if self.mode_smooth.isChecked() else "slowmo"

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        (self.mode_smooth if mode == "smooth" else self.mode_slowmo).setChecked(True)

    @Slot(bool)
    def _on_mode_changed(self, _checked: bool) -> None:
        self._untick_replace("mode")
        self._settings_changed()

    def _untick_replace(self, what: str) -> None:
        """A new factor or mode makes a new result: Replace, ticked for the previous one,
        must not let it overwrite that file (a typed name stays as it is)."""
        if self._restoring or not self.replace_check.isChecked():
            return
        self.replace_check.setChecked(False)
        if not self._name_auto:
            self.show_message(f"Replace is unticked because the {what} changed: the next "
                              f"render will not overwrite {self.name_edit.text().strip()} "
                              "(tick Replace again to do that).")

    def codec(self) -> str:
        return self.codec_combo.currentData() or DEFAULT_CODEC

    def set_codec(self, name: str) -> None:
        index = self.codec_combo.findData(name)
        if index < 0:
            raise ValueError(f"unknown codec {name!r}: one of {', '.join(CODECS)}")
        self.codec_combo.setCurrentIndex(index)

    @Slot(int)
    def _on_codec_changed(self, _index: int) -> None:
        self._fit_name(announce=False)  # the extension follows the format
        self._settings_changed()

    def audio(self) -> str:
        return self.audio_combo.currentData() or "auto"

    def set_audio(self, mode: str) -> None:
        index = self.audio_combo.findData(mode)
        if index < 0:
            raise ValueError(f"unknown audio mode {mode!r}")
        self.audio_combo.setCurrentIndex(index)

    def device(self) -> str:
        return self.device_combo.currentData() or "auto"

    def set_device(self, name: str) -> None:
        self._wanted_device = name
        index = self.device_combo.findData(name)
        if index >= 0:
            self.device_combo.setCurrentIndex(index)

    @Slot(int)
    def _on_device_changed(self, _index: int) -> None:
        self._wanted_device = self.device()
        self._save_settings()

    def _settings_changed(self) -> None:
        self._suggest_name()
        self._update_summary()
        self._save_settings()
        if self._preview is not None:
            self.preview_view.set_caption(
                f"SlowMo {format_factor(self._preview.factor)}\u00d7 preview"
                + ("" if self._preview_matches() else "  (settings changed)"))

    def _preview_matches(self) -> bool:
        p = self._preview
        return (p is not None and format_factor(p.factor) == format_factor(self.factor())
                and p.mode == self.mode())

    def _save_settings(self, *_args) -> None:
        if self._restoring:
            return
        s = self.settings
        s.setValue("retime/factor", format_factor(self.factor()))
        s.setValue("retime/mode", self.mode())
        s.setValue("output/codec", self.codec())
        s.setValue("output/audio", self.audio())
        s.setValue("output/device", self._wanted_device)
        s.setValue("output/folder", self._output_folder)
        s.sync()

    def _restore_settings(self) -> None:
        s = self.settings
        self._restoring = True
        try:
            try:
                factor = float(read_str(s, "retime/factor", "2"))
            except ValueError:
                factor = 2.0
            self.set_factor(min(MAX_FACTOR, max(MIN_FACTOR, factor)))
            mode = read_str(s, "retime/mode", "slowmo")
            self.set_mode(mode if mode in MODES else "slowmo")
            codec = read_str(s, "output/codec", DEFAULT_CODEC)
            self.set_codec(codec if codec in CODECS else DEFAULT_CODEC)
            audio = read_str(s, "output/audio", "auto")
            if self.audio_combo.findData(audio) >= 0:
                self.set_audio(audio)
            self._wanted_device = read_str(s, "output/device", "auto")
            self.set_device(self._wanted_device)
            self._output_folder = read_str(s, "output/folder", "").strip()
            self.folder_edit.setText(self._output_folder)
        finally:
            self._restoring = False

    # ================================================================== output
    def _suggest_name(self) -> None:
        if self.info is None or not self._name_auto:
            return
        name = default_output_name(self.info.path, self.factor(), self.mode(), self.codec())
        folder = self.output_folder()
        if folder is not None:
            name = free_output_path(folder, name, self.info.path).name
        self.name_edit.setText(name)

    @Slot(str)
    def _on_name_edited(self, text: str) -> None:
        self._name_auto = not text.strip()
        if self._name_auto:
            self._suggest_name()

    def _fit_name(self, announce: bool = True) -> None:
        """Give a typed name the extension of the chosen format, in the field: added when
        it has none, replacing a video extension the format does not write ("final.mp4"
        for ProRes becomes "final.mov"); a sequence folder loses a video extension."""
        text = self.name_edit.text().strip()
        if self._name_auto or not text:
            return
        fitted = fit_codec_suffix(text, self.codec())
        if fitted == text:
            return
        self.name_edit.setText(fitted)
        if announce:
            spec = CODECS[self.codec()]
            self.show_message(f"The file name is now {fitted}: {spec.label} writes "
                              f"{spec.writes()}.")

    def output_folder(self) -> Path | None:
        text = self.folder_edit.text().strip()
        if text:
            return Path(text).expanduser()
        return self.info.path.resolve().parent if self.info is not None else None

    def set_output_folder(self, folder: str | os.PathLike, remember: bool = True) -> None:
        """The folder outputs go into, for this clip and the next ones ("": next to each
        source). ``remember``: also for the next sessions (a host's suggestion is not)."""
        self.folder_edit.setText(str(folder))
        if remember:
            self._remember_folder()
        self._suggest_name()

    @Slot()
    def _on_folder_edited(self) -> None:
        self._remember_folder()
        self._suggest_name()

    def _remember_folder(self) -> None:
        text = self.folder_edit.text().strip()
        if text != self._output_folder:
            self._output_folder = text
            self._save_settings()

    def set_output_name(self, name: str) -> None:
        """A name chosen by the user (kept when the factor or mode changes); given the
        format's extension when it lacks it or names another format."""
        self.name_edit.setText(name)
        self._name_auto = not name.strip()
        self._fit_name()
        self._suggest_name()

    def output_path(self) -> Path | None:
        folder = self.output_folder()
        name = self.name_edit.text().strip()
        if folder is None or not name:
            return None
        return folder / name

    def browse_folder(self) -> None:
        start = str(self.output_folder() or Path.home())
        folder = QFileDialog.getExistingDirectory(self, "Output folder", start)
        if folder:
            self.set_output_folder(folder)

    # ================================================================= summary
    def _update_summary(self) -> None:
        info = self.info
        if info is None or info.frame_count < 2:
            self.range_label.setText("")
            self.result_label.setText("\u2014")
            self.result_detail.setText("Open a clip to see the result")
            return
        tl = self.timeline
        n = tl.out_frame - tl.in_frame + 1
        self.range_label.setText(
            f"In {format_timecode(tl.in_frame, info.fps)}  \u00b7  "
            f"Out {format_timecode(tl.out_frame, info.fps)}  \u00b7  "
            f"{n} frames ({n / float(info.fps):.2f} s)")
        if not workers.core_loaded():
            self.result_label.setText("\u2026")
            self.result_detail.setText("Starting the engine\u2026")
            return
        from vfi_plugin.engine.timing import RetimePlan, parse_factor

        try:
            plan = RetimePlan(parse_factor(format_factor(self.factor())), self.mode())
        except UserInputError as exc:
            self.result_label.setText("\u2014")
            self.result_detail.setText(str(exc))
            return
        frames = plan.output_frames(n)
        fps = plan.output_fps(info.fps)
        seconds = float(Fraction(frames) / fps)
        if fps <= 60:
            length = f"{format_timecode(frames, fps)}  ({seconds:.2f} s)"
        else:
            length = f"{seconds:.2f} s"
        self.result_label.setText(f"{frames} frames  \u00b7  {length}")
        what = "slower" if plan.mode == "slowmo" else "the frame rate"
        self.result_detail.setText(f"at {format_fps(fps)} fps, from {n} source frames "
                                   f"({format_factor(plan.factor)}\u00d7 {what})")
        self._last_plan = (frames, fps)

    def output_frame_count(self) -> int | None:
        """The frame count the summary shows (None until the engine has loaded)."""
        plan = self._last_plan
        return plan[0] if plan and self.info is not None else None

    # ================================================================== render
    def is_rendering(self) -> bool:
        return self._render_worker is not None

    def render_request(self) -> dict:
        """The ``RenderRequest`` fields for the current settings (raises UserInputError)."""
        info = self.info
        if info is None:
            raise UserInputError("open a clip first")
        output = self.output_path()
        if output is None:
            raise UserInputError("enter a name for the output file")
        start, end = self.range()
        return dict(source=info.path, output=output, factor=format_factor(self.factor()),
                    start=f"{start}f", end=f"{end}f", mode=self.mode(), codec=self.codec(),
                    audio=self.audio(), device=self.device(),
                    overwrite=self.replace_check.isChecked(), weights=self.weights,
                    fps=info.fps if info.sequence is not None else None)

    def render(self) -> None:
        """Start rendering the marked range in a worker (``renderFinished`` etc. follow)."""
        if self._render_worker is not None:
            return
        if self.info is None:
            self.show_message("Open a clip first.", "error")
            return
        if self._name_auto:
            self._suggest_name()  # a file may have appeared since (a previous render)
        else:
            self._fit_name(announce=False)  # in the field; "Rendering <name>" says it too
        output = self.output_path()
        if output is not None and output.exists() and not self.replace_check.isChecked():
            self.show_message(f"{output.name} already exists in {output.parent}: choose another "
                              "name, or tick Replace to overwrite it.", "error")
            return
        try:
            request = self.render_request()
        except UserInputError as exc:
            self.show_message(str(exc)[:1].upper() + str(exc)[1:] + ".", "error")
            return
        self._cancel_worker("_preview_worker")  # playback may go on: it is cheap
        worker = workers.RenderWorker(request, self.interpolators)
        worker.progress.connect(self._on_render_progress)
        worker.finished.connect(self._on_render_finished)
        worker.failed.connect(self._on_render_failed)
        worker.cancelled.connect(self._on_render_cancelled)
        self._render_worker = workers.start(worker)
        self._render_context = (self.info, self.selection, self.range(),
                                Fraction(request["factor"]), request["mode"])
        self._cancelling = False
        self._show_preparing()
        self.show_message(f"Rendering {Path(request['output']).name}\u2026", "busy")
        self._update_enabled()
        self._ensure_core()
        self.renderStarted.emit()

    def _show_preparing(self) -> None:
        """Until the first frame: words on the bar (a busy bar shows none, and loading the
        model can take a while)."""
        device = self.device()
        if device == "auto":
            device = self._devices[0] if self._devices else ""
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("Preparing\u2026" if self.interpolators.has(device)
                                    else "Loading the model\u2026")

    def cancel_render(self) -> None:
        if self._render_worker is None or self._cancelling:
            return
        self._cancelling = True
        self._render_worker.cancel()
        self.progress_bar.setFormat("Cancelling\u2026")
        self.show_message("Cancelling\u2026", "busy")
        self._update_enabled()

    @Slot(object)
    def _on_render_progress(self, p) -> None:
        if self.sender() is not self._render_worker:
            return
        if p.stage == "preparing" and p.done == 0:
            if not self._cancelling:
                self._show_preparing()
        else:
            self.progress_bar.setRange(0, 1000)
            self.progress_bar.setValue(int(1000 * p.fraction))
            if p.stage == "finishing":
                text = f"{p.done} / {p.total} frames \u00b7 finishing the file\u2026"
            else:
                text = (f"{p.done} / {p.total} frames \u00b7 {p.fps:.1f} fps \u00b7 "
                        f"ETA {seconds_text(p.eta_s)}")
            if not self._cancelling:
                self.progress_bar.setFormat(text)
        self.renderProgress.emit(p)

    @Slot(object)
    def _on_render_finished(self, result) -> None:
        if self.sender() is not self._render_worker:
            return
        self._render_worker = None
        self._cancelling = False
        self.last_output = Path(result.output)
        self.last_result = result
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setValue(1000)
        self.progress_bar.setFormat(f"Done \u00b7 {result.frames} frames")
        text = (f"Done: {self.last_output.name} \u2014 {result.frames} frames "
                f"({result.duration_s:.2f} s at {format_fps(result.fps)} fps), "
                f"rendered in {result.seconds:.1f} s.")
        kind = "ok"
        try:
            self.host.import_result(self._import_request(result))
        except Exception as exc:  # noqa: BLE001 - the render itself worked
            text += (f" {getattr(self.host, 'name', 'The host')} could not import it: "
                     f"{workers.describe_error(exc)}")
            kind = "error"
        self.show_message(text, kind)
        self._suggest_name()
        self._update_enabled()
        self.renderFinished.emit(result)

    def _import_request(self, result) -> ImportRequest:
        """What the host gets: the output and the clip/range/factor it was made from
        (as asked when the render started, whatever the panel shows now)."""
        context = self._render_context or (self.info, self.selection, self.range(),
                                           Fraction(format_factor(self.factor())), self.mode())
        info, host_selection, (start, end), factor, mode = context
        if info is None:
            selection = None
        elif host_selection is not None and host_selection.path == info.path:
            selection = dataclasses.replace(host_selection, start_frame=start, end_frame=end,
                                            fps=info.fps)
        else:
            selection = ClipSelection(info.path, start, end, info.fps, info.path.name)
        return ImportRequest(Path(result.output), selection, factor, mode, result.frames,
                             result.fps)

    @Slot(str)
    def _on_render_failed(self, message: str) -> None:
        if self._end_render("Failed", message, "error"):
            self.renderFailed.emit(message)

    @Slot()
    def _on_render_cancelled(self) -> None:
        if self._end_render("Cancelled", "Render cancelled: nothing was written."):
            self.renderCancelled.emit()

    def _end_render(self, label: str, message: str, kind: str = "info") -> bool:
        """Reset the render controls after a failure or cancel; False for a stale worker."""
        if self.sender() is not self._render_worker:
            return False
        self._render_worker = None
        self._cancelling = False
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat(label)
        self.show_message(message, kind)
        self._update_enabled()
        return True

    def reveal(self) -> None:
        """Show the last output in the file manager, or say why that cannot be done."""
        output = self.last_output
        if output is None:
            return
        if not output.exists():
            self.show_message(f"{output.name} is no longer in {output.parent}.", "error")
            return
        # the program vfi_plugin.host.reveal_in_file_manager starts (it fails silently)
        program = ("open" if sys.platform == "darwin" else "explorer" if os.name == "nt"
                   else "xdg-open")
        if shutil.which(program) is None:
            self.show_message(f"No file manager could be started ({program} was not found): "
                              f"{output.name} is in {output.parent}.", "error")
            return
        reveal_in_file_manager(output)

    def confirm_close(self) -> bool:
        """Ask before the window around the panel closes during a render: keep rendering
        (False: do not close) or cancel the render (True: shutdown() then waits for it to
        clean up, leaving nothing behind). True at once when no render runs."""
        worker = self._render_worker
        if worker is None or self._closed:  # closed: shutdown() has cancelled it
            return True
        name = Path(worker.request["output"]).name
        box = QMessageBox(QMessageBox.Icon.Question, "Render running",
                          f"{name} is still rendering.", QMessageBox.StandardButton.NoButton,
                          self)
        box.setInformativeText("Quitting now cancels the render; nothing of it is kept.")
        keep = box.addButton("Keep rendering", QMessageBox.ButtonRole.RejectRole)
        stop = box.addButton("Cancel render and quit", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.exec()
        if box.clickedButton() is not stop:
            return False
        self.cancel_render()
        return True

    # ================================================================= helpers
    def _update_enabled(self) -> None:
        has_clip = self.info is not None and self.info.frame_count >= 2
        rendering = self._render_worker is not None
        self.render_button.setEnabled(has_clip and not rendering)
        self.open_button.setEnabled(not rendering)  # the panel keeps its clip meanwhile
        self.host_button.setEnabled(not rendering)
        self.cancel_button.setEnabled(rendering and not self._cancelling)
        self.preview_button.setEnabled(has_clip and not rendering)
        for button in (self.start_button, self.prev_button, self.play_button, self.next_button,
                       self.end_button):
            button.setEnabled(has_clip)
        self.reveal_button.setEnabled(self.last_output is not None and not rendering)

    def _cancel_worker(self, attr: str) -> None:
        worker = getattr(self, attr)
        if worker is not None:
            worker.cancel()
            setattr(self, attr, None)

    # ========================================================== drag and drop
    @staticmethod
    def _local_files(event) -> list[Path]:
        mime = event.mimeData()
        if mime is None or not mime.hasUrls():
            return []
        return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if self._local_files(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        if self._local_files(event):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        files = self._local_files(event)
        if files:
            event.acceptProposedAction()
            self.open_file(files[0])

    # ================================================================ shutdown
    def shutdown(self, timeout_s: float = 5.0) -> None:
        """Cancel everything running and wait (up to ``timeout_s``) for the threads.

        Call it before the panel is destroyed (the standalone window does on close).
        """
        import time

        self._closed = True
        self._play_timer.stop()
        self._preview_timer.stop()
        running = [w for w in (self._probe_worker, self._proxy_worker, self._preview_worker,
                               self._render_worker, self._core_worker) if w is not None]
        for w in running:
            w.cancel()
        deadline = time.monotonic() + timeout_s
        self.decoder.stop(timeout_s)
        for w in running:
            workers.wait_for(w, max(0.0, deadline - time.monotonic()))
        try:
            self._save_settings()
            self.settings.sync()
        except RuntimeError:
            pass
