"""SlowMo core: neural slow motion for video editors (no Qt in here).

Stable API::

    from vfi_plugin import load_interpolator, render
    interp = load_interpolator()            # shipped weights, device "auto"
    mid = interp.midpoint(f1, f2, f3, f4)   # HxWx3 uint8 frames
    render("in.mp4", "out.mp4", factor=4, start="00:00:01.500", end=3.2)

Heavy modules (torch) load on first use, so importing the package is cheap.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["load_interpolator", "render", "RenderJob", "RenderRequest", "CancelToken", "Progress",
           "__version__"]

if TYPE_CHECKING:
    from .engine import load_interpolator
    from .jobs import CancelToken, Progress, RenderJob, RenderRequest, render


def __getattr__(name: str) -> Any:
    if name == "load_interpolator":
        from .engine import load_interpolator
        return load_interpolator
    if name in ("render", "RenderJob", "RenderRequest", "CancelToken", "Progress"):
        from . import jobs
        return getattr(jobs, name)
    raise AttributeError(f"module 'vfi_plugin' has no attribute {name!r}")
