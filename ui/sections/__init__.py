"""The panel's sections, top to bottom: source, transport (with the range under the
timeline), retime and output (side by side), render bar. Each is a widget that shows
and edits values; none starts work or knows the others (the panel wires them)."""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QBoxLayout, QFrame, QGridLayout, QLabel, QWidget


def section_grid(frame: QFrame, title: str) -> QGridLayout:
    """Make ``frame`` a titled section; returns its grid (row 0 holds the title)."""
    frame.setObjectName("section")
    grid = QGridLayout(frame)
    grid.setContentsMargins(12, 10, 12, 12)
    grid.setHorizontalSpacing(10)
    grid.setVerticalSpacing(8)
    label = QLabel(title.upper(), frame)
    label.setObjectName("sectionTitle")
    grid.addWidget(label, 0, 0, 1, -1)
    return grid


def status_label(parent: QWidget) -> QLabel:
    """The two-line, selectable message line under a render bar (object name "status")."""
    label = QLabel("", parent)
    label.setObjectName("status")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setMinimumHeight(label.fontMetrics().height() * 2 + 8)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    return label


class SideBySide(QWidget):
    """Holds sections side by side, stacked when too narrow for that (a host's dock),
    so the panel's minimum width stays that of one section."""

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
