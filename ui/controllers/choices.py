"""The retime and output choices: each widget's value into the panel's state, the
suggested or typed output name (and its extension), Replace, the output folder, and
the preferences kept for the next session."""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog

from vfi_plugin.media import CODECS
from vfi_plugin.session.naming import fit_codec_suffix

from ..settings import PanelPrefs

if TYPE_CHECKING:
    from ..panel import SlowMoPanel


class ChoicesController(QObject):
    def __init__(self, panel: SlowMoPanel) -> None:
        super().__init__(panel)
        self.panel = panel
        self.prefs = PanelPrefs()
        self.wanted_device = "auto"  # the device chosen, even when not (yet) offered
        self._restoring = False
        state, retime, out = panel.state, panel.retime, panel.output
        retime.factorChanged.connect(self._on_factor_changed)
        retime.factorRefused.connect(lambda text: panel.show_message(text, "error"))
        retime.modeChanged.connect(self._on_mode_changed)
        out.codec_combo.currentIndexChanged.connect(self._on_codec_changed)
        out.audio_combo.currentIndexChanged.connect(self._on_audio_changed)
        out.device_combo.currentIndexChanged.connect(self._on_device_changed)
        out.name_edit.textChanged.connect(lambda text: setattr(state, "name", text))
        out.name_edit.textEdited.connect(self._on_name_edited)
        out.name_edit.editingFinished.connect(self.fit_name)
        out.replace_check.toggled.connect(lambda on: setattr(state, "replace", on))
        out.folder_edit.textChanged.connect(lambda text: setattr(state, "folder", text))
        out.folder_edit.editingFinished.connect(self._on_folder_edited)
        out.folder_button.clicked.connect(self.browse_folder)

    # -- retime and format ------------------------------------------------------------
    def set_device(self, name: str) -> None:
        self.wanted_device = name
        self.panel.output.select_device(name)

    def devices_found(self, devices: list[str]) -> None:
        """Offer the devices the engine found (keeping the chosen one where offered)."""
        self.panel.output.fill_devices(devices, self.wanted_device)
        self.panel.state.device = self.panel.output.device()

    def _on_factor_changed(self, value: float) -> None:
        self.panel.state.factor = value
        self._untick_replace("factor")
        self._settings_changed()

    def _on_mode_changed(self, mode: str) -> None:
        self.panel.state.mode = mode
        self._untick_replace("mode")
        self._settings_changed()

    def _untick_replace(self, what: str) -> None:
        """A new factor or mode makes a new result: Replace, ticked for the previous one,
        must not let it overwrite that file (a typed name stays as it is)."""
        check = self.panel.output.replace_check
        if self._restoring or not check.isChecked():
            return
        check.setChecked(False)
        if not self.panel.state.name_auto:
            self.panel.show_message(
                f"Replace is unticked because the {what} changed: the next render will not "
                f"overwrite {self.panel.state.name.strip()} (tick Replace again to do that).")

    def _on_codec_changed(self, _index: int) -> None:
        self.panel.state.codec = self.panel.output.codec()
        self.fit_name(announce=False)  # the extension follows the format
        self._settings_changed()

    def _on_audio_changed(self, _index: int) -> None:
        self.panel.state.audio = self.panel.output.audio()
        self.save_prefs()

    def _on_device_changed(self, _index: int) -> None:
        self.panel.state.device = self.wanted_device = self.panel.output.device()
        self.save_prefs()

    def _settings_changed(self) -> None:
        self.suggest_name()
        self.panel.update_summary()
        self.save_prefs()
        self.panel.preview.settings_changed()

    # -- preferences ------------------------------------------------------------------
    def save_prefs(self) -> None:
        if self._restoring:
            return
        s = self.panel.state
        self.prefs = PanelPrefs(s.factor, s.mode, s.codec, s.audio, self.wanted_device,
                                self.prefs.folder)
        self.prefs.save(self.panel.settings, s.factor_text)

    def restore_prefs(self) -> None:
        panel = self.panel
        self._restoring = True
        try:
            prefs = PanelPrefs.load(panel.settings)
            panel.retime.set_factor(prefs.factor)
            panel.retime.set_mode(prefs.mode)
            panel.output.set_codec(prefs.codec)
            panel.output.set_audio(prefs.audio)
            self.set_device(prefs.device)
            panel.output.folder_edit.setText(prefs.folder)
            self.prefs = prefs
        finally:
            self._restoring = False

    # -- the output's name and folder ---------------------------------------------------
    def suggest_name(self) -> None:
        """Put the suggested name in the field, unless the user typed one."""
        state = self.panel.state
        if state.name_auto and (name := state.suggested_name()) is not None:
            self.panel.output.name_edit.setText(name)

    def _on_name_edited(self, text: str) -> None:
        self.panel.state.name_auto = not text.strip()
        self.suggest_name()

    def fit_name(self, announce: bool = True) -> None:
        """Give a typed name the extension of the chosen format, in the field: added when
        it has none, replacing a video extension the format does not write ("final.mp4"
        for ProRes becomes "final.mov"); a sequence folder loses a video extension."""
        state = self.panel.state
        text = state.name.strip()
        if state.name_auto or not text:
            return
        fitted = fit_codec_suffix(text, state.codec)
        if fitted == text:
            return
        self.panel.output.name_edit.setText(fitted)
        if announce:
            spec = CODECS[state.codec]
            self.panel.show_message(f"The file name is now {fitted}: {spec.label} writes "
                                    f"{spec.writes()}.")

    def set_name(self, name: str) -> None:
        """A name chosen by the user (kept when the factor or mode changes); given the
        format's extension when it lacks it or names another format."""
        self.panel.output.name_edit.setText(name)
        self.panel.state.name_auto = not name.strip()
        self.fit_name()
        self.suggest_name()

    def set_folder(self, folder: str | os.PathLike, remember: bool = True) -> None:
        """The folder outputs go into, for this clip and the next ones ("": next to each
        source). ``remember``: also for the next sessions (a host's suggestion is not)."""
        self.panel.output.folder_edit.setText(str(folder))
        if remember:
            self._remember_folder()
        self.suggest_name()

    def _on_folder_edited(self) -> None:
        self._remember_folder()
        self.suggest_name()

    def _remember_folder(self) -> None:
        text = self.panel.state.folder.strip()
        if text != self.prefs.folder:
            self.prefs.folder = text
            self.save_prefs()

    def browse_folder(self) -> None:
        start = str(self.panel.state.output_folder() or Path.home())
        folder = QFileDialog.getExistingDirectory(self.panel, "Output folder", start)
        if folder:
            self.set_folder(folder)
