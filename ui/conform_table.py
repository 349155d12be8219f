"""The "Open timeline..." dialog's list of slowed clips: a tick box, thumbnail, the clip's
speed and ranges, its status and a Preview button per row (``ConformRow``s, plain data)."""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QHBoxLayout, QHeaderView,
                               QPushButton, QTableWidget, QTableWidgetItem, QWidget)

from vfi_plugin.session.conform import ConformRow

from .controllers.conform import THUMB_HEIGHT

COLUMNS = ("", "Frame", "#", "Track", "Clip", "Speed", "Record", "Source", "Media", "Status", "")
CHECK, THUMB, NUMBER, TRACK, NAME, SPEED, RECORD, SOURCE, MEDIA, STATUS, PREVIEW = range(11)
THUMB_WIDTH = THUMB_HEIGHT * 16 // 9

def centred(widget: QWidget, parent: QWidget) -> QWidget:
    """A cell widget holding ``widget`` at its own size, centred in the (tall) row."""
    cell = QWidget(parent)
    box = QHBoxLayout(cell)
    box.setContentsMargins(4, 0, 4, 0)
    box.addWidget(widget, 0, Qt.AlignmentFlag.AlignCenter)
    return cell


class ClipTable(QTableWidget):
    """The slowed clips, one row each: a tick (disabled for clips left as they are), the
    thumbnail, facts, status and a Preview button."""

    previewClicked = Signal(object)  # ConformRow
    tickChanged = Signal(int, bool)  # clip number, ticked (by the user or set_checked)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.rows: list[ConformRow] = []
        self.setHorizontalHeaderLabels(COLUMNS)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(THUMB_HEIGHT + 8)
        self.setIconSize(QSize(THUMB_WIDTH, THUMB_HEIGHT))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(False)
        header = self.horizontalHeader()
        for column in range(len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(STATUS, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(THUMB, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(THUMB, THUMB_WIDTH + 8)

    def show_rows(self, rows: list[ConformRow], unchecked: set[int]) -> None:
        self.rows = list(rows)
        self.setRowCount(0)
        self.setRowCount(len(rows))
        for i, row in enumerate(rows):
            tick = QCheckBox(self)
            tick.setChecked(row.ok and row.number not in unchecked)
            tick.setEnabled(row.ok)
            tick.setToolTip("Render this clip" if row.ok else f"Left as it is: {row.problem}")
            tick.toggled.connect(lambda on, n=row.number: self.tickChanged.emit(n, on))
            self.setCellWidget(i, CHECK, centred(tick, self))
            texts = {CHECK: "", THUMB: "", NUMBER: str(row.number), TRACK: row.track,
                     NAME: row.name, SPEED: row.speed_text, RECORD: row.record_text, SOURCE: row.source_text,
                     MEDIA: row.media_text, STATUS: self.status_text(row, unchecked)}
            for column, text in texts.items():
                item = QTableWidgetItem(text)
                enabled = Qt.ItemFlag.ItemIsEnabled if row.ok else Qt.ItemFlag.NoItemFlags
                item.setFlags(Qt.ItemFlag.ItemIsSelectable | enabled)
                if column in (NUMBER, SPEED):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.setItem(i, column, item)
            self.item(i, MEDIA).setToolTip(str(row.media) if row.media else "media not found")
            self.item(i, STATUS).setToolTip(self.item(i, STATUS).text())
            button = QPushButton("Preview", self)
            button.setToolTip("Load this clip into the panel over the frames it uses, at its "
                              "slowdown, to preview the slow motion there")
            button.setEnabled(row.can_preview)
            button.clicked.connect(lambda _=False, r=row: self.previewClicked.emit(r))
            self.setCellWidget(i, PREVIEW, centred(button, self))

    @staticmethod
    def status_text(row: ConformRow, unchecked: set[int]) -> str:
        if not row.ok:
            return f"left as it is: {row.problem}"
        return "not chosen" if row.number in unchecked else "to render"

    def row_index(self, number: int) -> int | None:
        return next((i for i, r in enumerate(self.rows) if r.number == number), None)

    def set_thumbnail(self, number: int, image) -> None:
        i = self.row_index(number)
        if i is not None:
            self.item(i, THUMB).setData(Qt.ItemDataRole.DecorationRole,
                                        QPixmap.fromImage(image))

    def thumbnail(self, number: int) -> QPixmap | None:
        i = self.row_index(number)
        value = self.item(i, THUMB).data(Qt.ItemDataRole.DecorationRole) if i is not None else None
        return value if isinstance(value, QPixmap) and not value.isNull() else None

    def tick(self, number: int) -> QCheckBox | None:
        i = self.row_index(number)
        cell = self.cellWidget(i, CHECK) if i is not None else None
        return cell.findChild(QCheckBox) if cell is not None else None

    def is_checked(self, number: int) -> bool:
        tick = self.tick(number)
        return tick is not None and tick.isChecked()

    def set_checked(self, number: int, checked: bool) -> None:
        tick = self.tick(number)
        if tick is not None:
            tick.setChecked(checked)

    def set_ticks_enabled(self, enabled: bool) -> None:
        """Ticks can change (for the clips that can be rendered) or not (while rendering)."""
        for row in self.rows:
            tick = self.tick(row.number)
            if tick is not None:
                tick.setEnabled(enabled and row.ok)

    def is_enabled(self, number: int) -> bool:
        tick = self.tick(number)
        return tick is not None and tick.isEnabled()

    def checked(self) -> tuple[int, ...]:
        return tuple(r.number for r in self.rows if r.ok and self.is_checked(r.number))

    def set_status(self, number: int, text: str) -> None:
        i = self.row_index(number)
        if i is not None:
            self.item(i, STATUS).setText(text)
            self.item(i, STATUS).setToolTip(text)

    def preview_button(self, number: int) -> QPushButton | None:
        i = self.row_index(number)
        cell = self.cellWidget(i, PREVIEW) if i is not None else None
        return cell.findChild(QPushButton) if cell is not None else None
