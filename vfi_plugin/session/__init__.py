"""What a front-end holds between clicks, without Qt or torch: the panel's state model.

``PanelState`` (state.py) is the clip, range and retime and output choices; it
summarizes them, suggests an output name and makes the ``RenderRequest``.
``naming`` holds the text helpers (factors, rates, output names) it and the panel use.
"""
from __future__ import annotations

from .state import PanelState, Summary

__all__ = ["PanelState", "Summary"]
