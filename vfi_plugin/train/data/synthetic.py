"""Synthetic motion over real photographs with exact ground truth at any time t.

A scene is a background photo seen through a moving similarity "camera" (pan, zoom,
rotation, slight acceleration) plus 0-3 foreground layers: patches cut from other photos
with soft analytic alpha shapes (ellipse, convex polygon, blob), each with its own motion,
composited in order (occlusion). Everything is a continuous function of t, so any frame
(t = 0, 1, 2, 3 for I1..I4, t = 1.5 for the target, or any other t) is rendered by the
same code: bilinear sampling of the photo at the patch size with ``grid_sample``.
Optional motion blur averages sub-times within a shutter interval; optional brightness
change multiplies frame t by exp(gain * (t - 1.5)).

Conventions: output pixel (row i, column j) has its centre at (x, y) = (j + 0.5, i + 0.5);
source pixel k has its centre at k + 0.5, so an integer-pixel motion at scale 1 copies
pixels exactly. Motions are of the *content*, in output pixels per frame, relative to
t = T_REF = 1.5.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Collection, Iterator, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import IterableDataset, get_worker_info

from .split import EVAL_PHOTOS

PHOTO_EXTS = (".jpg", ".jpeg", ".png")
T_REF = 1.5                           # motions are expressed relative to this time
FRAME_TIMES = (0.0, 1.0, 2.0, 3.0)    # I1..I4
TARGET_TIMES = (1.5,)                 # I2.5
FIT_TIMES = tuple(np.linspace(-0.5, 3.5, 17).tolist())  # times kept inside the photo
LAYER_PROBS = (0.3, 0.3, 0.25, 0.15)  # P(0, 1, 2, 3 foreground layers)
SCALE_RANGE = (1.25, 2.0)  # source px per output px (>1: no half-pixel blur bias)
MAX_SPIN = 0.08            # rad/frame
MAX_ZOOM = 0.06            # log-scale/frame
P_BLUR = 0.2               # motion blur, of moving samples
P_GAIN = 0.2               # brightness change, of moving samples
P_STATIC_CAMERA = 0.25     # moving samples whose background stays still


# --------------------------------------------------------------------------- photos
class PhotoBank:
    """Photos held in memory as uint8 [3, H, W] tensors at two levels: long side
    <= max_side, and that downscaled 2x (antialiased), for random zoom-outs."""

    def __init__(self, images: Sequence[torch.Tensor], names: Sequence[str] | None = None) -> None:
        if not images:
            raise ValueError("no photos")
        self.levels: list[tuple[torch.Tensor, torch.Tensor]] = []
        for img in images:
            img = img.contiguous()
            half = F.interpolate(img[None].float(), scale_factor=0.5, mode="bilinear",
                                 antialias=True, align_corners=False)[0]
            self.levels.append((img, half.round().clamp(0, 255).to(torch.uint8)))
        self.names = list(names) if names is not None else [str(i) for i in range(len(images))]

    @classmethod
    def from_dir(cls, photos_dir: str | os.PathLike[str], max_side: int = 960,
                 only: Collection[str] | None = None,
                 exclude: Collection[str] = EVAL_PHOTOS) -> "PhotoBank":
        """Load the JPG/PNGs in `photos_dir` (sorted by name): those named in `only` if
        given, else all but `exclude` (by default the EVAL photos, never trained on)."""
        from PIL import Image

        d = Path(photos_dir)
        files = sorted(p for p in d.glob("*") if p.suffix.lower() in PHOTO_EXTS) if d.is_dir() else []
        files = [p for p in files if p.name in only] if only is not None else \
            [p for p in files if p.name not in set(exclude)]
        if not files:
            raise FileNotFoundError(
                f"{d}: no photos; run `python -m vfi_plugin.train.data.fetch` first")
        images = []
        for p in files:
            with Image.open(p) as im:
                if im.format == "JPEG":
                    k = max(1, max(im.size) // max_side)
                    im.draft("RGB", (im.width // k, im.height // k))
                im = im.convert("RGB")
                if max(im.size) > max_side:
                    s = max_side / max(im.size)
                    im = im.resize((max(1, round(im.width * s)), max(1, round(im.height * s))),
                                   Image.LANCZOS, reducing_gap=3.0)
                arr = np.asarray(im, dtype=np.uint8)
            images.append(torch.from_numpy(arr.copy()).permute(2, 0, 1).contiguous())
        return cls(images, [p.name for p in files])

    def __len__(self) -> int:
        return len(self.levels)

    def get(self, photo: int, level: int) -> torch.Tensor:
        return self.levels[photo][level]


# --------------------------------------------------------------------------- scene
@dataclass
class Motion:
    """Similarity motion of content about a pivot, relative to T_REF (output px units):
    x(t) = pivot + exp(zoom dt) R(spin dt) (x0 - pivot) + vel dt + acc dt^2 / 2."""

    vel: tuple[float, float] = (0.0, 0.0)   # px/frame
    acc: tuple[float, float] = (0.0, 0.0)   # px/frame^2
    spin: float = 0.0                       # rad/frame
    zoom: float = 0.0                       # log-scale/frame

    def scaled(self, f: float) -> "Motion":
        return Motion((self.vel[0] * f, self.vel[1] * f), (self.acc[0] * f, self.acc[1] * f),
                      self.spin * f, self.zoom * f)


@dataclass
class Background:
    """The photo seen by the camera: at T_REF the patch centre shows source point
    `center` (level coordinates), `scale` source px per output px, rotated by `angle`."""

    photo: int
    level: int
    center: tuple[float, float]
    scale: float
    angle: float = 0.0
    motion: Motion = field(default_factory=Motion)


@dataclass
class Layer:
    """A foreground patch: texture around `tex_center` of a photo, `tex_scale` source px
    per output px, shown in a soft shape of `radius` output px centred at `pos` (at T_REF)."""

    photo: int
    level: int
    tex_center: tuple[float, float]
    tex_scale: float
    pos: tuple[float, float]
    radius: float
    angle: float
    shape: str                       # "ellipse" | "polygon" | "blob"
    shape_params: tuple[float, ...]
    softness: float = 1.0            # edge width in output px
    motion: Motion = field(default_factory=Motion)


@dataclass
class Scene:
    """Everything needed to render any time t; `static` scenes render identical frames."""

    background: Background
    layers: list[Layer] = field(default_factory=list)
    gain: float = 0.0        # log brightness change per frame
    shutter: float = 0.0     # exposure as a fraction of the frame interval
    n_sub: int = 1           # sub-times averaged for motion blur
    static: bool = False
    kind: str = "moving"     # "identical" | "near" | "moving" (for statistics)


# --------------------------------------------------------------------------- rendering
def _content_inverse(m: Motion, pivot: tuple[float, float], dt: torch.Tensor
                     ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per time: (scale^-1 [n], angle [n] of the inverse rotation, shift d(t) [n, 2])."""
    inv_s = torch.exp(-m.zoom * dt)
    ang = -m.spin * dt
    d = torch.stack([m.vel[0] * dt + 0.5 * m.acc[0] * dt * dt,
                     m.vel[1] * dt + 0.5 * m.acc[1] * dt * dt], -1)
    return inv_s, ang, d + torch.tensor(pivot, dtype=dt.dtype)


def _affine(s: torch.Tensor, ang: torch.Tensor, origin: torch.Tensor, src0: torch.Tensor
            ) -> tuple[torch.Tensor, torch.Tensor]:
    """src = src0 + s R(ang) (x - origin) as (A [n, 2, 2], b [n, 2])."""
    c, si = torch.cos(ang) * s, torch.sin(ang) * s
    A = torch.stack([torch.stack([c, -si], -1), torch.stack([si, c], -1)], -2)
    b = src0 - torch.einsum("nij,nj->ni", A, origin)
    return A, b


def _apply(A: torch.Tensor, b: torch.Tensor, xs: torch.Tensor, ys: torch.Tensor
           ) -> tuple[torch.Tensor, torch.Tensor]:
    """Map the pixel-centre grid (xs [W], ys [H]) by each affine: ([n, H, W], [n, H, W])."""
    A, b = A.to(xs.dtype), b.to(xs.dtype)
    a = A[:, :, :, None, None]
    sx = a[:, 0, 0] * xs + a[:, 0, 1] * ys[:, None] + b[:, 0, None, None]
    sy = a[:, 1, 0] * xs + a[:, 1, 1] * ys[:, None] + b[:, 1, None, None]
    return sx, sy


def _sample(img: torch.Tensor, sx: torch.Tensor, sy: torch.Tensor, pad: str) -> torch.Tensor:
    """Bilinear samples of a uint8 [3, H, W] photo at source coords [n, h, w] -> [n, 3, h, w]."""
    n, h, w = sx.shape
    H, W = img.shape[-2:]
    x0 = int(max(0, math.floor(float(sx.min())) - 1))
    x1 = int(min(W, math.ceil(float(sx.max())) + 2))
    y0 = int(max(0, math.floor(float(sy.min())) - 1))
    y1 = int(min(H, math.ceil(float(sy.max())) + 2))
    if x1 - x0 < 2 or y1 - y0 < 2:  # entirely outside: sample the whole photo (padding)
        x0, x1, y0, y1 = 0, W, 0, H
    crop = img[:, y0:y1, x0:x1].float().div_(255.0)
    gx = (sx - x0) * (2.0 / (x1 - x0)) - 1.0
    gy = (sy - y0) * (2.0 / (y1 - y0)) - 1.0
    grid = torch.stack([gx, gy], -1).permute(1, 0, 2, 3).reshape(1, h, n * w, 2)
    out = F.grid_sample(crop[None], grid, mode="bilinear", padding_mode=pad, align_corners=False)
    return out[0].view(3, h, n, w).permute(2, 0, 1, 3)


def _shape_distance(shape: str, params: tuple[float, ...], ux: torch.Tensor, uy: torch.Tensor
                    ) -> torch.Tensor:
    """Approximate signed distance to the shape's edge in unit-radius coords (>0 inside)."""
    if shape == "ellipse":
        a, b = params
        rho = torch.sqrt((ux / a) ** 2 + (uy / b) ** 2)
        return (1.0 - rho) * min(a, b)
    if shape == "polygon":  # convex: vertices on the unit circle at the given angles
        ang = torch.tensor(params, dtype=ux.dtype)
        vx, vy = torch.cos(ang), torch.sin(ang)
        nx, ny = vx + vx.roll(-1), vy + vy.roll(-1)  # edge normals (outward, unnormalised)
        norm = torch.sqrt(nx * nx + ny * ny).clamp_min(1e-6)
        nx, ny = nx / norm, ny / norm
        c = nx * vx + ny * vy
        d = c[:, None, None, None] - (nx[:, None, None, None] * ux + ny[:, None, None, None] * uy)
        return d.amin(0)
    if shape == "blob":  # r(phi) = r0 (1 + sum a_k cos(k phi + p_k)), k = 2..
        r0, *rest = params
        phi = torch.atan2(uy, ux)
        r = torch.ones_like(phi)
        for k, (a, p) in enumerate(zip(rest[0::2], rest[1::2]), start=2):
            r = r + a * torch.cos(k * phi + p)
        return r0 * r - torch.sqrt(ux * ux + uy * uy)
    raise ValueError(f"unknown shape {shape!r}")


def _frame_hw(patch: int | tuple[int, int]) -> tuple[int, int]:
    """(height, width) of a frame size given as an int (square) or (height, width)."""
    if isinstance(patch, (tuple, list)):
        h, w = patch
        return int(h), int(w)
    return int(patch), int(patch)


def render_scene(scene: Scene, photos: PhotoBank, times: Sequence[float],
                 patch: int | tuple[int, int]) -> torch.Tensor:
    """Render `scene` at `times` -> float32 [len(times), 3, H, W] in [0, 1].

    `patch` is the frame size: an int P for P x P (as in training) or (H, W). The frame's
    centre (W/2, H/2) is the background's pivot and shows its `center` at T_REF."""
    h, w = _frame_hw(patch)
    times_l = [float(t) for t in times]
    if scene.static:
        one = _render_sharp(scene, photos, torch.tensor([T_REF], dtype=torch.float64), patch)
        return one.expand(len(times_l), -1, -1, -1).clone()
    k = max(1, int(scene.n_sub)) if scene.shutter > 0 else 1
    offs = (np.linspace(-0.5, 0.5, k) * scene.shutter) if k > 1 else np.zeros(1)
    sub = torch.tensor([t + o for t in times_l for o in offs], dtype=torch.float64)
    out = _render_sharp(scene, photos, sub, patch)
    if k > 1:
        out = out.view(len(times_l), k, 3, h, w).mean(1)
    if scene.gain:
        g = torch.exp(scene.gain * (torch.tensor(times_l) - T_REF)).to(out.dtype)
        out = out * g[:, None, None, None]
    return out.clamp_(0.0, 1.0)


def _render_sharp(scene: Scene, photos: PhotoBank, t: torch.Tensor,
                  patch: int | tuple[int, int]) -> torch.Tensor:
    """Unblurred frames at times `t` [n] -> [n, 3, H, W] (`patch` as in render_scene)."""
    dt = t - T_REF
    h, w = _frame_hw(patch)
    xs = torch.arange(w, dtype=torch.float32) + 0.5
    ys = torch.arange(h, dtype=torch.float32) + 0.5
    bg = scene.background
    img = photos.get(bg.photo, bg.level)
    inv_s, ang, origin = _content_inverse(bg.motion, (w / 2.0, h / 2.0), dt)
    A, b = _affine(bg.scale * inv_s, bg.angle + ang, origin,
                   torch.tensor(bg.center, dtype=torch.float64).expand(len(t), 2))
    sx, sy = _apply(A, b, xs, ys)
    out = _sample(img, sx, sy, "reflection")
    for layer in scene.layers:
        m = layer.motion
        inv_s, ang, origin = _content_inverse(m, layer.pos, dt)
        # local unit coords u = R(-(angle + spin dt)) e^(-zoom dt) (x - pos - d) / radius
        A, b = _affine(inv_s / layer.radius, ang - layer.angle, origin,
                       torch.zeros(len(t), 2, dtype=torch.float64))
        ux, uy = _apply(A, b, xs, ys)
        dist = _shape_distance(layer.shape, layer.shape_params, ux, uy)
        px = (layer.radius / inv_s).float()[:, None, None] / layer.softness
        alpha = (dist * px + 0.5).clamp_(0.0, 1.0)
        if not bool((alpha > 0).any()):
            continue
        k = layer.tex_scale * layer.radius
        tex = photos.get(layer.photo, layer.level)
        color = _sample(tex, layer.tex_center[0] + k * ux, layer.tex_center[1] + k * uy, "border")
        a = alpha[:, None]
        out = out * (1.0 - a) + color * a
    return out


# --------------------------------------------------------------------------- random scenes
def _log_uniform(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(math.exp(rng.uniform(math.log(lo), math.log(hi))))


def _random_motion(rng: np.random.Generator, disp: float, radius: float, accelerate: bool
                   ) -> Motion:
    """A motion whose largest displacement within `radius` of the pivot is about `disp`
    px/frame (at most `disp` when `accelerate` is False), split over pan, spin and zoom."""
    if disp <= 0:
        return Motion()
    w = np.array([1.0, 0.0, 0.0]) if rng.random() < 0.5 else rng.dirichlet([2.0, 0.7, 0.7])
    spin = min(MAX_SPIN, disp * float(w[1]) / radius) * float(rng.choice([-1.0, 1.0]))
    zoom = min(MAX_ZOOM, disp * float(w[2]) / radius) * float(rng.choice([-1.0, 1.0]))
    speed = disp - (abs(spin) + abs(zoom)) * radius  # what spin/zoom do not use
    th = float(rng.uniform(0, 2 * math.pi))
    vel = (speed * math.cos(th), speed * math.sin(th))
    acc = (0.0, 0.0)
    if accelerate and rng.random() < 0.4:
        f = float(rng.uniform(-0.15, 0.15))
        acc = (vel[0] * f + float(rng.normal(0, 0.03)) * speed,
               vel[1] * f + float(rng.normal(0, 0.03)) * speed)
    return Motion(vel, acc, spin, zoom)


def _fit_background(bg: Background, img_hw: tuple[int, int], patch: int, times: Sequence[float],
                    u: tuple[float, float]) -> Background:
    """Place (and if needed shrink the scale, then the motion of) the background so the
    patch stays inside the photo at all `times`; u in [0,1)^2 picks the position."""
    H, W = img_hw
    corners = torch.tensor([[0.0, 0.0], [patch, 0.0], [0.0, patch], [patch, patch]],
                           dtype=torch.float64)
    t = torch.tensor(list(times), dtype=torch.float64)
    half = patch / 2.0
    for _ in range(12):
        inv_s, ang, origin = _content_inverse(bg.motion, (half, half), t - T_REF)
        A, b = _affine(bg.scale * inv_s, bg.angle + ang, origin, torch.zeros(len(t), 2,
                                                                            dtype=torch.float64))
        pts = torch.einsum("nij,kj->nki", A, corners) + b[:, None]
        lo, hi = pts.amin((0, 1)), pts.amax((0, 1))
        span = hi - lo
        if span[0] <= W - 2 and span[1] <= H - 2:
            cx = float(-lo[0] + 1 + u[0] * (W - 2 - span[0]))
            cy = float(-lo[1] + 1 + u[1] * (H - 2 - span[1]))
            bg.center = (cx, cy)
            return bg
        if bg.scale > 1.0:
            bg.scale = max(1.0, bg.scale * 0.85)
        else:
            bg.motion = bg.motion.scaled(0.7)
    bg.center = (W / 2.0, H / 2.0)  # could not fit: reflection padding fills the rest
    return bg


def random_scene(rng: np.random.Generator, photos: PhotoBank, patch: int, still_fraction: float,
                 max_disp: float, extra_times: Sequence[float] = (), min_disp: float = 1.0) -> Scene:
    """Draw a random scene. Samples are "identical" (still_fraction / 2: nothing changes),
    "near" (still_fraction / 2: every pixel moves < 1 px/frame) or "moving" (displacements
    log-uniform in [min_disp, max_disp] px/frame). All random draws happen before any fitting,
    so a given rng gives the same scene for any requested times within [0, 3]."""
    r = rng.random()
    kind = "identical" if r < still_fraction / 2 else ("near" if r < still_fraction else "moving")
    n_photos = len(photos)
    radius_bg = patch / math.sqrt(2.0)

    def disp_for(moving_share: float) -> float:
        if kind == "identical":
            return 0.0
        if kind == "near":
            return float(rng.uniform(0.0, 0.9))
        if rng.random() < moving_share:
            return _log_uniform(rng, min_disp, max(min_disp, max_disp))
        return float(rng.uniform(0.0, 1.0))

    # background
    photo = int(rng.integers(n_photos))
    level = int(rng.random() < 0.4)
    if min(photos.get(photo, level).shape[-2:]) < patch * SCALE_RANGE[0] * 1.2:
        level = 0
    d_bg = 0.0 if (kind == "moving" and rng.random() < P_STATIC_CAMERA) else disp_for(1.0)
    bg_motion = _random_motion(rng, d_bg, radius_bg, accelerate=kind == "moving")
    bg = Background(photo, level, (0.0, 0.0), _log_uniform(rng, *SCALE_RANGE),
                    0.0 if rng.random() < 0.5 else float(rng.uniform(-math.pi, math.pi)),
                    bg_motion)
    u_bg = (float(rng.random()), float(rng.random()))

    # foreground layers
    n_layers = int(rng.choice(len(LAYER_PROBS), p=LAYER_PROBS))
    if kind == "moving" and d_bg == 0.0:
        n_layers = max(1, n_layers)
    layers = []
    for _ in range(n_layers):
        others = [i for i in range(n_photos) if i != photo] or [photo]
        lp = int(others[int(rng.integers(len(others)))])
        llevel = int(rng.random() < 0.3)
        radius = float(rng.uniform(0.12, 0.35)) * patch
        tex_scale = _log_uniform(rng, *SCALE_RANGE)
        shape_r = rng.random()
        if shape_r < 0.35:
            shape, params = "ellipse", (float(rng.uniform(0.5, 1.0)), float(rng.uniform(0.5, 1.0)))
        elif shape_r < 0.7:
            n = int(rng.integers(3, 8))  # jittered around a regular polygon: convex,
            step = 2 * math.pi / n         # all gaps < pi so it contains the centre
            ang = rng.uniform(0, step) + step * (np.arange(n) + rng.uniform(-0.2, 0.2, n))
            params = tuple(float(a) for a in ang)
            shape = "polygon"
        else:
            amps = rng.uniform(0, 0.12, 3)
            params = (float(rng.uniform(0.75, 0.9)),) + tuple(
                float(v) for a in amps for v in (a, rng.uniform(0, 2 * math.pi)))
            shape = "blob"
        d_l = disp_for(0.85)
        motion = _random_motion(rng, d_l, radius * 1.1, accelerate=kind == "moving")
        pos = (float(rng.uniform(0.1, 0.9)) * patch, float(rng.uniform(0.1, 0.9)) * patch)
        u_tex = (float(rng.random()), float(rng.random()))
        layer = Layer(lp, llevel, (0.0, 0.0), tex_scale, pos, radius,
                      float(rng.uniform(-math.pi, math.pi)), shape, params,
                      float(rng.uniform(0.5, 2.0)), motion)
        H, W = photos.get(lp, llevel).shape[-2:]
        reach = 1.25 * radius  # texture radius needed, in output px (times tex_scale)
        layer.tex_scale = min(layer.tex_scale, max(0.5, (min(H, W) / 2 - 2) / reach))
        rr = layer.tex_scale * reach
        layer.tex_center = (rr + u_tex[0] * max(0.0, W - 2 * rr),
                            rr + u_tex[1] * max(0.0, H - 2 * rr))
        layers.append(layer)

    # blur and brightness (drawn unconditionally to keep the stream of draws fixed)
    blur_r, shutter, gain_r, gain = rng.random(), rng.uniform(0.25, 1.0), rng.random(), 0.0
    gain_v = rng.uniform(-0.06, 0.06)
    scene = Scene(bg, layers, kind=kind, static=kind == "identical")
    if kind == "moving":
        if gain_r < P_GAIN:
            gain = float(gain_v)
        top = max([d_bg] + [math.hypot(*l.motion.vel) for l in layers])
        if blur_r < P_BLUR and top * shutter >= 1.0:
            scene.shutter = float(shutter)
            scene.n_sub = int(min(8, max(2, math.ceil(top * shutter / 4.0) + 1)))
    elif kind == "near" and gain_r < P_GAIN / 2:
        gain = float(gain_v / 3)
    scene.gain = gain

    fit_times = list(FIT_TIMES) + [float(t) for t in extra_times]
    if scene.shutter:
        fit_times += [t + o for t in extra_times for o in (-scene.shutter / 2, scene.shutter / 2)]
    H, W = photos.get(photo, level).shape[-2:]
    scene.background = _fit_background(bg, (H, W), patch, fit_times, u_bg)
    return scene


# --------------------------------------------------------------------------- dataset
class IndexedSamples(IterableDataset):
    """An endless stream of ``self.sample(i)`` for i = start, start+1, ...; each DataLoader
    worker takes every num_workers-th index, so workers never repeat each other."""

    start: int = 0

    def sample(self, index: int) -> dict[str, torch.Tensor]:
        raise NotImplementedError

    def __iter__(self) -> Iterator[dict[str, torch.Tensor]]:
        info = get_worker_info()
        wid, nw = (info.id, info.num_workers) if info is not None else (0, 1)
        i = self.start + wid
        while True:
            yield self.sample(i)
            i += nw


class SyntheticMotion(IndexedSamples):
    """Endless stream of synthetic samples {"frames": [4, 3, P, P], "target": [3, P, P]}
    (float32 in [0, 1]; frames at t = 0, 1, 2, 3, target at t = 1.5).

    Sample `i` depends only on (seed, i); DataLoader worker w of n yields i = start + w,
    start + w + n, ... so workers never repeat each other. `times` other than (1.5,) add
    "targets" [T, 3, P, P] and "times" [T] to each sample ("target" is times[0]);
    `with_flow` adds the exact "flow" [4, P, P] from t = 1.5 to I2 and I3 (see
    exact_flow.py) and "flow_valid" (1.0).
    """

    def __init__(self, photos_dir: str | os.PathLike[str] | None, patch: int = 128, seed: int = 0,
                 still_fraction: float = 0.33, max_disp: float = 40.0, *, min_disp: float = 1.0,
                 times: Sequence[float] = TARGET_TIMES, frame_times: Sequence[float] = FRAME_TIMES,
                 start: int = 0, photo_max_side: int = 960, photos: PhotoBank | None = None,
                 with_flow: bool = False) -> None:
        super().__init__()
        self.with_flow = bool(with_flow)
        self.photos = photos if photos is not None else PhotoBank.from_dir(photos_dir, photo_max_side)
        self.patch = int(patch)
        self.seed = int(seed)
        self.still_fraction = float(still_fraction)
        self.max_disp = float(max_disp)
        self.min_disp = float(min_disp)
        self.times = tuple(float(t) for t in times)
        self.frame_times = tuple(float(t) for t in frame_times)
        self.start = int(start)

    def scene(self, index: int, times: Sequence[float] = ()) -> Scene:
        """The random scene of sample `index` (deterministic in seed and index)."""
        rng = np.random.default_rng([self.seed, int(index)])
        extra = [t for t in times if not 0.0 <= t <= 3.0]
        return random_scene(rng, self.photos, self.patch, self.still_fraction, self.max_disp,
                            extra, self.min_disp)

    def sample(self, index: int, times: Sequence[float] | None = None,
               frame_times: Sequence[float] | None = None) -> dict[str, torch.Tensor]:
        """Sample `index`, optionally at other target/frame times."""
        tt = tuple(float(t) for t in (times if times is not None else self.times))
        ft = tuple(float(t) for t in (frame_times if frame_times is not None else self.frame_times))
        scene = self.scene(index, ft + tt)
        out = render_scene(scene, self.photos, ft + tt, self.patch)
        sample = {"frames": out[:len(ft)], "target": out[len(ft)]}
        if self.with_flow:  # exact flows from the target time to I2 and I3 (exact_flow.py)
            from .exact_flow import scene_flow

            sample["flow"] = scene_flow(scene, self.patch)
            sample["flow_valid"] = torch.tensor(1.0)
        if tt != TARGET_TIMES:
            sample["targets"] = out[len(ft):]
            sample["times"] = torch.tensor(tt, dtype=torch.float32)
        return sample
