"""Guard against a reference-count bug of PySide6 6.12.0 on CPython < 3.12.

Those bindings return ``None`` from every void method (``setText``, ``update``,
``QTimer.start``, ``processEvents`` ...) and ``True`` from ``Signal.emit`` and
``connect`` without taking a reference, so each call takes one reference away
from the interpreter's ``None`` / ``True``. From Python 3.12 on these objects
are immortal and nothing happens; on 3.10/3.11 the count reaches zero after a
few hundred thousand calls (minutes of preview playback) and the process dies
with "Fatal Python error: none_dealloc" (measured here: -200 per 200 calls of
``QLabel.setText``; PySide6 6.11.2 loses nothing).

``apply()`` measures whether this PySide6 loses references and, only if it
does, gives ``None``, ``True`` and ``False`` a reserve of 2**40 references (the
effect of 3.12's immortality: these objects are never freed anyway). The real
fix is a PySide6 without the bug (the project should exclude 6.12.0 on Python
< 3.12); then this is a no-op. Imported for its effect by every ui module that
uses Qt.
"""
from __future__ import annotations

import ctypes
import sys

RESERVE = 1 << 40
_state = {"checked": False, "patched": False}


def _lost_references() -> tuple[int, int]:
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(64):
        probe.setObjectName("")
        probe.ping.emit()
    lost = none_before - sys.getrefcount(None), true_before - sys.getrefcount(True)
    del probe
    return lost


def apply() -> bool:
    """Check this PySide6 once; patch the counts if it loses references. True if patched."""
    if _state["checked"]:
        return _state["patched"]
    _state["checked"] = True
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    lost_none, lost_true = _lost_references()
    if lost_none < 32 and lost_true < 32:
        return False
    for obj in (None, True, False):
        ctypes.c_ssize_t.from_address(id(obj)).value += RESERVE
    _state["patched"] = True
    return True


def patched() -> bool:
    return _state["patched"]


apply()
