"""The host interface (kept for scripts and add-ons that import it from here): see
``vfi_plugin.hosts.base``."""
from __future__ import annotations

from .hosts.base import ClipSelection, ImportRequest, Host, FileHost, reveal_in_file_manager

__all__ = ["ClipSelection", "ImportRequest", "Host", "FileHost", "reveal_in_file_manager"]
