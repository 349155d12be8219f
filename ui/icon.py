"""The app icon: drawn with QPainter; ``python -m vfi_plugin.ui.icon [FOLDER]`` writes the PNGs
shipped in resources/icons (the app loads those, and draws the icon itself if they are missing)."""
from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QIcon,
    QImage,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPixmap,
    QRadialGradient,
)


SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
AMBER = QColor("#f2b632")


def draw_icon(size: int = 256) -> QImage:
    """A dark rounded tile: a ball leaving a fading trail of in-between frames above a
    strip of film frames, the last one marked like an in/out range."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    s = size / 256.0
    tile = QRectF(8 * s, 8 * s, 240 * s, 240 * s)
    bg = QLinearGradient(tile.topLeft(), tile.bottomLeft())
    bg.setColorAt(0.0, QColor("#2b3039"))
    bg.setColorAt(1.0, QColor("#14171b"))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(bg)
    p.drawRoundedRect(tile, 52 * s, 52 * s)

    # trail of in-between frames: ghosts growing in opacity towards the ball
    cy = 112 * s
    radius = 30 * s
    xs = [62, 92, 122, 152, 186]
    for k, x in enumerate(xs[:-1]):
        color = QColor(AMBER)
        color.setAlphaF(0.14 + 0.16 * k)
        p.setBrush(color)
        p.drawEllipse(QPointF(x * s, cy), radius * (0.82 + 0.04 * k), radius * (0.82 + 0.04 * k))
    glow = QRadialGradient(QPointF(xs[-1] * s - 8 * s, cy - 10 * s), radius * 1.3)
    glow.setColorAt(0.0, QColor("#ffe29a"))
    glow.setColorAt(0.6, AMBER)
    glow.setColorAt(1.0, QColor("#d08f12"))
    p.setBrush(glow)
    p.drawEllipse(QPointF(xs[-1] * s, cy), radius, radius)

    # film strip: five frames; the middle three inside a bracketed range
    strip_y, strip_h = 176 * s, 34 * s
    frame_w, gap, x0 = 34 * s, 8 * s, 28 * s
    for k in range(5):
        rect = QRectF(x0 + k * (frame_w + gap), strip_y, frame_w, strip_h)
        inside = 1 <= k <= 3
        p.setBrush(QColor("#5b6470") if inside else QColor("#3a4049"))
        p.drawRoundedRect(rect, 5 * s, 5 * s)
    pen_w = max(1.0, 5 * s)
    left = x0 + frame_w + gap / 2
    right = x0 + 4 * (frame_w + gap) - gap / 2
    path = QPainterPath()
    for x, d in ((left, 1), (right, -1)):
        path.moveTo(x + d * 8 * s, strip_y - 6 * s)
        path.lineTo(x, strip_y - 6 * s)
        path.lineTo(x, strip_y + strip_h + 6 * s)
        path.lineTo(x + d * 8 * s, strip_y + strip_h + 6 * s)
    pen = p.pen()
    pen.setStyle(Qt.PenStyle.SolidLine)
    pen.setColor(AMBER)
    pen.setWidthF(pen_w)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawPath(path)
    p.end()
    return image


def icon_dir() -> Path | None:
    try:
        from importlib.resources import files

        return Path(str(files("vfi_plugin.resources") / "icons"))
    except (ImportError, ModuleNotFoundError, TypeError):
        return None


def app_icon() -> QIcon:
    """The shipped PNGs as one QIcon (drawn on the fly when they are missing)."""
    icon = QIcon()
    folder = icon_dir()
    if folder is not None:
        for size in SIZES:
            path = folder / f"slowmo-{size}.png"
            if path.is_file():
                icon.addFile(str(path))
    if icon.isNull():
        for size in (16, 32, 64, 256):
            icon.addPixmap(QPixmap.fromImage(draw_icon(size)))
    return icon


def write_icons(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for size in SIZES:
        path = folder / f"slowmo-{size}.png"
        if not draw_icon(size).save(str(path)):
            raise OSError(f"could not write {path}")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    from PySide6.QtGui import QGuiApplication

    argv = sys.argv[1:] if argv is None else argv
    app = QGuiApplication.instance() or QGuiApplication(["slowmo-icon"])  # noqa: F841
    target = Path(argv[0]) if argv else (icon_dir() or Path("resources/icons"))
    for path in write_icons(target):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
