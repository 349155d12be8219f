"""The source section: Open…, Use <host> clip, Open timeline…, and the clip's name and facts."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QStyle, QVBoxLayout, QWidget

from vfi_plugin.media import MediaInfo, format_timecode
from vfi_plugin.session.naming import format_fps

from ..viewer import ElidedLabel


class SourceSection(QWidget):
    """``host_name``: the editor whose selected clip the host button takes (None: no
    editor, the button is hidden)."""

    def __init__(self, host_name: str | None, parent: QWidget) -> None:
        super().__init__(parent)
        top = QHBoxLayout(self)
        top.setContentsMargins(0, 0, 0, 0)
        top.setSpacing(8)
        self.open_button = QPushButton(
            self.style().standardIcon(QStyle.StandardPixmap.SP_DirOpenIcon), "Open\u2026", self)
        self.open_button.setToolTip("Open a video file (you can also drop one on the panel)")
        name = host_name or "host"
        self.host_button = QPushButton(
            f"Use {name} clip" if len(name) <= 14 else "Use host clip", self)
        self.host_button.setToolTip(f"Take the clip and in/out range selected in {name}")
        self.host_button.setVisible(host_name is not None)
        self.timeline_button = QPushButton("Open timeline\u2026", self)
        self.timeline_button.setToolTip("Conform an editor's timeline: render its slow-motion "
                                        "clips and write a timeline that plays them at 100 %")
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
        top.addWidget(self.timeline_button)
        top.addSpacing(8)
        top.addLayout(names, 1)

    def show_clip(self, info: MediaInfo | None) -> None:
        """The clip's name and facts: size, rate, length, codec, audio."""
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
