"""The retime section: the slowdown (presets and a custom factor), constant or a speed
ramp (with the ramp presets), the mode, and the result the settings give (frames, length,
rate)."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (QButtonGroup, QDoubleSpinBox, QFrame, QHBoxLayout, QLabel, QMenu,
                               QPushButton, QRadioButton, QToolButton, QVBoxLayout, QWidget)

from vfi_plugin.session.naming import format_factor
from vfi_plugin.session.state import (MAX_FACTOR, MIN_FACTOR, MODES, PRESETS, RAMP_PRESETS,
                                      Summary, clamp_factor)

from . import section_grid


class RetimeSection(QFrame):
    factorChanged = Signal(float)   # a factor within the limits
    factorRefused = Signal(str)     # what was typed and what it became instead
    modeChanged = Signal(str)
    speedChanged = Signal(str)      # "constant" or "ramp"
    rampPreset = Signal(str)        # a RAMP_PRESETS name, or "clear"

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        grid = section_grid(self, "Retime")
        grid.addWidget(QLabel("Slowdown", self), 1, 0)
        presets = QHBoxLayout()
        presets.setSpacing(4)
        # Not in a QButtonGroup: Qt leaves only the checked button of a group in the Tab
        # chain, and each preset must be reachable with Tab. _sync_presets checks them.
        self.preset_buttons: dict[int, QPushButton] = {}
        for value in PRESETS:
            button = QPushButton(f"{value}\u00d7", self)
            button.setCheckable(True)
            button.setProperty("preset", True)
            button.setToolTip(f"{value} times slower")
            button.clicked.connect(lambda _=False, v=value: self.set_factor(v))
            self.preset_buttons[value] = button
            presets.addWidget(button)
        presets.addSpacing(6)
        self.factor_spin = QDoubleSpinBox(self)
        # wider than the allowed range, so that "100" can be typed (a narrower spin box
        # drops the last digit) and _on_factor_changed clamps it with a message
        self.factor_spin.setRange(0.0, 9999.99)
        self.factor_spin.setDecimals(2)
        self.factor_spin.setSingleStep(0.5)
        self.factor_spin.setSuffix(" \u00d7")
        self.factor_spin.setValue(2.0)
        self.factor_spin.setToolTip(
            f"Custom slowdown factor (more than 1, at most {format_factor(MAX_FACTOR)})")
        self.factor_spin.setKeyboardTracking(False)
        self.factor_spin.valueChanged.connect(self._on_factor_changed)
        presets.addWidget(self.factor_spin)
        presets.addSpacing(6)
        # Constant or a speed ramp: two push buttons, not a QButtonGroup (see above)
        self.speed_constant = QPushButton("Constant", self)
        self.speed_constant.setToolTip("The same slowdown all along the range")
        self.speed_ramp = QPushButton("Ramp", self)
        self.speed_ramp.setToolTip("A speed ramp: the speed changes along the clip (edit it in "
                                   "the lane under the timeline; presets slow down to the "
                                   "factor)")
        for button, kind in ((self.speed_constant, "constant"), (self.speed_ramp, "ramp")):
            button.setCheckable(True)
            button.setProperty("preset", True)
            button.clicked.connect(lambda _=False, k=kind: self.set_speed(k, emit=True))
            presets.addWidget(button)
        self.speed_constant.setChecked(True)
        self._speed = "constant"
        presets.addStretch(1)
        grid.addLayout(presets, 1, 1)
        grid.addWidget(QLabel("Mode", self), 2, 0)
        modes = QHBoxLayout()
        modes.setSpacing(18)
        self.mode_slowmo = QRadioButton("Slow motion", self)
        self.mode_slowmo.setToolTip("Same frame rate, the clip plays N times longer")
        self.mode_smooth = QRadioButton("Smooth", self)
        self.mode_smooth.setToolTip("Same length, N times the frame rate")
        self.mode_slowmo.setChecked(True)
        self.mode_group = QButtonGroup(self)
        self.mode_group.addButton(self.mode_slowmo)
        self.mode_group.addButton(self.mode_smooth)
        self.mode_slowmo.toggled.connect(lambda _checked: self.modeChanged.emit(self.mode()))
        modes.addWidget(self.mode_slowmo)
        modes.addWidget(self.mode_smooth)
        modes.addStretch(1)
        self.ramp_presets = QToolButton(self)
        self.ramp_presets.setText("Ramp presets \u25be")
        self.ramp_presets.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0; }")
        self.ramp_presets.setToolTip("Lay a ramp over the marked range, slowing down to the "
                                     "factor, or clear its keys")
        self.ramp_presets.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.ramp_presets)
        for name, label in (*RAMP_PRESETS.items(), ("clear", "Clear")):
            if name == "clear":
                menu.addSeparator()
            menu.addAction(label, lambda n=name: self.rampPreset.emit(n))
        self.ramp_presets.setMenu(menu)
        self.ramp_presets.setVisible(False)
        modes.addWidget(self.ramp_presets)
        grid.addLayout(modes, 2, 1)
        grid.addWidget(QLabel("Result", self), 3, 0, Qt.AlignmentFlag.AlignTop)
        result = QVBoxLayout()
        result.setSpacing(1)
        self.result_label = QLabel("\u2014", self)
        self.result_label.setObjectName("resultBig")
        self.result_detail = QLabel("", self)
        self.result_detail.setObjectName("hint")
        self.result_detail.setWordWrap(True)
        result.addWidget(self.result_label)
        result.addWidget(self.result_detail)
        grid.addLayout(result, 3, 1)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(4, 1)

    def factor(self) -> float:
        return float(self.factor_spin.value())

    def set_factor(self, value: float) -> None:
        self.factor_spin.setValue(float(value))
        self._sync_presets()

    def mode(self) -> str:
        return "smooth" if self.mode_smooth.isChecked() else "slowmo"

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        (self.mode_smooth if mode == "smooth" else self.mode_slowmo).setChecked(True)

    def speed(self) -> str:
        """"constant" (the factor all along) or "ramp"."""
        return self._speed

    def set_speed(self, kind: str, emit: bool = False) -> None:
        """Constant or ramp: a ramp plays at the source rate, so Smooth is off meanwhile."""
        ramp = kind == "ramp"
        changed = kind != self._speed
        self._speed = "ramp" if ramp else "constant"
        self.speed_ramp.setChecked(ramp)
        self.speed_constant.setChecked(not ramp)
        self.ramp_presets.setVisible(ramp)
        self.mode_smooth.setEnabled(not ramp)
        self.mode_smooth.setToolTip("A speed ramp plays at the source rate: slow motion only"
                                    if ramp else "Same length, N times the frame rate")
        if changed and emit:
            self.speedChanged.emit(self.speed())

    def show_summary(self, summary: Summary) -> None:
        self.result_label.setText(summary.result_text)
        self.result_detail.setText(summary.detail_text)

    def _sync_presets(self) -> None:
        value = self.factor_spin.value()
        for preset, button in self.preset_buttons.items():
            button.setChecked(abs(value - preset) < 1e-6)

    @Slot(float)
    def _on_factor_changed(self, value: float) -> None:
        if not MIN_FACTOR <= value <= MAX_FACTOR:
            kept = clamp_factor(value)
            self.factor_spin.setValue(kept)  # comes back here with the kept value
            limit = (f"at most {format_factor(MAX_FACTOR)}\u00d7" if value > MAX_FACTOR
                     else "more than 1\u00d7")
            self.factorRefused.emit(f"The slowdown must be {limit}: {format_factor(value)}\u00d7 "
                                    f"was changed to {format_factor(kept)}\u00d7.")
            return
        self._sync_presets()
        self.factorChanged.emit(float(value))
