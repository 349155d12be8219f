"""The transport section: play and step buttons, the playhead's timecode, Preview; and
the row under the timeline (the marked range, the keys)."""
from __future__ import annotations

from fractions import Fraction

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QStyle, QToolButton, QWidget

from vfi_plugin.media import format_timecode

from ..viewer import ElidedLabel


class TransportSection(QWidget):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)

        def tool(icon: QStyle.StandardPixmap, tip: str) -> QToolButton:
            button = QToolButton(self)
            button.setIcon(self.style().standardIcon(icon))
            button.setToolTip(tip)
            button.setAutoRaise(True)
            button.setIconSize(QSize(18, 18))
            row.addWidget(button)
            return button

        pix = QStyle.StandardPixmap
        self.start_button = tool(pix.SP_MediaSkipBackward, "Go to the in mark (Home)")
        self.prev_button = tool(pix.SP_MediaSeekBackward, "Previous frame (Left)")
        self.play_button = tool(pix.SP_MediaPlay, "Play / pause (Space)")
        self.next_button = tool(pix.SP_MediaSeekForward, "Next frame (Right)")
        self.end_button = tool(pix.SP_MediaSkipForward, "Go to the out mark (End)")
        row.addSpacing(10)
        self.timecode_label = QLabel("00:00:00:00", self)
        self.timecode_label.setObjectName("timecode")
        self.timecode_label.setToolTip("Playhead timecode (HH:MM:SS:FF)")
        self.frame_label = QLabel("", self)
        self.frame_label.setObjectName("frameNumber")
        row.addWidget(self.timecode_label)
        row.addSpacing(6)
        row.addWidget(self.frame_label)
        row.addStretch(1)
        self.preview_status = QLabel("", self)
        self.preview_status.setObjectName("hint")
        row.addWidget(self.preview_status)
        self.preview_button = QPushButton(
            self.style().standardIcon(pix.SP_MediaPlay), "Preview", self)
        self.preview_button.setToolTip(
            "Render about a second of slow motion around the playhead on the low-res proxy "
            "and loop it next to the source (P)")
        row.addWidget(self.preview_button)

    def buttons(self) -> tuple[QToolButton, ...]:
        return (self.start_button, self.prev_button, self.play_button, self.next_button,
                self.end_button)

    def set_playing(self, playing: bool) -> None:
        pix = QStyle.StandardPixmap
        icon = pix.SP_MediaPause if playing else pix.SP_MediaPlay
        self.play_button.setIcon(self.style().standardIcon(icon))

    def show_position(self, frame: int, frame_count: int, fps: Fraction) -> None:
        self.timecode_label.setText(format_timecode(frame, fps))
        self.frame_label.setText(f"frame {frame} / {frame_count - 1}")


class RangeRow(QWidget):
    """Under the timeline: the marked range (in, out, length) and the keys."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.range_label = QLabel("", self)
        self.range_label.setObjectName("rangeInfo")
        self.range_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        hint = ElidedLabel("I / O  mark in / out  \u00b7  Space  play  \u00b7  \u2190 \u2192  "
                           "step (Shift: a second)  \u00b7  drag the yellow handles", self)
        hint.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        hint.setObjectName("hint")
        row.addWidget(self.range_label)
        row.addSpacing(12)
        row.addWidget(hint, 1)
