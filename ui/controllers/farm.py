"""Where a render runs: this computer or a Dask cluster (the scheduler's address, checked
for reachability without blocking the window), and the export of a farm job bundle."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from PySide6.QtCore import QObject, QTimer
from PySide6.QtNetwork import QTcpSocket
from PySide6.QtWidgets import QFileDialog

from vfi_plugin.errors import UserInputError

from ..threads import Worker, WorkerSlot

if TYPE_CHECKING:
    from ..panel import SlowMoPanel

CHECK_TIMEOUT_MS = 3000
DASK_PORT = 8786


def scheduler_host_port(address: str) -> tuple[str, int]:
    """(host, port) of ``tcp://HOST:PORT`` (or ``HOST:PORT``, ``HOST``: port 8786)."""
    text = address.strip()
    parts = urlsplit(text if "://" in text else f"tcp://{text}")
    if not parts.hostname:
        raise UserInputError(f"not a scheduler address: '{address}' (use tcp://HOST:8786)")
    try:
        port = parts.port or DASK_PORT
    except ValueError:
        raise UserInputError(f"bad port in '{address}'") from None
    return parts.hostname, port


class BundleWorker(Worker):
    """Writes the job bundle (the input is probed and the render planned: off the GUI thread)."""

    def __init__(self, argv: list[str]) -> None:
        super().__init__()
        self.argv = argv

    def work(self) -> str:
        from vfi_plugin.farm.cmd_bundle import _bundle

        _bundle(self.argv)
        return self.argv[self.argv.index("--bundle") + 1]


class FarmController(QObject):
    def __init__(self, panel: SlowMoPanel) -> None:
        super().__init__(panel)
        self.panel = panel
        out = panel.output
        self.socket: QTcpSocket | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(lambda: self._checked(False, "no answer within "
                                                         f"{CHECK_TIMEOUT_MS // 1000} s"))
        self.slot = WorkerSlot(self)
        out.render_on_combo.currentIndexChanged.connect(self._on_render_on)
        out.scheduler_edit.textChanged.connect(self._on_address)
        out.check_button.clicked.connect(self.check)
        out.bundle_button.clicked.connect(self.export_bundle)

    def _on_render_on(self) -> None:
        where = self.panel.output.render_on()
        self.panel.state.render_on = where
        self.panel.output.show_render_on(where)

    def _on_address(self, text: str) -> None:
        self.panel.state.scheduler = text

    def check(self) -> None:
        """Try a TCP connection to the scheduler; the answer shows under the row."""
        try:
            host, port = scheduler_host_port(self.panel.state.scheduler)
        except UserInputError as exc:
            self.panel.show_message(str(exc), "error")
            return
        self._drop_socket()
        self.target = f"{host}:{port}"
        self.panel.show_message(f"reaching {self.target}\u2026")
        sock = self.socket = QTcpSocket(self)
        sock.connected.connect(lambda: self._checked(True, ""))
        sock.errorOccurred.connect(lambda _e: self._checked(False, sock.errorString()))
        self.timer.start(CHECK_TIMEOUT_MS)
        sock.connectToHost(host, port)

    def _checked(self, ok: bool, why: str) -> None:
        if self.socket is None:
            return
        self.timer.stop()
        self._drop_socket()
        if ok:
            self.panel.show_message(f"the scheduler at {self.target} answers")
        else:
            self.panel.show_message(f"cannot reach {self.target}: {why}", "error")

    def _drop_socket(self) -> None:
        sock, self.socket = self.socket, None
        if sock is not None:
            sock.blockSignals(True)
            sock.abort()
            sock.deleteLater()

    def export_bundle(self) -> None:
        """Ask for a folder and write this render's job bundle there."""
        try:
            self.panel.state.to_request()
        except UserInputError as exc:
            self.panel.show_message(str(exc), "error")
            return
        folder = QFileDialog.getExistingDirectory(self.panel, "Folder for the job bundle")
        if not folder:
            return
        argv = self.panel.state.bundle_argv(Path(folder))
        self.panel.show_message("writing the job bundle\u2026")
        self.slot.start(BundleWorker(argv), finished=self._bundle_written,
                        failed=lambda text: self.panel.show_message(text, "error"))

    def _bundle_written(self, folder: str) -> None:
        self.panel.show_message(f"wrote the job bundle {folder}: openjd run "
                                f"{folder}/template.yaml, or deadline bundle submit {folder}")
