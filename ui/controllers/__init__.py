"""The panel's controllers: each drives one kind of work through the panel's sections
and state (clip loading, playback, preview, render). They hold the panel they serve."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def confirm_stop(parent: QWidget, title: str, text: str, consequence: str,
                 stop_label: str) -> bool:
    """Ask whether to stop running work; "Keep rendering" is the default (and Esc)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text,
                      QMessageBox.StandardButton.NoButton, parent)
    box.setInformativeText(consequence)
    keep = box.addButton("Keep rendering", QMessageBox.ButtonRole.RejectRole)
    stop = box.addButton(stop_label, QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.exec()
    return box.clickedButton() is stop
