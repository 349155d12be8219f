"""The network's hyper-parameters, stored with every weights file."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class ModelConfig:
    """Architecture choices; ``base`` selects the paper's plain blend or the flow base."""

    base: str = "flow"  # "flow" (motion-compensated, default) or "blend" (the paper)
    lstm_widths: tuple[int, int, int] = (8, 16, 32)
    bottleneck: int = 64
    flow_widths: tuple[int, ...] = (64, 32, 16)
    flow_cost_radii: tuple[int, ...] = ()  # bilateral search per flow level; () = none
    flow_seed_sharpness: float = 0.0  # > 0: the coarsest level starts from a soft-argmin match
    # Lucas-Kanade polish of the flow: (downscale, iterations, window) stages; () = none
    polish: tuple[tuple[int, int, int], ...] = ((2, 2, 7), (1, 1, 11))
    # frames above this many pixels get their flow estimated on a copy downscaled by 2^k
    # (as RIFE's scale option does for 4K), then upsampled and polished; 0: never
    flow_max_pixels: int = 0
    # the synthesis U-Net runs on frames downscaled by this (1 or 2); its residual is
    # upsampled back (the refinement net always sees full resolution)
    synthesis_scale: int = 1
    # edge strips that only one frame sees get the motion of their matched neighbours and
    # the frame that sees them (model/borders.py)
    edge_fill: bool = True
    # a second, global affine (camera) motion, kept where it matches better (model/candidates.py)
    global_motion: bool = True
    # the camera motion's choice: a majority over this square (px at half size; 1: per pixel)
    motion_vote: int = 31
    warp_mode: str = "bicubic"  # how I2 and I3 are resampled for the base: bilinear or bicubic
    refine_width: int = 12
    refine_blocks: int = 3
    se_reduction: int = 3
    multiple: int = field(default=32)  # inputs are padded to a multiple of this inside

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ModelConfig":
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known.setdefault("flow_cost_radii", ())  # files from before the cost volume (v1)
        known.setdefault("polish", ())           # files from before the polish (v1)
        known.setdefault("warp_mode", "bilinear")  # files from before the warp choice (v1)
        known.setdefault("edge_fill", False)       # files from before the edge fill (v3.1)
        known.setdefault("global_motion", False)   # files from before the global motion (v3.1)
        known.setdefault("motion_vote", 1)         # files from before the vote (v3.2)
        for key in ("lstm_widths", "flow_widths", "flow_cost_radii"):
            if key in known:
                known[key] = tuple(known[key])
        known["polish"] = tuple(tuple(int(v) for v in stage) for stage in known["polish"])
        cfg = cls(**known)
        if cfg.base not in ("flow", "blend"):
            raise ValueError(f"unknown base {cfg.base!r}")
        if cfg.synthesis_scale not in (1, 2):
            raise ValueError(f"synthesis_scale must be 1 or 2, not {cfg.synthesis_scale!r}")
        if cfg.multiple % (32 * cfg.synthesis_scale):
            raise ValueError(f"multiple {cfg.multiple} must be a multiple of "
                             f"{32 * cfg.synthesis_scale} (the synthesis U-Net reaches 1/32)")
        if cfg.warp_mode not in ("bilinear", "bicubic"):
            raise ValueError(f"unknown warp_mode {cfg.warp_mode!r}")
        return cfg
