"""The range timeline: a ruler, a filmstrip, draggable in/out handles and a playhead.

Frames are numbered 0..frame_count-1. The in and out marks are *inclusive*
(the out frame is part of the range, as in editors); the core's end frame is
``out_frame + 1``. Everything here is painting and mouse/keyboard handling on
the GUI thread; the thumbnails arrive ready-made from a worker.
"""
from __future__ import annotations

import math
from fractions import Fraction

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from vfi_plugin.media import format_timecode


BG = QColor("#17191d")
RULER_BG = QColor("#202329")
STRIP_BG = QColor("#101215")
TICK = QColor("#5d6571")
LABEL = QColor("#a9b1bc")
RANGE = QColor("#f2b632")
DIM = QColor(0, 0, 0, 150)
CUT_COLOR = QColor("#ff5a5f")  # scene cuts on the filmstrip
PLAYHEAD = QColor("#ff5050")
BUSY = QColor("#c8ced6")

MARGIN = 14        # left/right, so the handles at the clip's edges can be grabbed
RULER_H = 20
HANDLE_W = 9
HIT_SLOP = 8


class TimelineWidget(QWidget):
    """Shows the whole clip; the user marks [in, out] and moves the playhead."""

    playheadChanged = Signal(int)
    rangeChanged = Signal(int, int)  # in, out (inclusive)
    keyAction = Signal(str)  # "in", "out", "play", "prev", "next", "start", "end", "preview"
    dragChanged = Signal(str)  # what the mouse took: "in", "out", "playhead"; "" when let go

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timeline")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(96)
        self.setAccessibleName("Range timeline")
        self._count = 0
        self._fps = Fraction(25)
        self._in = 0
        self._out = 0
        self._playhead = 0
        self._thumbs: list[QImage] = []
        self._cuts: list[int] = []
        self._busy = ""
        self._drag: str | None = None
        self._grab_dx = 0.0  # where on the handle the mouse took it

    # ------------------------------------------------------------------ state
    def sizeHint(self) -> QSize:  # noqa: N802 (Qt name)
        return QSize(720, 104)

    @property
    def frame_count(self) -> int:
        return self._count

    @property
    def fps(self) -> Fraction:
        return self._fps

    @property
    def in_frame(self) -> int:
        return self._in

    @property
    def out_frame(self) -> int:
        return self._out

    @property
    def playhead(self) -> int:
        return self._playhead

    @property
    def dragging(self) -> str | None:
        return self._drag

    def set_clip(self, frame_count: int, fps: Fraction) -> None:
        """A new clip: whole range selected, playhead at 0, no filmstrip yet."""
        self._count = max(0, int(frame_count))
        self._fps = Fraction(fps) if fps else Fraction(25)
        self._thumbs = []
        self._cuts = []
        self._in, self._out, self._playhead = 0, max(0, self._count - 1), 0
        self.update()
        self.rangeChanged.emit(self._in, self._out)
        self.playheadChanged.emit(self._playhead)

    def clear(self) -> None:
        self._count = 0
        self._thumbs = []
        self._cuts = []
        self._busy = ""
        self._in = self._out = self._playhead = 0
        self.update()

    def set_thumbnails(self, images: list[QImage]) -> None:
        self._thumbs = list(images)
        self.update()

    def thumbnails(self) -> list[QImage]:
        return list(self._thumbs)

    def set_cuts(self, frames) -> None:
        """Scene cuts to mark on the filmstrip: the frames that start a new shot (the
        render holds the outgoing shot there)."""
        self._cuts = sorted(int(f) for f in frames if 0 < int(f) < self._count)
        self.setToolTip(f"{len(self._cuts)} scene cut(s) marked on the filmstrip"
                        if self._cuts else "")
        self.update()

    def cuts(self) -> list[int]:
        return list(self._cuts)

    def set_busy(self, text: str) -> None:
        """A note over the filmstrip while it is being made ("" clears it)."""
        self._busy = text
        self.update()

    def set_playhead(self, frame: int) -> None:
        if not self._count:
            return
        frame = max(0, min(self._count - 1, int(frame)))
        if frame != self._playhead:
            self._playhead = frame
            self.update()
            self.playheadChanged.emit(frame)

    def set_range(self, in_frame: int, out_frame: int) -> None:
        """Mark [in_frame, out_frame]; clamped to the clip, at least two frames long."""
        if self._count < 2:
            return
        last = self._count - 1
        in_frame = max(0, min(last - 1, int(in_frame)))
        out_frame = max(in_frame + 1, min(last, int(out_frame)))
        if (in_frame, out_frame) != (self._in, self._out):
            self._in, self._out = in_frame, out_frame
            self.update()
            self.rangeChanged.emit(in_frame, out_frame)

    def set_in(self, frame: int) -> None:
        """Set the in mark; an in past the out pushes the out along (as editors do)."""
        if self._count < 2:
            return
        frame = max(0, min(self._count - 2, int(frame)))
        out = self._out if self._out > frame else frame + 1
        self.set_range(frame, out)

    def set_out(self, frame: int) -> None:
        if self._count < 2:
            return
        frame = max(1, min(self._count - 1, int(frame)))
        in_frame = self._in if self._in < frame else frame - 1
        self.set_range(in_frame, frame)

    # --------------------------------------------------------------- geometry
    def _span(self) -> tuple[float, float]:
        left = float(MARGIN)
        return left, max(1.0, self.width() - 2.0 * MARGIN)

    def x_for_frame(self, frame: float) -> float:
        """x of the left edge of ``frame`` (frame_count gives the right edge of the clip)."""
        left, width = self._span()
        return left + width * frame / max(1, self._count)

    def frame_pos(self, x: float) -> float:
        """The inverse of ``x_for_frame``: the (fractional, unclamped) frame position at x."""
        left, width = self._span()
        return (x - left) / width * max(1, self._count)

    def frame_at(self, x: float) -> int:
        """The frame under x (clamped to the clip)."""
        return max(0, min(self._count - 1, math.floor(self.frame_pos(x))))

    def boundary_at(self, x: float) -> int:
        """The frame boundary nearest to x (0..frame_count)."""
        return max(0, min(self._count, round(self.frame_pos(x))))

    def in_handle_x(self) -> float:
        return self.x_for_frame(self._in)

    def out_handle_x(self) -> float:
        return self.x_for_frame(self._out + 1)

    def strip_rect(self) -> QRectF:
        left, width = self._span()
        return QRectF(left, RULER_H + 3, width, max(20.0, self.height() - RULER_H - 7))

    def handle_at(self, x: float, y: float) -> str | None:
        """'in' or 'out' when (x, y) is on a handle, else None."""
        if not self._count or y < RULER_H - 2:
            return None
        xi, xo = self.in_handle_x(), self.out_handle_x()
        near_in = abs(x - (xi - HANDLE_W / 2)) <= HIT_SLOP
        near_out = abs(x - (xo + HANDLE_W / 2)) <= HIT_SLOP
        if near_in and near_out:
            return "in" if x < (xi + xo) / 2 else "out"
        return "in" if near_in else "out" if near_out else None

    # ----------------------------------------------------------------- events
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() != Qt.MouseButton.LeftButton or not self._count:
            return super().mousePressEvent(event)
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        pos = event.position()
        self._drag = self.handle_at(pos.x(), pos.y()) or "playhead"
        anchor = {"in": self.in_handle_x, "out": self.out_handle_x}.get(self._drag)
        self._grab_dx = pos.x() - anchor() if anchor else 0.0
        self.dragChanged.emit(self._drag)
        self._drag_to(pos.x())
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        pos = event.position()
        if self._drag is not None:
            self._drag_to(pos.x())
        elif self.handle_at(pos.x(), pos.y()):
            self.setCursor(Qt.CursorShape.SizeHorCursor)
        else:
            self.unsetCursor()
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._drag is not None and event.button() == Qt.MouseButton.LeftButton:
            self._drag_to(event.position().x())
            self._drag = None
            self.update()
            self.dragChanged.emit("")
        event.accept()

    def _drag_to(self, x: float) -> None:
        x -= self._grab_dx
        if self._drag == "in":
            self.set_in(min(self.boundary_at(x), self._out - 1))
        elif self._drag == "out":
            self.set_out(max(self.boundary_at(x) - 1, self._in + 1))
        else:
            self.set_playhead(self.frame_at(x))

    def keyPressEvent(self, event) -> None:  # noqa: N802
        # Normally the panel's shortcuts catch these first; this covers a timeline
        # used on its own or a window that is not active.
        keys = {Qt.Key.Key_I: "in", Qt.Key.Key_O: "out", Qt.Key.Key_Space: "play",
                Qt.Key.Key_Left: "prev", Qt.Key.Key_Right: "next",
                Qt.Key.Key_Home: "start", Qt.Key.Key_End: "end", Qt.Key.Key_P: "preview"}
        action = keys.get(Qt.Key(event.key()))
        if action and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.keyAction.emit(action)
            event.accept()
        else:
            super().keyPressEvent(event)

    # --------------------------------------------------------------- painting
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.fillRect(self.rect(), BG)
        p.fillRect(QRectF(0, 0, self.width(), RULER_H), RULER_BG)
        strip = self.strip_rect()
        p.fillRect(strip, STRIP_BG)
        if not self._count:
            self._paint_note(p, strip, self._busy or "No clip: open a video file or drop one here")
            p.end()
            return
        self._paint_ruler(p)
        self._paint_strip(p, strip)
        self._paint_cuts(p, strip)
        if self._busy:
            self._paint_note(p, strip, self._busy)
        self._paint_range(p, strip)
        self._paint_playhead(p, strip)
        if self.hasFocus():
            p.setPen(QPen(QColor(255, 255, 255, 40), 1))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5))
        p.end()

    def _tick_step(self, min_px: float) -> int:
        """The smallest "round" step (in frames) at least ``min_px`` wide: a divisor
        of the timecode base below a second, whole seconds or minutes above."""
        base = max(1, math.ceil(self._fps))
        steps = [d for d in range(1, base) if base % d == 0]
        steps += [base * s for s in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)]
        _, width = self._span()
        per_frame = width / max(1, self._count)
        for step in steps:
            if step * per_frame >= min_px:
                return step
        return max(1, self._count)

    def _paint_ruler(self, p: QPainter) -> None:
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.82))
        p.setFont(font)
        metrics = QFontMetrics(font)
        label_w = metrics.horizontalAdvance("00:00:00:00") + 18
        major = self._tick_step(label_w)
        minor = self._tick_step(8)
        left, width = self._span()
        p.setPen(QPen(TICK, 1))
        if minor < major:
            for f in range(0, self._count + 1, minor):
                x = self.x_for_frame(f)
                p.drawLine(QPointF(x, RULER_H - 4), QPointF(x, RULER_H))
        for f in range(0, self._count + 1, major):
            x = self.x_for_frame(f)
            p.setPen(QPen(TICK, 1))
            p.drawLine(QPointF(x, RULER_H - 9), QPointF(x, RULER_H))
            text = format_timecode(f, self._fps)
            if x + 3 + metrics.horizontalAdvance(text) <= left + width + MARGIN:
                p.setPen(LABEL)
                p.drawText(QPointF(x + 3, RULER_H - 8), text)

    def _paint_strip(self, p: QPainter, strip: QRectF) -> None:
        if not self._thumbs:
            return
        first = self._thumbs[0]
        aspect = first.width() / max(1, first.height())
        tile_w = max(8.0, strip.height() * aspect)
        tiles = max(1, math.ceil(strip.width() / tile_w))
        tile_w = strip.width() / tiles
        p.save()
        p.setClipRect(strip)
        n = len(self._thumbs)
        for k in range(tiles):
            centre = (k + 0.5) / tiles  # position in the clip, 0..1
            img = self._thumbs[min(n - 1, int(centre * n))]
            target = QRectF(strip.left() + k * tile_w, strip.top(), tile_w, strip.height())
            # crop the thumbnail to the tile's aspect ratio (centre crop)
            src_w = min(img.width(), img.height() * target.width() / target.height())
            source = QRectF((img.width() - src_w) / 2, 0, src_w, img.height())
            p.drawImage(target, img, source)
            p.setPen(QPen(QColor(0, 0, 0, 120), 1))
            p.drawLine(target.topLeft(), target.bottomLeft())
        p.restore()

    def _paint_cuts(self, p: QPainter, strip: QRectF) -> None:
        """A bright line with a small notch on top at each scene cut."""
        if not self._cuts:
            return
        p.save()
        p.setPen(QPen(CUT_COLOR, 2))
        p.setBrush(CUT_COLOR)
        for frame in self._cuts:
            x = self.x_for_frame(frame - 0.5)  # between the two shots
            p.drawLine(QPointF(x, strip.top()), QPointF(x, strip.bottom()))
            p.drawPolygon([QPointF(x - 4, strip.top()), QPointF(x + 4, strip.top()),
                           QPointF(x, strip.top() + 5)])
        p.restore()

    def _paint_note(self, p: QPainter, strip: QRectF, text: str) -> None:
        p.save()
        p.setPen(BUSY)
        p.fillRect(strip, QColor(0, 0, 0, 110))
        p.drawText(strip, Qt.AlignmentFlag.AlignCenter, text)
        p.restore()

    def _paint_range(self, p: QPainter, strip: QRectF) -> None:
        xi, xo = self.in_handle_x(), self.out_handle_x()
        p.fillRect(QRectF(strip.left(), strip.top(), xi - strip.left(), strip.height()), DIM)
        p.fillRect(QRectF(xo, strip.top(), strip.right() - xo, strip.height()), DIM)
        # range band on the ruler
        band = QColor(RANGE)
        band.setAlpha(70)
        p.fillRect(QRectF(xi, RULER_H - 3, xo - xi, 3), band)
        pen = QPen(RANGE, 2)
        p.setPen(pen)
        p.drawLine(QPointF(xi, strip.top() + 1), QPointF(xo, strip.top() + 1))
        p.drawLine(QPointF(xi, strip.bottom() - 1), QPointF(xo, strip.bottom() - 1))
        for x, side in ((xi, -1), (xo, 1)):
            self._paint_handle(p, strip, x, side)

    def _paint_handle(self, p: QPainter, strip: QRectF, x: float, side: int) -> None:
        """A bracket: [ for the in mark (side -1), ] for the out mark (side 1)."""
        outer = x + side * HANDLE_W
        path = QPainterPath()
        path.moveTo(x, strip.top())
        path.lineTo(outer - side * 3, strip.top())
        path.quadTo(outer, strip.top(), outer, strip.top() + 3)
        path.lineTo(outer, strip.bottom() - 3)
        path.quadTo(outer, strip.bottom(), outer - side * 3, strip.bottom())
        path.lineTo(x, strip.bottom())
        path.closeSubpath()
        active = self._drag == ("in" if side < 0 else "out")
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(RANGE.lighter(120) if active else RANGE)
        p.drawPath(path)
        p.setPen(QPen(QColor(0, 0, 0, 140), 1))
        mid = x + side * HANDLE_W / 2
        cy = strip.center().y()
        for dy in (-4, 0, 4):
            p.drawLine(QPointF(mid - 1.5, cy + dy), QPointF(mid + 1.5, cy + dy))

    def _paint_playhead(self, p: QPainter, strip: QRectF) -> None:
        left, width = self._span()
        frame_w = width / max(1, self._count)
        x = self.x_for_frame(self._playhead) + (frame_w / 2 if frame_w >= 3 else 0)
        p.setPen(QPen(PLAYHEAD, 1.5))
        p.drawLine(QPointF(x, 2), QPointF(x, strip.bottom()))
        head = QPolygonF([QPointF(x - 5, 1), QPointF(x + 5, 1), QPointF(x + 5, 8),
                          QPointF(x, 13), QPointF(x - 5, 8)])
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(PLAYHEAD)
        p.drawPolygon(head)
