"""Loading a clip: probing it, its proxy and filmstrip, and warming up the engine
(torch) in the background once a clip is on its way."""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QFileDialog

from vfi_plugin.hosts.base import ClipSelection
from vfi_plugin.media import MediaInfo
from vfi_plugin.session.naming import fit_size

from ..settings import add_recent_file, last_folder, set_last_folder
from ..threads import WorkerSlot, describe_error
from ..worker import PROXY_HEIGHT, CoreLoader, ProbeWorker, ProxyWorker

if TYPE_CHECKING:
    from ..panel import SlowMoPanel

CORE_LOAD_DELAY_MS = 250
VIDEO_FILTER = ("Video files (*.mp4 *.mov *.m4v *.mkv *.avi *.mxf *.webm *.mts *.m2ts *.ts "
                "*.mpg *.mpeg *.wmv *.flv *.y4m);;All files (*)")


def dropped_files(event) -> list[Path]:
    """The local files a drag carries (none: it is not for the panel)."""
    mime = event.mimeData()
    if mime is None or not mime.hasUrls():
        return []
    return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]


class ClipLoader(QObject):
    def __init__(self, panel: SlowMoPanel) -> None:
        super().__init__(panel)
        self.panel = panel
        self.probe = WorkerSlot(self)
        self.proxy_slot = WorkerSlot(self)
        self.core = WorkerSlot(self)
        self.proxy: Path | None = None          # the clip's low-res proxy, once made
        self.devices: list[str] | None = None   # usable devices, once the engine is loaded
        self._core_pending = False
        self._pending: ClipSelection | None = None

    def slots(self) -> list[WorkerSlot]:
        return [self.probe, self.proxy_slot, self.core]

    def browse(self) -> None:
        panel = self.panel
        if panel.renderer.refuse_while_rendering("another clip"):
            return
        path, _ = QFileDialog.getOpenFileName(panel, "Open a video clip",
                                              last_folder(panel.settings), VIDEO_FILTER)
        if path:
            panel.open_file(path)

    def use_host_clip(self) -> None:
        panel = self.panel
        name = getattr(panel.host, "name", "the host")
        if panel.renderer.refuse_while_rendering(f"the clip selected in {name}"):
            return
        try:
            selection = panel.host.current_clip()
        except Exception as exc:  # noqa: BLE001 - a host adapter's failure, in one line
            panel.show_message(f"{name} could not tell its selected clip: "
                               f"{describe_error(exc)}", "error")
            return
        if selection is None:
            panel.show_message(f"No clip is selected in {name}: select one there first.",
                               "error")
            return
        panel.open_file(selection.path, selection=selection)

    def open(self, path: str | os.PathLike, selection: ClipSelection | None = None) -> None:
        """Probe ``path`` in a worker; ``selection``: the host's clip and range, if any."""
        path = Path(path)
        self._pending = selection
        self.panel.show_message(f"Opening {path.name}\u2026", "busy")
        # an image sequence plays at the host's rate (a Nuke Read's), else 24 with a notice
        self.probe.start(ProbeWorker(path, selection.fps if selection is not None else None),
                         finished=self._on_probe_finished, failed=self._on_probe_failed)
        self.ensure_core()

    def _on_probe_finished(self, info) -> None:
        panel = self.panel
        if panel.closed or panel.renderer.refuse_while_rendering(info.path.name):
            return  # (a render may have started meanwhile)
        self.proxy_slot.drop()
        self.proxy = None
        selection, self._pending = self._pending, None
        panel.playback.stop()
        w, h = fit_size(*info.display_size, PROXY_HEIGHT)
        panel.decoder.set_media(info.path, info, (w, h))  # until the proxy is ready
        self._show(info, selection)
        set_last_folder(panel.settings, info.path.resolve().parent)
        add_recent_file(panel.settings, info.path)
        panel.timeline.set_busy("Making the filmstrip\u2026")
        self.proxy_slot.start(ProxyWorker(info), proxyReady=self._on_proxy_ready,
                              finished=self._on_proxy_finished, failed=self._on_proxy_failed)
        panel.timeline.setFocus(Qt.FocusReason.OtherFocusReason)
        panel.clipLoaded.emit(info)

    def _show(self, info: MediaInfo, selection: ClipSelection | None) -> None:
        """Show a probed clip, forgetting what belonged to the previous one: its preview,
        render result and progress, Reveal, and a ticked Replace."""
        panel = self.panel
        panel.preview.reset()
        panel.renderer.reset()
        panel.replace_check.setChecked(False)
        panel.state.info = info
        panel.state.selection = selection
        panel.timeline.set_clip(info.frame_count, info.fps)
        if selection is not None and info.frame_count >= 2:
            start = 0 if selection.start_frame is None else selection.start_frame
            end = info.frame_count if selection.end_frame is None else selection.end_frame
            panel.timeline.set_range(start, end - 1)
            panel.timeline.set_playhead(panel.timeline.in_frame)
        panel.folder_edit.setPlaceholderText(f"next to the source ({info.path.resolve().parent})")
        panel.state.name_auto = True
        panel.choices.suggest_name()
        panel.playback.show_frame()
        panel.preview.show_placeholder()
        panel.source.show_clip(info)
        panel.update_summary()
        panel.update_enabled()
        if info.frame_count < 2:
            panel.show_message(f"{info.path.name} has only one frame: there is nothing to "
                               "slow down.", "error")
        else:
            panel.show_message(f"Loaded {info.path.name}. Mark a range and press Render.")

    def _on_probe_failed(self, message: str) -> None:
        if self.panel.closed:
            return
        self.panel.show_message(message, "error")
        self.panel.clipFailed.emit(message)

    def _on_proxy_ready(self, value) -> None:
        proxy, proxy_info = value
        self.proxy = proxy
        self.panel.decoder.set_media(proxy, proxy_info, None)
        self.panel.playback.show_frame()
        self.panel.proxyReady.emit(proxy)

    def _on_proxy_finished(self, result) -> None:
        timeline = self.panel.timeline
        timeline.set_busy("")
        timeline.set_thumbnails(result.thumbnails)
        timeline.set_cuts(result.cuts)
        self.panel.thumbnailsReady.emit(len(result.thumbnails))

    def _on_proxy_failed(self, message: str) -> None:
        self.panel.timeline.set_busy("No filmstrip for this clip")
        self.panel.show_message(f"Could not make the preview proxy: {message}", "error")

    # -- the engine (torch) ---------------------------------------------------------
    def ensure_core(self) -> None:
        """Import the torch side of the core in the background (once), shortly after
        the current events: loading torch briefly holds Python's GIL, so it should not
        coincide with the window's first paint."""
        if self.devices is not None or self.core.busy or self._core_pending:
            return
        self._core_pending = True
        QTimer.singleShot(CORE_LOAD_DELAY_MS, self, self._start_core)

    def _start_core(self) -> None:
        self._core_pending = False
        if self.panel.closed or self.devices is not None or self.core.busy:
            return
        self.core.start(CoreLoader(), finished=self._on_core_ready, failed=self._on_core_failed)

    def _on_core_ready(self, devices: list) -> None:
        self.devices = list(devices)
        self.panel.choices.devices_found(self.devices)
        self.panel.coreReady.emit(self.devices)

    def _on_core_failed(self, message: str) -> None:
        self.devices = ["cpu"]
        self.panel.show_message(f"The slow-motion engine could not start: {message}", "error")
