"""The render: the marked range in full resolution in a worker, its progress on the bar,
Cancel, the result handed to the host, Reveal, and the question before quitting."""
from __future__ import annotations

import dataclasses
import os
import shutil
import sys
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from vfi_plugin.errors import UserInputError
from vfi_plugin.hosts.base import ClipSelection, ImportRequest, reveal_in_file_manager
from vfi_plugin.session import PanelState
from vfi_plugin.session.naming import format_fps, ramp_text, seconds_text

from . import confirm_stop
from ..threads import WorkerSlot, describe_error
from ..worker import RenderWorker

if TYPE_CHECKING:
    from ..panel import SlowMoPanel


def notes(notices: tuple[str, ...], job: PanelState | None) -> str:
    """The core's notices on a render (what was not kept, what was assumed) as sentences,
    without the source's path the panel already shows."""
    prefix = f"{job.info.path}: " if job is not None and job.info is not None else None
    texts = [n[len(prefix):] if prefix and n.startswith(prefix) else n for n in notices]
    return "".join(f" {t[:1].upper()}{t[1:]}." for t in texts if t)


class RenderController(QObject):
    def __init__(self, panel: SlowMoPanel) -> None:
        super().__init__(panel)
        self.panel = panel
        self.slot = WorkerSlot(self)
        self.job: PanelState | None = None  # what the running (or last) render was asked
        self.cancelling = False
        self.last_output: Path | None = None
        self.last_result = None

    @property
    def busy(self) -> bool:
        return self.slot.busy

    def reset(self) -> None:
        """Forget the last render (a new clip): its result, Reveal, the bar's words."""
        self.last_output = None
        self.last_result = None
        self.job = None
        self.panel.render_bar.show_state("Ready")

    def refuse_while_rendering(self, what: str) -> bool:
        """While a render runs the panel keeps its clip (the render's progress, result and
        host import belong to it): say so, and True, instead of opening ``what``."""
        worker = self.slot.worker
        if worker is None:
            return False
        job = self.job
        clip = job.info.path.name if job is not None and job.info is not None else "a clip"
        self.panel.show_message(
            f"Cannot open {what} while {clip} is rendering (to {Path(worker.request.output).name}"
            "): wait for the render to finish, or Cancel it, then open again.", "error")
        return True

    def start(self) -> None:
        """Render the marked range in a worker (the panel's signals report how it went)."""
        panel, state = self.panel, self.panel.state
        if self.slot.busy:
            return
        if state.info is None:
            panel.show_message("Open a clip first.", "error")
            return
        if state.name_auto:
            panel.choices.suggest_name()  # a file may have appeared since (a previous render)
        else:
            panel.choices.fit_name(announce=False)  # in the field; "Rendering <name>" says it too
        output = state.output_path()
        if output is not None and output.exists() and not state.replace:
            panel.show_message(f"{output.name} already exists in {output.parent}: choose another "
                               "name, or tick Replace to overwrite it.", "error")
            return
        try:
            request = state.to_request()
        except UserInputError as exc:
            panel.show_message(str(exc)[:1].upper() + str(exc)[1:] + ".", "error")
            return
        panel.preview.drop()  # playback may go on: it is cheap
        self.slot.start(RenderWorker(request, panel.interpolators),
                        progress=self._on_progress, finished=self._on_finished,
                        failed=self._on_failed, cancelled=self._on_cancelled)
        self.job = state.snapshot()
        self.cancelling = False
        self._show_preparing()
        panel.show_message(f"Rendering {Path(request.output).name}\u2026", "busy")
        panel.update_enabled()
        panel.loader.ensure_core()
        panel.renderStarted.emit()

    def _show_preparing(self) -> None:
        """Until the first frame: words on the bar (a busy bar shows none, and loading the
        model can take a while)."""
        device = self.panel.state.device
        if device == "auto":
            devices = self.panel.loader.devices
            device = devices[0] if devices else ""
        self.panel.render_bar.show_state("Preparing\u2026" if self.panel.interpolators.has(device)
                                         else "Loading the model\u2026")

    def cancel(self) -> None:
        if not self.slot.busy or self.cancelling:
            return
        self.cancelling = True
        self.slot.stop()
        self.panel.render_bar.progress_bar.setFormat("Cancelling\u2026")
        self.panel.show_message("Cancelling\u2026", "busy")
        self.panel.update_enabled()

    def _on_progress(self, p) -> None:
        bar = self.panel.render_bar
        if p.stage == "preparing" and p.done == 0:
            if not self.cancelling:
                self._show_preparing()
        else:
            if p.stage == "finishing":
                text = f"{p.done} / {p.total} frames \u00b7 finishing the file\u2026"
            else:
                text = (f"{p.done} / {p.total} frames \u00b7 {p.fps:.1f} fps \u00b7 "
                        f"ETA {seconds_text(p.eta_s)}")
            bar.show_state("Cancelling\u2026" if self.cancelling else text, p.fraction)
        self.panel.renderProgress.emit(p)

    def _on_finished(self, result) -> None:
        panel = self.panel
        self.cancelling = False
        self.last_output = Path(result.output)
        self.last_result = result
        panel.render_bar.show_state(f"Done \u00b7 {result.frames} frames", 1.0)
        text = (f"Done: {self.last_output.name} \u2014 {result.frames} frames "
                f"({result.duration_s:.2f} s at {format_fps(result.fps)} fps), "
                f"rendered in {result.seconds:.1f} s." + notes(result.notices, self.job))
        kind = "ok"
        try:
            panel.host.import_result(self.import_request(result))
        except Exception as exc:  # noqa: BLE001 - the render itself worked
            text += (f" {getattr(panel.host, 'name', 'The host')} could not import it: "
                     f"{describe_error(exc)}")
            kind = "error"
        panel.show_message(text, kind)
        panel.choices.suggest_name()
        panel.update_enabled()
        panel.renderFinished.emit(result)

    def import_request(self, result) -> ImportRequest:
        """What the host gets: the output and the clip/range/factor (or ramp) it was made
        from (as asked when the render started, whatever the panel shows now)."""
        job = self.job or self.panel.state
        info, host_selection = job.info, job.selection
        if info is None:
            selection = None
        elif host_selection is not None and host_selection.path == info.path:
            selection = dataclasses.replace(host_selection, start_frame=job.start,
                                            end_frame=job.end, fps=info.fps)
        else:
            selection = ClipSelection(info.path, job.start, job.end, info.fps, info.path.name)
        ramp = job.range_ramp() if job.ramp else None
        if ramp is None:
            return ImportRequest(Path(result.output), selection, Fraction(job.factor_text),
                                 job.mode, result.frames, result.fps)
        slowest = Fraction(ramp.max_factor).limit_denominator(1000)
        return ImportRequest(Path(result.output), selection, slowest, job.mode, result.frames,
                             result.fps, ramp_text(job.ramp))

    def _on_failed(self, message: str) -> None:
        self._ended("Failed", message, "error")
        self.panel.renderFailed.emit(message)

    def _on_cancelled(self) -> None:
        self._ended("Cancelled", "Render cancelled: nothing was written.")
        self.panel.renderCancelled.emit()

    def _ended(self, label: str, message: str, kind: str = "info") -> None:
        self.cancelling = False
        self.panel.render_bar.show_state(label)
        self.panel.show_message(message, kind)
        self.panel.update_enabled()

    def reveal(self) -> None:
        """Show the last output in the file manager, or say why that cannot be done."""
        output = self.last_output
        if output is None:
            return
        if not output.exists():
            self.panel.show_message(f"{output.name} is no longer in {output.parent}.", "error")
            return
        # the program vfi_plugin.hosts.base.reveal_in_file_manager starts (it fails silently)
        program = ("open" if sys.platform == "darwin" else "explorer" if os.name == "nt"
                   else "xdg-open")
        if shutil.which(program) is None:
            self.panel.show_message(f"No file manager could be started ({program} was not "
                                    f"found): {output.name} is in {output.parent}.", "error")
            return
        reveal_in_file_manager(output)

    def confirm_close(self) -> bool:
        """Ask before the window around the panel closes during a render: keep rendering
        (False: do not close) or cancel the render (True: the panel's shutdown then waits
        for it to clean up, leaving nothing behind). True at once when no render runs."""
        worker = self.slot.worker
        if worker is None or self.panel.closed:  # closed: shutdown() has cancelled it
            return True
        if not confirm_stop(self.panel, "Render running",
                            f"{Path(worker.request.output).name} is still rendering.",
                            "Quitting now cancels the render; nothing of it is kept.",
                            "Cancel render and quit"):
            return False
        self.cancel()
        return True
