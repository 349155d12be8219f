"""The "Open timeline..." dialog: an editor's timeline, its slowed clips (tick the ones to
render, preview one in the panel), where the new timeline and the renders go, and the
conform's progress, Cancel and summary.

It shows and edits ``ConformController.choices`` (plain data) and starts work only through
the controller's worker slots; nothing here reads a file or decodes a frame.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QFileDialog, QGridLayout,
                               QHBoxLayout, QLabel, QLineEdit, QProgressBar, QPushButton,
                               QSizePolicy, QSpinBox, QVBoxLayout, QWidget)

from vfi_plugin.conform.plan import file_codecs
from vfi_plugin.conform.timeline import FORMATS
from vfi_plugin.errors import UserInputError
from vfi_plugin.hosts.base import reveal_in_file_manager
from vfi_plugin.media import CODECS
from vfi_plugin.session.conform import (ConformRow, default_output, outcome, progress_text,
                                        result_text)

from .conform_table import ClipTable
from .controllers.conform import ConformWorker, ListWorker, ThumbnailWorker
from .sections import status_label
from .settings import last_folder
from .style import PANEL_QSS

if TYPE_CHECKING:
    from .controllers.conform import ConformController

SEP = os.pathsep  # between search folders
TIMELINE_FILTER = (f"Timelines ({' '.join('*' + s for s in FORMATS)});;"
                   + ";;".join(f"{f.label} (*{s})" for s, f in FORMATS.items())
                   + ";;All files (*)")


class ConformDialog(QDialog):
    """Non-modal: the panel stays usable (a row's Preview loads its clip there)."""

    listed = Signal(int)        # rows listed
    listFailed = Signal(str)
    conformFinished = Signal(object)  # ConformResult
    conformFailed = Signal(str)
    conformCancelled = Signal()

    def __init__(self, controller: ConformController, parent: QWidget) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.controller = controller
        self.choices = controller.choices
        self.plan = None            # the running conform's ConformPlan
        self.result = None          # the last ConformResult
        self.cancelling = False
        self.setWindowTitle("Conform a timeline \u2014 SlowMo")
        self.setObjectName("ConformDialog")
        self.setStyleSheet(PANEL_QSS)
        self._build()
        self._connect()
        self.resize(1180, 600)
        self._update_enabled()
        self.show_status("Open a timeline exported from your editor (.xml from Premiere or "
                         "Resolve, .edl, .otio, .aaf).")

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(10, 10, 10, 10)
        root.setSpacing(8)
        top = QHBoxLayout()
        top.setSpacing(6)
        top.addWidget(QLabel("Timeline", self))
        self.path_edit = QLineEdit(self)
        self.path_edit.setPlaceholderText("an editor's timeline: .xml, .edl, .otio, .fcpxml, .aaf")
        self.path_edit.setToolTip("The timeline to conform (never modified); Return reads it")
        top.addWidget(self.path_edit, 1)
        self.browse_button = QPushButton("Browse\u2026", self)
        top.addWidget(self.browse_button)
        self.fps_label = QLabel("EDL fps", self)
        self.fps_edit = QLineEdit(self.choices.edl_fps, self)
        self.fps_edit.setMaximumWidth(80)
        self.fps_edit.setToolTip("An EDL does not say its frame rate: the timeline's rate "
                                 "(24, 25, 29.97, 30000/1001...)")
        top.addWidget(self.fps_label)
        top.addWidget(self.fps_edit)
        self.reload_button = QPushButton("Reload", self)
        self.reload_button.setToolTip("Read the timeline again")
        top.addWidget(self.reload_button)
        root.addLayout(top)

        self.table = ClipTable(self)
        root.addWidget(self.table, 1)

        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(6)
        grid.addWidget(QLabel("Find media in", self), 0, 0)
        self.search_edit = QLineEdit(self)
        self.search_edit.setPlaceholderText("folders where media the timeline cannot find are "
                                            f"looked up by file name (separated by {SEP})")
        self.search_edit.setToolTip("An EDL names clips, not paths, and an AAF may point at "
                                    "another computer's disks: give the media's folders here")
        grid.addWidget(self.search_edit, 0, 1)
        self.search_button = QPushButton("Add\u2026", self)
        grid.addWidget(self.search_button, 0, 2)
        grid.addWidget(QLabel("New timeline", self), 1, 0)
        self.output_edit = QLineEdit(self)
        self.output_edit.setToolTip("The conformed timeline (its suffix picks the format)")
        grid.addWidget(self.output_edit, 1, 1)
        self.output_button = QPushButton("Browse\u2026", self)
        grid.addWidget(self.output_button, 1, 2)
        grid.addWidget(QLabel("Media folder", self), 2, 0)
        self.media_edit = QLineEdit(self)
        self.media_edit.setToolTip("Folder for the renders (empty: next to the new timeline)")
        grid.addWidget(self.media_edit, 2, 1)
        self.media_button = QPushButton("Browse\u2026", self)
        grid.addWidget(self.media_button, 2, 2)
        options = QHBoxLayout()
        options.setSpacing(6)
        options.addWidget(QLabel("Handles", self))
        self.handles_spin = QSpinBox(self)
        self.handles_spin.setRange(0, 1000)
        self.handles_spin.setSuffix(" frames")
        self.handles_spin.setValue(self.choices.handles)
        self.handles_spin.setToolTip("Extra frames rendered before and after each cut, for "
                                     "trimming (the media allowing)")
        options.addWidget(self.handles_spin)
        options.addSpacing(12)
        options.addWidget(QLabel("Codec", self))
        self.codec_combo = QComboBox(self)
        for name in file_codecs():
            self.codec_combo.addItem(CODECS[name].label, name)
        self.codec_combo.setCurrentIndex(max(0, self.codec_combo.findData(self.choices.codec)))
        options.addWidget(self.codec_combo)
        options.addSpacing(12)
        self.overwrite_check = QCheckBox("Overwrite", self)
        self.overwrite_check.setToolTip("Replace an existing new timeline and renders")
        self.overwrite_check.setChecked(self.choices.overwrite)
        options.addWidget(self.overwrite_check)
        options.addStretch(1)
        grid.addLayout(options, 3, 1, 1, 2)
        grid.setColumnStretch(1, 1)
        root.addLayout(grid)

        bar = QHBoxLayout()
        bar.setSpacing(8)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setObjectName("renderProgress")
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setFormat("")
        self.progress_bar.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        bar.addWidget(self.progress_bar, 1)
        self.render_button = QPushButton("Render chosen", self)
        self.render_button.setObjectName("renderButton")
        self.render_button.setToolTip("Render the ticked clips and write the new timeline")
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setToolTip("Stop: the renders made so far are removed and no "
                                      "timeline is written")
        self.reveal_button = QPushButton("Show in folder", self)
        self.reveal_button.setToolTip("Show the new timeline in the file manager")
        self.close_button = QPushButton("Close", self)
        for button in (self.render_button, self.cancel_button, self.reveal_button,
                       self.close_button):
            bar.addWidget(button)
        root.addLayout(bar)
        self.status_label = status_label(self)
        root.addWidget(self.status_label)

    def _connect(self) -> None:
        self.browse_button.clicked.connect(self.browse)
        self.path_edit.returnPressed.connect(
            lambda: self.open_timeline(Path(self.path_edit.text().strip()))
            if self.path_edit.text().strip() else None)
        self.reload_button.clicked.connect(self.reload)
        self.fps_edit.editingFinished.connect(self._on_fps)
        self.search_edit.editingFinished.connect(self._on_search)
        self.search_button.clicked.connect(self._add_search)
        self.output_edit.textEdited.connect(self._on_output)
        self.media_edit.textEdited.connect(self._on_media)
        self.output_button.clicked.connect(self._browse_output)
        self.media_button.clicked.connect(self._browse_media)
        self.handles_spin.valueChanged.connect(lambda v: setattr(self.choices, "handles", v))
        self.codec_combo.currentIndexChanged.connect(
            lambda _i: setattr(self.choices, "codec", self.codec_combo.currentData()))
        self.overwrite_check.toggled.connect(lambda v: setattr(self.choices, "overwrite", v))
        self.table.tickChanged.connect(self._on_tick)
        self.table.previewClicked.connect(self.controller.preview)
        self.render_button.clicked.connect(self.render)
        self.cancel_button.clicked.connect(self.cancel)
        self.reveal_button.clicked.connect(self.reveal)
        self.close_button.clicked.connect(self.close)

    # ---------------------------------------------------------------- messages
    def show_status(self, text: str, kind: str = "info") -> None:
        label = self.status_label
        label.setText(text)
        label.setProperty("kind", kind)
        label.style().unpolish(label)
        label.style().polish(label)

    def status(self) -> str:
        return self.status_label.text()

    def status_kind(self) -> str:
        return str(self.status_label.property("kind") or "info")

    @property
    def busy(self) -> bool:
        return self.controller.render.busy

    def _update_enabled(self) -> None:
        busy = self.busy
        has = self.choices.timeline is not None and not self.controller.lister.busy
        for widget in (self.path_edit, self.browse_button, self.fps_edit, self.reload_button,
                       self.search_edit, self.search_button,
                       self.output_edit, self.output_button, self.media_edit,
                       self.media_button, self.handles_spin, self.codec_combo,
                       self.overwrite_check):
            widget.setEnabled(not busy)
        self.table.set_ticks_enabled(not busy)  # thumbnails and Preview stay usable
        self.render_button.setEnabled(has and not busy and bool(self.table.checked()))
        self.cancel_button.setEnabled(busy and not self.cancelling)
        self.reveal_button.setEnabled(self.result is not None and not busy)
        edl = self.choices.is_edl
        self.fps_label.setVisible(edl)
        self.fps_edit.setVisible(edl)

    # ---------------------------------------------------------------- timeline
    def browse(self) -> None:
        start = str(self.choices.timeline.parent) if self.choices.timeline else \
            last_folder(self.controller.panel.settings)
        path, _ = QFileDialog.getOpenFileName(self, "Open an editor's timeline", start,
                                              TIMELINE_FILTER)
        if path:
            self.open_timeline(Path(path))

    def open_timeline(self, path: Path) -> None:
        """Read ``path`` in a worker and list its slowed clips; the output fields go back to
        their defaults next to it."""
        if self.busy:
            return
        self.choices.timeline = Path(path)
        self.choices.output = None
        self.choices.media_dir = None
        self.choices.unchecked = set()
        self.result = None
        self.path_edit.setText(str(path))
        self.output_edit.setText(str(default_output(Path(path))))
        self.media_edit.clear()
        self._show_defaults()
        self.reload()

    def reload(self) -> None:
        path = self.choices.timeline
        if path is None or self.busy:
            return
        self.controller.thumbs.drop()
        self.table.show_rows([], set())
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("")
        try:
            rate = self.choices.rate()
        except UserInputError as exc:
            self.controller.lister.drop()
            self._update_enabled()
            self.show_status(str(exc), "error")
            return
        self.show_status(f"Reading {path.name}\u2026", "busy")
        self.controller.lister.start(ListWorker(path, rate, self.choices.search),
                                     finished=self._on_listed,
                                     failed=self._on_list_failed)
        self._update_enabled()

    def _on_listed(self, rows: list[ConformRow]) -> None:
        self.table.show_rows(rows, self.choices.unchecked)
        ok = sum(r.ok for r in rows)
        name = self.choices.timeline.name
        if not rows:
            self.show_status(f"{name}: no clip slowed below 100 % (constant speed) on its "
                             "video tracks: nothing to conform.")
        else:
            left = len(rows) - ok
            kept = f", {left} left as {'it is' if left == 1 else 'they are'} (see Status)"
            self.show_status(f"{name}: {len(rows)} slowed clip{'s' * (len(rows) != 1)}, "
                             f"{ok} to render{kept if left else ''}. Untick the ones to keep; "
                             "Preview loads one into the panel.", "ok")
        self._update_enabled()
        # every terminal signal handled: the slot lets go of the worker when it ends
        self.controller.thumbs.start(ThumbnailWorker(rows), progress=self._on_thumbnail,
                                     finished=self._no_op, failed=self._no_op,
                                     cancelled=self._no_op)
        self.listed.emit(len(rows))

    def _on_list_failed(self, message: str) -> None:
        self._update_enabled()
        self.show_status(message, "error")
        self.listFailed.emit(message)

    @staticmethod
    def _no_op(*_args) -> None:
        pass

    def _on_thumbnail(self, value) -> None:
        number, image = value
        self.table.set_thumbnail(number, image)

    def _on_fps(self) -> None:
        text = self.fps_edit.text().strip()
        if text != self.choices.edl_fps:
            self.choices.edl_fps = text
            self.reload()

    def _on_search(self) -> None:
        folders = tuple(Path(p.strip()) for p in self.search_edit.text().split(SEP) if p.strip())
        if folders != self.choices.search:
            self.choices.search = folders
            self.reload()

    def _add_search(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "A folder holding the timeline's media")
        if folder:
            self.search_edit.setText(SEP.join([*map(str, self.choices.search), folder]))
            self._on_search()

    def _on_tick(self, number: int, ticked: bool) -> None:
        if ticked:
            self.choices.unchecked.discard(number)
        else:
            self.choices.unchecked.add(number)
        i = self.table.row_index(number)
        if i is not None:
            self.table.set_status(number, self.table.status_text(self.table.rows[i],
                                                                 self.choices.unchecked))
        self._update_enabled()

    # ------------------------------------------------------------------ output
    def _show_defaults(self) -> None:
        media = self.choices.media_path()
        self.media_edit.setPlaceholderText(f"default: {media}" if media else "")

    def _on_output(self, text: str) -> None:
        self.choices.output = Path(text.strip()) if text.strip() else None
        self._show_defaults()

    def _on_media(self, text: str) -> None:
        self.choices.media_dir = Path(text.strip()) if text.strip() else None

    def _browse_output(self) -> None:
        current = self.choices.output_path()
        path, _ = QFileDialog.getSaveFileName(self, "The new timeline",
                                              str(current) if current else "", TIMELINE_FILTER)
        if path:
            self.output_edit.setText(path)
            self._on_output(path)

    def _browse_media(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder for the renders")
        if folder:
            self.media_edit.setText(folder)
            self._on_media(folder)

    # ------------------------------------------------------------------ render
    def render(self) -> None:
        """Plan and run the conform of the ticked clips in a worker."""
        if self.busy:
            return
        panel = self.controller.panel
        if panel.is_rendering():
            self.show_status("The panel is rendering: wait for it to finish, or cancel it, "
                             "then render the timeline.", "error")
            return
        try:
            options = self.choices.plan_options(self.table.checked())
            options["farm"] = panel.state.farm_options()  # the panel's Render on: here or Dask
        except UserInputError as exc:
            self.show_status(str(exc)[:1].upper() + str(exc)[1:] + ".", "error")
            return
        output = options["output"]
        if output.exists() and not self.choices.overwrite:
            self.show_status(f"{output.name} already exists in {output.parent}: choose another "
                             "name, or tick Overwrite to replace it.", "error")
            return
        self.result = None
        self.plan = None
        self.cancelling = False
        self.controller.thumbs.drop()
        self.controller.render.start(
            ConformWorker(options, panel.interpolators, panel.state.device),
            planned=self._on_planned, progress=self._on_progress, finished=self._on_finished,
            failed=self._on_failed, cancelled=self._on_cancelled)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("Preparing\u2026")
        where = (f" on the Dask cluster at {options['farm'].scheduler}"
                 if options["farm"] is not None else "")
        self.show_status(f"Rendering {len(options['chosen'])} clip"
                         f"{'s' * (len(options['chosen']) != 1)} of "
                         f"{self.choices.timeline.name}{where}\u2026", "busy")
        self._update_enabled()

    def _on_planned(self, plan) -> None:
        self.plan = plan
        for clip_plan in plan.plans:
            self.table.set_status(clip_plan.clip.number, "rendering\u2026" if clip_plan.ok
                                  else f"left as it is: {clip_plan.problem}")
        if plan.notices:
            self.show_status(" ".join(plan.notices), "busy")

    def _on_progress(self, progress) -> None:
        if self.cancelling or self.plan is None:
            return
        self.progress_bar.setValue(int(1000 * progress.fraction))
        self.progress_bar.setFormat(progress_text(progress, self.plan.plans))

    def cancel(self) -> None:
        if not self.busy or self.cancelling:
            return
        self.cancelling = True
        self.controller.render.stop()
        self.progress_bar.setFormat("Cancelling\u2026")
        self.show_status("Cancelling\u2026", "busy")
        self._update_enabled()

    def _on_finished(self, result) -> None:
        self.result = result
        self.cancelling = False
        done = {p.clip.number: p for p in result.plans}
        for row in self.table.rows:
            self.table.set_status(row.number, outcome(done[row.number]) if row.number in done
                                  else f"left as it was: {row.problem or 'not chosen'}")
        self.progress_bar.setValue(1000)
        self.progress_bar.setFormat(f"Done \u00b7 {len(result.rendered)} renders")
        media = self.plan.media_dir if self.plan is not None else result.output.parent
        notices = " ".join(self.plan.notices) if self.plan is not None else ""
        self.show_status(result_text(result, media, len(self.table.rows))
                         + f" Import {result.output} into your editor."
                         + (f" {notices}" if notices else ""), "ok")
        self._update_enabled()
        self.conformFinished.emit(result)

    def _on_failed(self, message: str) -> None:
        self._ended("Failed", message, "error")
        self.conformFailed.emit(message)

    def _on_cancelled(self) -> None:
        self._ended("Cancelled", "Conform cancelled: its renders were removed and no timeline "
                    "was written.")
        self.conformCancelled.emit()

    def _ended(self, label: str, message: str, kind: str = "info") -> None:
        self.cancelling = False
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat(label)
        for row in self.table.rows:
            self.table.set_status(row.number, self.table.status_text(row, self.choices.unchecked))
        self.show_status(message, kind)
        self._update_enabled()

    def reveal(self) -> None:
        if self.result is None:
            return
        if not self.result.output.exists():
            self.show_status(f"{self.result.output.name} is no longer in "
                             f"{self.result.output.parent}.", "error")
            return
        reveal_in_file_manager(self.result.output)

    # ------------------------------------------------------------------- close
    def closeEvent(self, event) -> None:  # noqa: N802
        """During a conform: ask (keep it, or cancel it: its renders are removed)."""
        if not self.controller.confirm_close():
            event.ignore()
            return
        self.controller.lister.drop()
        self.controller.thumbs.drop()
        self._update_enabled()
        event.accept()

    def reject(self) -> None:  # Esc
        self.close()
