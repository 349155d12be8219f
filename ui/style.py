"""Looks: the panel's own style sheet (scoped to the panel, follows the host's palette)
and the dark theme the standalone app puts on its QApplication."""
from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory


ACCENT = "#3d8bfd"
ACCENT_HOVER = "#5a9cff"
ACCENT_DOWN = "#2f6fd0"
AMBER = "#f2b632"
ERROR = "#ff6b61"
OK = "#4cc38a"

# Only object names and dynamic properties are styled, so host widgets are untouched,
# and colours that must read on light and dark hosts alike are mid-tones.
PANEL_QSS = f"""
QLabel#sectionTitle {{
    font-weight: 600;
    letter-spacing: 0.5px;
    color: palette(placeholder-text);
}}
QLabel#clipName {{ font-weight: 600; font-size: 12pt; }}
QLabel#clipFacts, QLabel#hint {{ color: palette(placeholder-text); }}
QLabel#timecode {{
    font-family: "DejaVu Sans Mono", "Menlo", "Consolas", monospace;
    font-size: 13pt; font-weight: 600;
}}
QLabel#frameNumber, QLabel#rangeInfo {{
    font-family: "DejaVu Sans Mono", "Menlo", "Consolas", monospace;
}}
QLabel#resultBig {{ font-size: 12pt; font-weight: 600; }}
QLabel#status {{ padding: 4px 2px; }}
QLabel#status[kind="error"] {{ color: {ERROR}; font-weight: 600; }}
QLabel#status[kind="ok"] {{ color: {OK}; }}
QLabel#status[kind="busy"] {{ color: palette(text); }}
QFrame#section {{
    border: 1px solid palette(mid);
    border-radius: 6px;
}}
QPushButton#renderButton {{
    background: {ACCENT}; color: white; font-weight: 600;
    border: 1px solid {ACCENT_DOWN}; border-radius: 4px; padding: 6px 22px;
}}
QPushButton#renderButton:hover {{ background: {ACCENT_HOVER}; }}
QPushButton#renderButton:pressed {{ background: {ACCENT_DOWN}; }}
QPushButton#renderButton:disabled {{
    background: palette(button); color: palette(placeholder-text); border-color: palette(mid);
}}
QPushButton[preset="true"] {{ min-width: 38px; padding: 4px 8px; }}
QPushButton[preset="true"]:checked {{
    background: {AMBER}; color: #1a1a1a; font-weight: 600; border: 1px solid #b88716;
    border-radius: 3px;
}}
QProgressBar#renderProgress {{
    border: 1px solid palette(mid); border-radius: 4px; text-align: center;
    min-height: 20px;
}}
QProgressBar#renderProgress::chunk {{ background: {ACCENT}; border-radius: 3px; }}
"""


# Fusion draws unchecked radio buttons and check boxes with a barely visible outline on
# a dark palette; these read clearly (the app's theme only, never a host's).
APP_QSS = f"""
QRadioButton, QCheckBox {{ spacing: 6px; }}
QRadioButton::indicator, QCheckBox::indicator {{
    width: 12px; height: 12px; border: 1px solid #7a828d; background: #1b1d21;
}}
QRadioButton::indicator {{ border-radius: 7px; }}
QCheckBox::indicator {{ border-radius: 3px; }}
QRadioButton::indicator:hover, QCheckBox::indicator:hover {{ border-color: #a9b1bc; }}
QRadioButton::indicator:checked {{
    border-color: {ACCENT};
    background: qradialgradient(cx:0.5, cy:0.5, radius:0.5, fx:0.5, fy:0.5,
                                stop:0 {ACCENT}, stop:0.5 {ACCENT}, stop:0.62 #1b1d21,
                                stop:1 #1b1d21);
}}
QCheckBox::indicator:checked {{ border-color: {ACCENT}; background: {ACCENT}; }}
QRadioButton::indicator:disabled, QCheckBox::indicator:disabled {{ border-color: #4a4f57; }}
"""


def apply_dark_theme(app: QApplication) -> None:
    """Fusion with a neutral dark palette (the standalone app only; hosts keep theirs)."""
    style = QStyleFactory.create("Fusion")
    if style is not None:
        app.setStyle(style)
    pal = QPalette()
    colors = {
        QPalette.ColorRole.Window: "#25282d",
        QPalette.ColorRole.WindowText: "#e3e6ea",
        QPalette.ColorRole.Base: "#1b1d21",
        QPalette.ColorRole.AlternateBase: "#2a2d33",
        QPalette.ColorRole.ToolTipBase: "#30343a",
        QPalette.ColorRole.ToolTipText: "#e3e6ea",
        QPalette.ColorRole.PlaceholderText: "#8d95a0",
        QPalette.ColorRole.Text: "#e3e6ea",
        QPalette.ColorRole.Button: "#33373e",
        QPalette.ColorRole.ButtonText: "#e3e6ea",
        QPalette.ColorRole.BrightText: "#ffffff",
        QPalette.ColorRole.Light: "#454a52",
        QPalette.ColorRole.Midlight: "#3a3e45",
        QPalette.ColorRole.Mid: "#3b4048",
        QPalette.ColorRole.Dark: "#16181b",
        QPalette.ColorRole.Shadow: "#0b0c0e",
        QPalette.ColorRole.Highlight: ACCENT,
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: ACCENT_HOVER,
    }
    for role, value in colors.items():
        pal.setColor(role, QColor(value))
    disabled = QPalette.ColorGroup.Disabled
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.ButtonText):
        pal.setColor(disabled, role, QColor("#6b717a"))
    pal.setColor(disabled, QPalette.ColorRole.Button, QColor("#2b2e33"))
    app.setPalette(pal)
    app.setStyleSheet(APP_QSS)
