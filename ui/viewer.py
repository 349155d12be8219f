"""A frame viewer (a QImage letterboxed on a dark background, with captions) and a
label that elides instead of widening narrow host docks."""
from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


BG = QColor("#0d0e10")
FRAME = QColor("#2a2e35")
TEXT = QColor("#d7dce2")
MUTED = QColor("#8c949f")
ACCENT = QColor("#f2b632")


class FrameView(QWidget):
    """Shows one frame (or a placeholder text) scaled to fit, aspect ratio kept."""

    def __init__(self, caption: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(160, 100)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self._image: QImage | None = None
        self._caption = caption
        self._badge = ""
        self._placeholder = ""
        self._progress: float | None = None
        self._dimmed = False

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(480, 270)

    def image(self) -> QImage | None:
        return self._image

    def set_image(self, image: QImage | None) -> None:
        self._image = image
        self.update()

    def set_caption(self, text: str) -> None:
        self._caption = text
        self.update()

    def caption(self) -> str:
        return self._caption

    def set_badge(self, text: str) -> None:
        """A short note at the bottom right (timecode, frame number, "2x")."""
        self._badge = text
        self.update()

    def set_placeholder(self, text: str) -> None:
        """Shown centred when there is no image."""
        self._placeholder = text
        self.update()

    def placeholder(self) -> str:
        return self._placeholder

    def set_progress(self, fraction: float | None) -> None:
        """A thin bar at the bottom edge (None hides it)."""
        self._progress = fraction
        self.update()

    def set_dimmed(self, dimmed: bool) -> None:
        """Dim the image (e.g. a preview that no longer matches the settings)."""
        self._dimmed = dimmed
        self.update()

    def image_rect(self) -> QRectF:
        if self._image is None or self._image.isNull():
            return QRectF()
        area = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        iw, ih = self._image.width(), self._image.height()
        scale = min(area.width() / iw, area.height() / ih)
        w, h = iw * scale, ih * scale
        return QRectF(area.center().x() - w / 2, area.center().y() - h / 2, w, h)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self)
        p.fillRect(self.rect(), BG)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if self._image is not None and not self._image.isNull():
            p.drawImage(self.image_rect(), self._image)
            if self._dimmed:
                p.fillRect(self.image_rect(), QColor(0, 0, 0, 140))
        if (self._image is None or self._dimmed) and self._placeholder:
            p.setPen(MUTED if self._image is None else TEXT)
            p.drawText(QRectF(self.rect()).adjusted(24, 24, -24, -24),
                       Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._placeholder)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 0.9)
        p.setFont(font)
        if self._caption:
            self._pill(p, self._caption, top=True)
        if self._badge:
            self._pill(p, self._badge, top=False)
        if self._progress is not None:
            bar = QRectF(0, self.height() - 3, self.width() * max(0.0, min(1.0, self._progress)), 3)
            p.fillRect(bar, ACCENT)
        p.setPen(QPen(FRAME, 1))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5))
        p.end()

    def _pill(self, p: QPainter, text: str, top: bool) -> None:
        metrics = p.fontMetrics()
        w = metrics.horizontalAdvance(text) + 14
        h = metrics.height() + 6
        x = 8 if top else self.width() - w - 8
        y = 8 if top else self.height() - h - 8
        rect = QRectF(x, y, w, h)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(0, 0, 0, 150))
        p.drawRoundedRect(rect, 4, 4)
        p.setPen(TEXT)
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)


class ElidedLabel(QLabel):
    """A one-line label that shortens its text with "…" instead of widening the layout."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(40)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt name)
        self._full = text
        self.setToolTip(text if text else "")
        self._elide()

    def text(self) -> str:
        return self._full

    def sizeHint(self) -> QSize:  # noqa: N802
        hint = super().sizeHint()
        return QSize(self.fontMetrics().horizontalAdvance(self._full) + 4, hint.height())

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight,
                                              max(0, self.width() - 2))
        super().setText(shown)
