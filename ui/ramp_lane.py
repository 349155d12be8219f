"""The speed-ramp lane: the ramp's speed curve drawn under the timeline, its keys as handles.

x is the timeline's own frame mapping (``TimelineWidget.x_for_frame`` / ``frame_pos``,
shifted by where the lane sits relative to the timeline), so a key lines up with the frame
above it; a key's time is drawn at the middle of its frame, as the playhead is. y is the
speed on a log scale from 100 % (top) down to 1/16 (bottom), or down to the slowest key's
power of two when that is slower (to ``MIN_SPEED``; a key dragged below the lane goes
slower than its bottom), with guides at 100 % and 25 %. Keys are ``RampKey``s (seconds on the clip, snapped to whole frames when
placed or moved); every edit emits ``keysChanged`` with the new keys, in time order.

Mouse: double-click adds a key there (Ctrl+click: on the curve), drag moves a key (time
and speed, kept between its neighbours), right-click a key for Linear / Smooth / Remove.
Keys (the lane focused): Left/Right select a key, Up/Down change its speed (Shift: an
octave), Alt+Left/Right move it a frame, E toggles its ease, Delete or Backspace removes
it, Insert or K adds a key at the playhead; the menu key opens the selected key's menu.
"""
from __future__ import annotations

import math
from fractions import Fraction

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (QAction, QActionGroup, QColor, QContextMenuEvent, QFont, QKeyEvent,
                           QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPen, QPolygonF)
from PySide6.QtWidgets import QMenu, QSizePolicy, QWidget

from vfi_plugin.engine.ramp import MIN_SPEED, Ramp, RampKey
from vfi_plugin.session.naming import format_factor, format_percent

from .timeline import TimelineWidget

LANE_H = 44
PAD = 6            # the curve's margin at the top and bottom
FLOOR = 1 / 16     # the slowest speed the lane shows without a slower key
HIT = 7            # px: how near a key the mouse must be to take it
KEY_R = 4.5
SPEED_STEP = 2 ** 0.25  # Up/Down: a quarter octave (Shift: an octave)
BG = QColor("#121417")
RANGE_BG = QColor("#1b1e23")
GUIDE = QColor("#3a404a")
LABEL = QColor("#7d8693")
CURVE = QColor("#f2b632")
KEY_FILL = QColor("#f2b632")
SELECTED = QColor("#ffffff")
PLAYHEAD = QColor(255, 80, 80, 150)
HINT = QColor("#8c949f")
DIM = QColor(0, 0, 0, 110)
EASES = (("linear", "Linear"), ("smooth", "Smooth"))


class RampLane(QWidget):
    """Edits a speed ramp's keys over the clip shown by ``timeline``."""

    keysChanged = Signal(object)  # tuple[RampKey, ...], after every edit

    def __init__(self, timeline: TimelineWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.timeline = timeline
        self.setObjectName("rampLane")
        self.setFixedHeight(LANE_H)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setAccessibleName("Speed ramp lane")
        self.setToolTip("Speed ramp: double-click adds a key, drag moves it, right-click a key "
                        "for its ease or to remove it.\nKeys: \u2190/\u2192 select, \u2191/\u2193 "
                        "speed, Alt+\u2190/\u2192 move, E ease, Delete remove, K add at the "
                        "playhead")
        self._keys: list[RampKey] = []
        self._selected: int | None = None
        self._dragging = False
        self._drag_floor = FLOOR
        self.menu: QMenu | None = None  # the last context menu (open while it shows)
        timeline.rangeChanged.connect(lambda *_: self.update())
        timeline.playheadChanged.connect(lambda *_: self.update())

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(720, LANE_H)

    # ------------------------------------------------------------------ keys
    def keys(self) -> tuple[RampKey, ...]:
        return tuple(self._keys)

    def set_keys(self, keys) -> None:
        """Show ``keys`` (no signal): what the panel's state holds."""
        self._keys = sorted(keys or (), key=lambda k: k.time)
        if self._selected is not None and self._selected >= len(self._keys):
            self._selected = None
        self.update()

    @property
    def selected(self) -> int | None:
        """The index of the selected key (None: none)."""
        return self._selected

    def select(self, index: int | None) -> None:
        self._selected = None if index is None or not self._keys else (
            max(0, min(len(self._keys) - 1, index)))
        self._describe()
        self.update()

    def add_key(self, time: float, speed: float | None = None) -> int:
        """A key at ``time`` (seconds, snapped to a frame) with ``speed`` (default: the
        curve's speed there, so the curve keeps its shape); a key already on that frame
        takes the speed. It eases as the stretch it splits does. Returns its index."""
        frame = self._snap(time * self.fps)
        time = float(Fraction(frame) / self.fps)
        speed = self.speed_at_frame(frame) if speed is None else speed
        speed = min(1.0, max(MIN_SPEED, float(speed)))
        for i, key in enumerate(self._keys):
            if abs(key.time - time) * self.fps < 0.5:
                self._keys[i] = RampKey(key.time, speed, key.ease)
                return self._changed(i)
        before = [k for k in self._keys if k.time < time]
        ease = before[-1].ease if before and len(before) < len(self._keys) else "linear"
        self._keys.insert(len(before), RampKey(time, speed, ease))
        return self._changed(len(before))

    def move_key(self, index: int, time: float, speed: float) -> None:
        """Key ``index`` to ``time`` (snapped to a frame, kept a frame from its neighbours
        and on the clip) and ``speed`` (``MIN_SPEED`` to 1)."""
        key = self._keys[index]
        lo = self._keys[index - 1].time + 1 / self.fps if index > 0 else 0.0
        hi = (self._keys[index + 1].time - 1 / self.fps if index + 1 < len(self._keys)
              else float(max(0, self.timeline.frame_count - 1) / self.fps))
        time = float(Fraction(self._snap(time * self.fps)) / self.fps)
        time = key.time if lo > hi else min(hi, max(lo, time))
        speed = min(1.0, max(MIN_SPEED, float(speed)))
        if (time, speed) != (key.time, key.speed):
            self._keys[index] = RampKey(time, speed, key.ease)
            self._changed(index)

    def remove_key(self, index: int) -> None:
        del self._keys[index]
        self._changed(None if not self._keys else min(index, len(self._keys) - 1))

    def set_ease(self, index: int, ease: str) -> None:
        """How the speed moves from key ``index`` to the next: "linear" or "smooth"."""
        key = self._keys[index]
        if key.ease != ease:
            self._keys[index] = RampKey(key.time, key.speed, ease)
            self._changed(index)

    def _changed(self, selected: int | None) -> int | None:
        self._selected = selected
        self._describe()
        self.update()
        self.keysChanged.emit(tuple(self._keys))
        return selected

    def _describe(self) -> None:
        i = self._selected
        self.setAccessibleDescription(
            "no key selected" if i is None else
            f"key {i + 1} of {len(self._keys)}: {self._keys[i].time:.2f} s, "
            f"{format_percent(self._keys[i].speed)}, {self._keys[i].ease}")

    # --------------------------------------------------------------- geometry
    @property
    def fps(self) -> Fraction:
        return self.timeline.fps

    def _snap(self, frame: float) -> int:
        return max(0, min(max(0, self.timeline.frame_count - 1), round(frame)))

    def _dx(self) -> float:
        """The timeline's x minus the lane's for the same point on the screen."""
        here = self.mapToGlobal(QPointF(0, 0)).x()
        return here - self.timeline.mapToGlobal(QPointF(0, 0)).x()

    def x_for_time(self, seconds: float) -> float:
        """x of a key at ``seconds``: the middle of its frame on the timeline above."""
        return self.timeline.x_for_frame(seconds * self.fps + 0.5) - self._dx()

    def time_at(self, x: float) -> float:
        """The time (seconds, on a whole frame of the clip) under x."""
        frame = self._snap(self.timeline.frame_pos(x + self._dx()) - 0.5)
        return float(Fraction(frame) / self.fps)

    def floor(self) -> float:
        """The speed at the lane's bottom: 1/16, or the slowest key's power of two (kept
        while a key is dragged, so the key follows the mouse)."""
        if self._dragging:
            return self._drag_floor
        slowest = min((k.speed for k in self._keys), default=1.0)
        return max(MIN_SPEED, min(FLOOR, 2.0 ** math.floor(math.log2(slowest) + 1e-9)))

    def y_for_speed(self, speed: float) -> float:
        depth = math.log(1 / min(1.0, max(MIN_SPEED, speed))) / math.log(1 / self.floor())
        return PAD + depth * (self.height() - 2 * PAD)

    def speed_at_y(self, y: float) -> float:
        """The speed at y (below the lane: slower than its bottom, to ``MIN_SPEED``)."""
        depth = max(0.0, (y - PAD) / max(1.0, self.height() - 2 * PAD))
        return max(MIN_SPEED, min(1.0, self.floor() ** depth))

    def speed_at_frame(self, frame: float) -> float:
        """The curve's speed at clip frame ``frame`` (1 without keys)."""
        if not self._keys:
            return 1.0
        return self._curve().speed_at(frame)

    def _curve(self) -> Ramp:
        return Ramp(tuple(self._keys), self.fps, 0, max(1, self.timeline.frame_count))

    def key_pos(self, index: int) -> QPointF:
        key = self._keys[index]
        return QPointF(self.x_for_time(key.time), self.y_for_speed(key.speed))

    def key_at(self, pos: QPointF) -> int | None:
        """The key under ``pos`` (the nearest within HIT px), else None."""
        best, found = HIT, None
        for i in range(len(self._keys)):
            p = self.key_pos(i)
            d = math.hypot(p.x() - pos.x(), p.y() - pos.y())
            if d <= best:
                best, found = d, i
        return found

    # ----------------------------------------------------------------- mouse
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self.timeline.frame_count < 2:
            return super().mousePressEvent(event)
        pos = event.position()
        if event.button() == Qt.MouseButton.RightButton:
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self.open_menu(self.key_at(pos), pos)
            event.accept()
            return
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        hit = self.key_at(pos)
        if hit is None and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            hit = self.add_key(self.time_at(pos.x()),
                               None if self._keys else self.speed_at_y(pos.y()))
        self.select(hit)
        self._drag_floor = self.floor()
        self._dragging = hit is not None
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        pos = event.position()
        if self._dragging and self._selected is not None:
            self.move_key(self._selected, self.time_at(pos.x()), self.speed_at_y(pos.y()))
        elif self.key_at(pos) is not None:
            self.setCursor(Qt.CursorShape.SizeAllCursor)
        else:
            self.unsetCursor()
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton and self._dragging:
            self._dragging = False
            self.update()
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() != Qt.MouseButton.LeftButton or self.timeline.frame_count < 2:
            return super().mouseDoubleClickEvent(event)
        pos = event.position()
        if self.key_at(pos) is None:
            self.add_key(self.time_at(pos.x()), self.speed_at_y(pos.y()))
        event.accept()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802
        # a right click opened the menu already (mousePressEvent); this is the menu key's
        if event.reason() == QContextMenuEvent.Reason.Keyboard and self.timeline.frame_count >= 2:
            index = self._selected
            self.open_menu(index, self.key_pos(index) if index is not None
                           else QPointF(self.width() / 2, self.height() / 2))
        event.accept()

    def open_menu(self, index: int | None, pos: QPointF) -> None:
        """Pop up key ``index``'s menu (or Add key, without one) at ``pos``."""
        if index is not None:
            self.select(index)
        self.menu = self.key_menu(index, pos.x())
        self.menu.popup(self.mapToGlobal(pos.toPoint()))

    def key_menu(self, index: int | None, x: float) -> QMenu:
        """Key ``index``'s menu (Linear, Smooth, Remove key), or, without a key, Add key."""
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if index is None:
            time = self.time_at(x)
            menu.addAction("Add key here", lambda: self.add_key(time))
            return menu
        group = QActionGroup(menu)
        for ease, label in EASES:
            action = QAction(label, menu, checkable=True)
            action.setChecked(self._keys[index].ease == ease)
            action.setToolTip("How the speed moves from this key to the next")
            action.triggered.connect(lambda _=False, e=ease: self.set_ease(index, e))
            group.addAction(action)
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction("Remove key", lambda: self.remove_key(index))
        return menu

    # -------------------------------------------------------------- keyboard
    def _handles(self, event: QKeyEvent) -> bool:
        key, mods = Qt.Key(event.key()), event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if key in (Qt.Key.Key_Insert, Qt.Key.Key_K):
            return self.timeline.frame_count >= 2 and mods == Qt.KeyboardModifier.NoModifier
        if not self._keys:
            return False
        arrows = (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down)
        return key in arrows or (self._selected is not None and key in (
            Qt.Key.Key_Delete, Qt.Key.Key_Backspace, Qt.Key.Key_E))

    def event(self, event: QEvent) -> bool:
        # the panel's shortcuts (arrows step the playhead) yield to the focused lane's keys
        if event.type() == QEvent.Type.ShortcutOverride and self._handles(event):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if not self._handles(event):
            return super().keyPressEvent(event)
        key = Qt.Key(event.key())
        mods = event.modifiers()
        i = self._selected
        if key in (Qt.Key.Key_Insert, Qt.Key.Key_K):
            self.add_key(float(Fraction(self.timeline.playhead) / self.fps))
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            step = -1 if key == Qt.Key.Key_Left else 1
            if i is None:
                self.select(0 if step > 0 else len(self._keys) - 1)
            elif mods & Qt.KeyboardModifier.AltModifier:
                k = self._keys[i]
                self.move_key(i, k.time + step / self.fps, k.speed)
            else:
                self.select(i + step)
        elif key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            i = 0 if i is None else i
            step = 2.0 if mods & Qt.KeyboardModifier.ShiftModifier else SPEED_STEP
            k = self._keys[i]
            self.select(i)
            self.move_key(i, k.time, k.speed * (step if key == Qt.Key.Key_Up else 1 / step))
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.remove_key(i)
        elif key == Qt.Key.Key_E:
            self.set_ease(i, "linear" if self._keys[i].ease == "smooth" else "smooth")
        event.accept()

    def focusInEvent(self, event) -> None:  # noqa: N802
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event) -> None:  # noqa: N802
        self.update()
        super().focusOutEvent(event)

    # -------------------------------------------------------------- painting
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.fillRect(self.rect(), BG)
        tl = self.timeline
        count = tl.frame_count
        xi = tl.in_handle_x() - self._dx()
        xo = tl.out_handle_x() - self._dx()
        if count >= 2:
            p.fillRect(QRectF(xi, 0, xo - xi, self.height()), RANGE_BG)
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.78))
        p.setFont(font)
        for speed in (1.0, 0.25):
            y = self.y_for_speed(speed)
            p.setPen(QPen(GUIDE, 1, Qt.PenStyle.DashLine))
            p.drawLine(QPointF(0, y), QPointF(self.width(), y))
            p.setPen(LABEL)
            p.drawText(QPointF(3, y + 10), format_percent(speed))
        if count < 2:
            p.end()
            return
        if self._keys:
            self._paint_curve(p)
            # outside the marked range the curve is not rendered: dimmed as on the timeline
            p.fillRect(QRectF(0, 0, max(0.0, xi), self.height()), DIM)
            p.fillRect(QRectF(xo, 0, max(0.0, self.width() - xo), self.height()), DIM)
            if self._selected is not None:
                self._paint_key(p, self._selected, self._keys[self._selected])
        else:
            p.setPen(HINT)
            p.drawText(QRectF(self.rect()), Qt.AlignmentFlag.AlignCenter,
                       "Double-click to add a speed key, or pick a ramp preset")
        frame_w = tl.x_for_frame(1) - tl.x_for_frame(0)
        x = tl.x_for_frame(tl.playhead) + (frame_w / 2 if frame_w >= 3 else 0) - self._dx()
        p.setPen(QPen(PLAYHEAD, 1))
        p.drawLine(QPointF(x, 0), QPointF(x, self.height()))
        if self.hasFocus():
            p.setPen(QPen(QColor(255, 255, 255, 40), 1))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5))
        p.end()

    def _paint_curve(self, p: QPainter) -> None:
        tl, curve = self.timeline, self._curve()
        x0, x1 = tl.x_for_frame(0) - self._dx(), tl.x_for_frame(tl.frame_count) - self._dx()
        points = []
        steps = max(2, int((x1 - x0) / 2))
        for s in range(steps + 1):
            x = x0 + (x1 - x0) * s / steps
            frame = tl.frame_pos(x + self._dx()) - 0.5
            points.append(QPointF(x, self.y_for_speed(curve.speed_at(frame))))
        fill = QPainterPath(QPointF(x0, self.height()))
        for point in points:
            fill.lineTo(point)
        fill.lineTo(QPointF(x1, self.height()))
        shade = QColor(CURVE)
        shade.setAlpha(36)
        p.fillPath(fill, shade)
        p.setPen(QPen(CURVE, 1.6))
        p.drawPolyline(QPolygonF(points))
        for i, key in enumerate(self._keys):
            self._paint_key(p, i, key)

    def _paint_key(self, p: QPainter, index: int, key: RampKey) -> None:
        c = self.key_pos(index)
        selected = index == self._selected
        p.setPen(QPen(SELECTED if selected else QColor(0, 0, 0, 170), 1.5 if selected else 1))
        p.setBrush(SELECTED if selected and self._dragging else KEY_FILL)
        r = KEY_R + (1 if selected else 0)
        if key.ease == "smooth":  # a round key eases out of it
            p.drawEllipse(c, r, r)
        else:
            p.drawPolygon(QPolygonF([QPointF(c.x(), c.y() - r), QPointF(c.x() + r, c.y()),
                                     QPointF(c.x(), c.y() + r), QPointF(c.x() - r, c.y())]))
        if selected:
            text = f"{format_percent(key.speed)} \u00b7 {format_factor(1 / key.speed)}\u00d7"
            width = p.fontMetrics().horizontalAdvance(text)
            x = c.x() + 8 if c.x() + 8 + width < self.width() else c.x() - 8 - width
            y = c.y() + 4 if c.y() < self.height() / 2 else c.y() - 2
            p.setPen(SELECTED)
            p.drawText(QPointF(x, max(10.0, min(self.height() - 3.0, y))), text)
