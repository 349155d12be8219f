"""Constant or a speed ramp: the Retime section's choice and presets, the ramp lane's keys
into the panel's state, and the lane shown only while Ramp is chosen.

A ramp plays at the source rate, so choosing Ramp sets the mode to Slow motion (Smooth is
off meanwhile) and choosing Constant again gives back the mode that was chosen before.
A ramp is laid over the marked range when first chosen (Ease in-out down to the factor);
its keys are kept while Constant is chosen, and forgotten when another clip opens.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from vfi_plugin.engine.ramp import RampKey
from vfi_plugin.errors import UserInputError

from ..ramp_lane import LANE_H

if TYPE_CHECKING:
    from ..panel import SlowMoPanel

FIRST_PRESET = "ease-in-out"


class RampController(QObject):
    def __init__(self, panel: SlowMoPanel) -> None:
        super().__init__(panel)
        self.panel = panel
        self.kept: tuple[RampKey, ...] | None = None  # the ramp's keys while Constant is chosen
        self._mode_before = "slowmo"
        self._view_min = panel.source_view.minimumHeight()
        panel.retime.speedChanged.connect(self._on_speed)
        panel.retime.rampPreset.connect(self.apply_preset)
        panel.ramp_lane.keysChanged.connect(self._on_keys)
        panel.clipLoaded.connect(self._on_clip)

    def set_speed(self, kind: str) -> None:
        """"constant" (the factor all along) or "ramp" (the keys in the lane)."""
        if kind not in ("constant", "ramp"):
            raise ValueError("speed must be 'constant' or 'ramp'")
        self.panel.retime.set_speed(kind)
        self._on_speed(kind)

    def set_keys(self, keys) -> None:
        """Make ``keys`` (``RampKey``s, seconds on the clip) the ramp (Ramp is chosen)."""
        keys = tuple(sorted(keys, key=lambda k: k.time))
        if self.panel.state.ramp is None:
            self.kept = keys
            self.set_speed("ramp")
        self.panel.ramp_lane.set_keys(keys)
        self._on_keys(keys)

    def apply_preset(self, name: str) -> None:
        """A ramp preset over the marked range down to the factor, or "clear" (no keys)."""
        if name == "clear":
            self.set_keys(())
            return
        try:
            keys = self.panel.state.ramp_preset(name)
        except UserInputError as exc:
            self.panel.show_message(str(exc)[:1].upper() + str(exc)[1:] + ".", "error")
            return
        self.set_keys(keys)

    def _on_speed(self, kind: str) -> None:
        panel, state = self.panel, self.panel.state
        ramp = kind == "ramp"
        if ramp == (state.ramp is not None):
            return
        if ramp:
            self._mode_before = state.mode
            panel.set_mode("slowmo")
            keys = self.kept
            if keys is None:
                keys = state.ramp_preset(FIRST_PRESET) if state.has_clip else ()
            state.ramp = tuple(keys)
            panel.ramp_lane.set_keys(keys)
        else:
            self.kept, state.ramp = state.ramp, None
            if self._mode_before != "slowmo":
                panel.set_mode(self._mode_before)
        self._show_lane(ramp)
        self._changed()

    def _show_lane(self, shown: bool) -> None:
        """The lane under the timeline takes its height from the viewers' smallest, so the
        window's smallest size stays the same (it fits a 1280x720 screen)."""
        panel = self.panel
        panel.ramp_lane.setVisible(shown)
        room = LANE_H + panel.layout().spacing() if shown else 0
        for view in (panel.source_view, panel.preview_view):
            view.setMinimumHeight(max(40, self._view_min - room))

    def _on_keys(self, keys: tuple) -> None:
        self.panel.state.ramp = tuple(keys)
        self._changed()

    def _on_clip(self, _info) -> None:
        """Keys belong to a clip: another clip starts from the first preset again."""
        self.kept = None
        state = self.panel.state
        if state.ramp is not None:
            state.ramp = state.ramp_preset(FIRST_PRESET) if state.has_clip else ()
            self.panel.ramp_lane.set_keys(state.ramp)
            self._changed()

    def _changed(self) -> None:
        panel = self.panel
        panel.choices.suggest_name()
        panel.update_summary()
        panel.preview.settings_changed()
