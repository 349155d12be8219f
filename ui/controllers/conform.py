"""The panel's "Open timeline...": its workers (read the timeline, decode the rows'
thumbnails, plan and run the conform), the choices kept between openings of the dialog,
and the Preview that loads one slowed clip into the panel."""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from vfi_plugin.errors import Cancelled
from vfi_plugin.hosts.base import ClipSelection
from vfi_plugin.session.conform import ConformChoices, ConformRow, list_rows
from vfi_plugin.session.naming import fit_size

from . import confirm_stop
from ..threads import Worker, WorkerSlot
from ..worker import frame_to_qimage

if TYPE_CHECKING:
    from ..conform_dialog import ConformDialog
    from ..panel import SlowMoPanel

THUMB_HEIGHT = 48


class ListWorker(Worker):
    """Reads a timeline and plans its slowed clips (nothing rendered): the dialog's rows."""

    def __init__(self, path: Path, rate, search: tuple[Path, ...] = ()) -> None:
        super().__init__()
        self.path, self.rate, self.search = Path(path), rate, tuple(search)

    def work(self) -> list[ConformRow]:
        return list_rows(self.path, self.rate, self.search)


class ThumbnailWorker(Worker):
    """Decodes each row's first shown media frame, small; ``progress`` carries
    (clip number, QImage) as each one lands."""

    def __init__(self, rows: list[ConformRow], height: int = THUMB_HEIGHT) -> None:
        super().__init__()
        self.rows = [r for r in rows if r.ok and r.media is not None and r.fps]
        self.height = height

    def work(self) -> int:
        from vfi_plugin.media import probe, read_frames

        done = 0
        for row in self.rows:
            self.check_cancel()
            try:
                info = probe(row.media)
                size = fit_size(*info.display_size, self.height)
                frame = min(row.first_frame, info.frame_count - 1)
                with read_frames(row.media, frame, frame + 1, size=size, info=info) as reader:
                    image = next((frame_to_qimage(f) for f in reader), None)
            except Exception:  # noqa: BLE001 - a clip without a thumbnail is still listed
                continue
            if image is not None:
                done += 1
                self.report((row.number, image), force=True)
        return done


class ConformWorker(Worker):
    """Plans the conform of the chosen clips (``planned`` carries the ConformPlan), then
    runs it with the panel's model; ``progress`` carries the job's Progress reports."""

    planned = Signal(object)

    def __init__(self, options: dict, cache, device: str) -> None:
        super().__init__()
        self.options, self.cache, self.device = options, cache, device
        self._token = None

    def cancel(self) -> None:
        super().cancel()
        token = self._token
        if token is not None:
            token.cancel()

    def work(self):
        from vfi_plugin.conform import ConformJob, plan_conform
        from vfi_plugin.jobs import CancelToken

        token = self._token = CancelToken()
        if self.is_cancelled():
            token.cancel()
        plan = plan_conform(**self.options, device=self.device)
        try:
            self.planned.emit(plan)
            here = self.options.get("farm") is None  # a cluster's workers load their own
            interpolator = (self.cache.get(self.device)
                            if self.cache is not None and plan.chosen and here else None)
            if token.cancelled:
                raise Cancelled("conform cancelled")
        except BaseException:
            plan.discard()
            raise
        return ConformJob(plan, self._on_progress, token, interpolator).run()

    def _on_progress(self, progress) -> None:
        self.report(progress, force=progress.stage != "rendering"
                    or progress.done >= progress.total)


class ConformController(QObject):
    """Owns the conform's worker slots (joined by the panel's shutdown) and its dialog."""

    def __init__(self, panel: SlowMoPanel) -> None:
        super().__init__(panel)
        self.panel = panel
        self.choices = ConformChoices()
        self.lister = WorkerSlot(self)
        self.thumbs = WorkerSlot(self)
        self.render = WorkerSlot(self)
        self.dialog: ConformDialog | None = None
        self._preview: tuple[Path, ConformRow] | None = None
        panel.clipLoaded.connect(self._on_clip_loaded)
        panel.clipFailed.connect(lambda _text: setattr(self, "_preview", None))

    def slots(self) -> list[WorkerSlot]:
        return [self.lister, self.thumbs, self.render]

    def open_dialog(self, path: str | os.PathLike | None = None) -> ConformDialog:
        """Show the dialog (one per panel, kept between openings); ``path``: read it."""
        from ..conform_dialog import ConformDialog

        if self.dialog is None:
            self.dialog = ConformDialog(self, self.panel)
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        if path is not None:
            self.dialog.open_timeline(Path(path))
        return self.dialog

    def preview(self, row: ConformRow) -> None:
        """Load the row's media into the panel over the frames its render uses, at factor
        1/speed, so that the panel's preview plays it."""
        if not row.can_preview:
            return
        self._preview = (row.media, row)
        self.panel.open_file(row.media, ClipSelection(row.media, row.start_frame, row.end_frame,
                                                      row.fps, row.name))

    def _on_clip_loaded(self, info) -> None:
        pending, self._preview = self._preview, None
        if pending is None or Path(info.path) != Path(pending[0]):
            return
        self.panel.set_mode("slowmo")
        self.panel.set_factor(float(pending[1].factor))
        self.panel.show_message(f"Loaded {pending[1].name} (clip {pending[1].number} of the "
                                f"timeline) at {pending[1].speed_text}: press P to preview its "
                                "slow motion.")

    def confirm_close(self) -> bool:
        """Ask before closing during a conform: keep it (False) or cancel it (True)."""
        worker = self.render.worker
        if worker is None:
            return True
        parent = self.dialog if self.dialog is not None and self.dialog.isVisible() \
            else self.panel
        if not confirm_stop(parent, "Conform running", "The timeline's clips are still rendering.",
                            "Closing now cancels the conform: its renders are removed and no "
                            "timeline is written.", "Cancel conform"):
            return False
        if self.dialog is not None:
            self.dialog.cancel()
        else:
            self.render.stop()
        return True
