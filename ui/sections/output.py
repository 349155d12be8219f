"""The output section: format, audio, device, the file name (and Replace), the folder."""
from __future__ import annotations

from PySide6.QtWidgets import (QCheckBox, QComboBox, QFrame, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QWidget)

from vfi_plugin.media import CODECS, DEFAULT_CODEC
from vfi_plugin.session.state import AUDIO_LABELS, DEVICE_LABELS

from . import section_grid


class OutputSection(QFrame):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        grid = section_grid(self, "Output")
        self.codec_combo = QComboBox(self)
        for name, spec in CODECS.items():
            self.codec_combo.addItem(spec.label, name)
        self.codec_combo.setToolTip("Video format of the rendered file")
        self.audio_combo = QComboBox(self)
        for key, label in AUDIO_LABELS.items():
            self.audio_combo.addItem(label, key)
        self.audio_combo.setToolTip(
            "Auto: drop the sound in slow motion, keep it in smooth mode.\n"
            "Stretch: slow the sound down with the picture (pitch kept).")
        self.device_combo = QComboBox(self)
        self.device_combo.setToolTip("Where the network runs")
        self.fill_devices(["cpu"], "auto")
        formats = QHBoxLayout()
        formats.setSpacing(6)
        formats.addWidget(self.codec_combo, 3)
        formats.addWidget(QLabel("Audio", self))
        formats.addWidget(self.audio_combo, 2)
        grid.addWidget(QLabel("Format", self), 1, 0)
        grid.addLayout(formats, 1, 1, 1, 2)
        grid.addWidget(QLabel("Device", self), 2, 0)
        grid.addWidget(self.device_combo, 2, 1, 1, 2)
        grid.addWidget(QLabel("File name", self), 3, 0)
        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText("<clip>_slowmo2x.mp4")
        self.name_edit.setToolTip("Output file name (a folder name for PNG sequences)")
        grid.addWidget(self.name_edit, 3, 1)
        self.replace_check = QCheckBox("Replace", self)
        self.replace_check.setToolTip("Replace the file if it exists (otherwise never overwritten)")
        grid.addWidget(self.replace_check, 3, 2)
        grid.addWidget(QLabel("Folder", self), 4, 0)
        self.folder_edit = QLineEdit(self)
        self.folder_edit.setPlaceholderText("next to the source")
        self.folder_edit.setToolTip("Folder the output goes into (kept for the next clips "
                                    "until you change it; empty: next to each source)")
        grid.addWidget(self.folder_edit, 4, 1)
        self.folder_button = QPushButton("Browse\u2026", self)
        grid.addWidget(self.folder_button, 4, 2)
        grid.addWidget(QLabel("Render on", self), 5, 0)
        where = QHBoxLayout()
        where.setSpacing(6)
        self.render_on_combo = QComboBox(self)
        self.render_on_combo.addItem("This computer", "here")
        self.render_on_combo.addItem("Dask cluster", "dask")
        self.render_on_combo.setToolTip(
            "Dask cluster: the render is split into segments that the cluster's workers\n"
            "render; they must see the clip and the output folder at the same paths.")
        self.scheduler_edit = QLineEdit(self)
        self.scheduler_edit.setPlaceholderText("tcp://HOST:8786")
        self.scheduler_edit.setToolTip("The Dask scheduler's address")
        where.addWidget(self.render_on_combo, 2)
        where.addWidget(self.scheduler_edit, 3)
        self.check_button = QPushButton("Check", self)
        self.check_button.setToolTip("Try to reach the scheduler")
        where.addWidget(self.check_button)
        grid.addLayout(where, 5, 1)
        self.bundle_button = QPushButton("Farm bundle\u2026", self)
        self.bundle_button.setToolTip(
            "Export an Open Job Description job bundle of this render for a render farm\n"
            "(openjd run, or deadline bundle submit for AWS Deadline Cloud)")
        grid.addWidget(self.bundle_button, 5, 2)
        self.show_render_on("here")
        grid.setColumnStretch(1, 1)

    def render_on(self) -> str:
        return self.render_on_combo.currentData() or "here"

    def show_render_on(self, where: str) -> None:
        """Show the scheduler's address and its check only for a cluster."""
        cluster = where == "dask"
        self.scheduler_edit.setVisible(cluster)
        self.check_button.setVisible(cluster)

    def codec(self) -> str:
        return self.codec_combo.currentData() or DEFAULT_CODEC

    def set_codec(self, name: str) -> None:
        index = self.codec_combo.findData(name)
        if index < 0:
            raise ValueError(f"unknown codec {name!r}: one of {', '.join(CODECS)}")
        self.codec_combo.setCurrentIndex(index)

    def audio(self) -> str:
        return self.audio_combo.currentData() or "auto"

    def set_audio(self, mode: str) -> None:
        index = self.audio_combo.findData(mode)
        if index < 0:
            raise ValueError(f"unknown audio mode {mode!r}")
        self.audio_combo.setCurrentIndex(index)

    def device(self) -> str:
        return self.device_combo.currentData() or "auto"

    def fill_devices(self, devices: list[str], wanted: str) -> None:
        """Offer Auto, the GPUs among ``devices`` and the CPU; select ``wanted`` if offered."""
        combo = self.device_combo
        combo.blockSignals(True)
        combo.clear()
        for name in ["auto"] + [d for d in ("cuda", "mps") if d in devices] + ["cpu"]:
            combo.addItem(DEVICE_LABELS.get(name, name), name)
        combo.setCurrentIndex(max(0, combo.findData(wanted)))
        combo.blockSignals(False)

    def select_device(self, name: str) -> None:
        index = self.device_combo.findData(name)
        if index >= 0:
            self.device_combo.setCurrentIndex(index)
