"""Exact optical flow of a synthetic scene, the supervision target of the flow head.

The flow head predicts, for every pixel of the middle frame (t = T_REF), where the
content seen there was in I2 (t = 1) and in I3 (t = 2), as offsets in pixels: the
backward-warp flows ``f2, f3`` with ``base = mask * I2(x + f2) + (1 - mask) * I3(x + f3)``.
A synthetic scene knows them exactly: every layer moves by a similarity motion, so the
content at x at T_REF is at ``pivot + d(t) + exp(zoom dt) R(spin dt) (x - pivot)`` at t.
At each pixel the top-most layer that is mostly opaque at T_REF decides the motion.
"""
from __future__ import annotations

import math

import torch

from .synthetic import T_REF, Motion, Scene, _shape_distance

FLOW_TIMES = (1.0, 2.0)  # I2 and I3


def _motion_offsets(m: Motion, pivot: tuple[float, float], xs: torch.Tensor, ys: torch.Tensor,
                    times: tuple[float, ...]) -> torch.Tensor:
    """Where content at (xs, ys) at T_REF goes at each time, minus where it was: [2T, H, W]."""
    out = []
    for t in times:
        dt = t - T_REF
        s = math.exp(m.zoom * dt)
        c, si = math.cos(m.spin * dt) * s, math.sin(m.spin * dt) * s
        rx, ry = xs - pivot[0], ys - pivot[1]
        dx = m.vel[0] * dt + 0.5 * m.acc[0] * dt * dt
        dy = m.vel[1] * dt + 0.5 * m.acc[1] * dt * dt
        out.append(pivot[0] + dx + c * rx - si * ry - xs)
        out.append(pivot[1] + dy + si * rx + c * ry - ys)
    return torch.stack(out)


def scene_flow(scene: Scene, patch: int | tuple[int, int],
               times: tuple[float, ...] = FLOW_TIMES) -> torch.Tensor:
    """Exact backward flows from T_REF to each of ``times``: float32 [2 * len(times), H, W]
    as (dx, dy) per time, in output pixels (channels 0-1: to I2, 2-3: to I3 by default)."""
    h, w = (patch, patch) if isinstance(patch, int) else patch
    ys, xs = torch.meshgrid(torch.arange(h, dtype=torch.float64) + 0.5,
                            torch.arange(w, dtype=torch.float64) + 0.5, indexing="ij")
    if scene.static:
        return torch.zeros(2 * len(times), h, w)
    bg = scene.background
    flow = _motion_offsets(bg.motion, (w / 2.0, h / 2.0), xs, ys, times)
    for layer in scene.layers:
        # unit coords at T_REF, as render_scene computes them (dt = 0)
        ca, sa = math.cos(-layer.angle), math.sin(-layer.angle)
        rx, ry = xs - layer.pos[0], ys - layer.pos[1]
        ux = (ca * rx - sa * ry) / layer.radius
        uy = (sa * rx + ca * ry) / layer.radius
        dist = _shape_distance(layer.shape, layer.shape_params, ux[None], uy[None])[0]
        alpha = (dist * (layer.radius / layer.softness) + 0.5).clamp(0.0, 1.0)
        inside = alpha >= 0.5
        if bool(inside.any()):
            moved = _motion_offsets(layer.motion, layer.pos, xs, ys, times)
            flow = torch.where(inside[None], moved, flow)
    return flow.float()
