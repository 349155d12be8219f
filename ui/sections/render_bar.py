"""The render bar: progress, Render, Cancel, Reveal, and the status line under them."""
from __future__ import annotations

from PySide6.QtWidgets import (QHBoxLayout, QProgressBar, QPushButton, QSizePolicy,
                               QVBoxLayout, QWidget)

from . import status_label


class RenderBar(QWidget):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        bar = QHBoxLayout()
        bar.setSpacing(8)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setObjectName("renderProgress")
        self.progress_bar.setTextVisible(True)
        self.progress_bar.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.show_state("Ready")
        self.render_button = QPushButton("Render", self)
        self.render_button.setObjectName("renderButton")
        self.render_button.setToolTip("Render the marked range in full resolution (Ctrl+Return)")
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setToolTip("Stop the render; nothing is left behind")
        self.reveal_button = QPushButton("Reveal", self)
        self.reveal_button.setToolTip("Show the rendered file in the file manager")
        bar.addWidget(self.progress_bar, 1)
        bar.addWidget(self.render_button)
        bar.addWidget(self.cancel_button)
        bar.addWidget(self.reveal_button)
        column.addLayout(bar)
        self.status_label = status_label(self)
        column.addWidget(self.status_label)

    def show_state(self, text: str, fraction: float = 0.0) -> None:
        """The bar at ``fraction`` (0 to 1) with ``text`` on it."""
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setValue(int(1000 * fraction))
        self.progress_bar.setFormat(text)

    def show_status(self, text: str, kind: str) -> None:
        """The status line; ``kind`` (info, busy, ok, error) picks its colour."""
        label = self.status_label
        label.setText(text)
        label.setProperty("kind", kind)
        label.style().unpolish(label)
        label.style().polish(label)
