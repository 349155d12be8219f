"""Interpolation quality as motion grows (not part of the tests): synthetic scenes with
exact ground truth, built from the held-out EVAL photos, scored for the methods of
benchmarks/quality.py at 1280x720 and 1920x1080, plus their speed at those sizes.
Writes docs/motion.md and prints the same markdown.

    .venv/bin/python benchmarks/motion.py                     # everything (long on 2 cores)
    .venv/bin/python benchmarks/motion.py --quick --methods blend,slowmo --out /tmp/motion.md
    .venv/bin/python benchmarks/motion.py --kinds zoom,rotate --sizes 1280x720 --displacements 8,64

Protocol:

* Photos: vfi_plugin.train.data.split.EVAL_PHOTOS only (never trained on), loaded by
  ``PhotoBank.from_dir(<data dir>/photos, max_side=1280, only=EVAL_PHOTOS)``. Background
  p (``--photos N``: the first N of EVAL_PHOTOS, default 1) with the layer textured from
  the EVAL photo before it (cyclically). A cell's PSNR is the mean over the N backgrounds.
* Frames: ``render_scene`` (exact in continuous time, bilinear sampling of the photo, no
  blur, no brightness change) at t = 0, 1, 2, 3 (inputs) and t = 1.5 (truth), rounded to
  uint8. In quality.py's 2x convention these are frames t-3, t-1, t+1, t+3 and the dropped
  frame t (quality time = 2 (t - 1.5)): every method gets the four as its ``x2`` window.
* Displacement d: how far content moves between the two middle inputs (t = 1 and t = 2):
  - translate-x, translate-y, translate-diagonal: the whole view moves d px along x, y,
    or (d, d)/sqrt(2).
  - zoom (in) and rotate, both about the frame centre: the largest displacement of a
    pixel of the frame, that of the truth frame's corner pixel centres at distance
    R = sqrt((W-1)^2 + (H-1)^2) / 2 from the centre: zoom z = 2 asinh(d / 2R) log-scale per
    frame (the corner point goes from R e^(-z/2) to R e^(z/2)); spin 2 asin(d / 2R) rad per
    frame (a chord of length d).
  - layer: a soft ellipse (radius 0.2 H, 2 px edge) textured from another EVAL photo,
    centred at T_REF, moving d px along x over a still background; layer-opposite: the
    same over a background moving d px the other way (2d relative motion at its edge).
* Background scale (source px per output px, at most 1: the photo is upsampled, never
  aliased): one per photo and frame size, the largest that keeps the view of every kind
  inside the photo over t in [0, 3] at max(96, largest --displacements) px; so within a
  size each photo shows the same content at every displacement. The view's centre shows
  the photo's centre at t = 1.5. Layer texture scale: the same, or less if the photo is
  too small.
* PSNR: peak 255, mean squared error over all pixels and channels of the uint8 midpoint
  against the uint8 truth; exact frames score infinity (shown as "∞"; so do means that
  include one).
* Speed: seconds per interpolated frame at each size on an 8-frame translate-x sequence
  (16 px/frame, t = -2 .. 5), every method in the same process, in rounds (a warm-up round,
  then --speed-repeats rounds, each method once per round), the median reported; torch
  uses --threads threads. Methods time as in quality.py (minterpolate: one ffmpeg call
  over the 8 frames divided by the frames it interpolated).
* Goals, per displacement, on the mean over kinds and sizes: SlowMo within 1 dB of
  RIFE 4.2x (or ahead) at every d <= 64 px, and above 30 dB at d > 64 px (96 px).
"""
from __future__ import annotations

import argparse
import datetime as _dt
import math
import os
import shlex
import sys
import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import quality  # noqa: E402  (benchmarks/quality.py: methods, psnr, cpu_name)
from vfi_plugin.train.data.split import EVAL_PHOTOS  # noqa: E402
from vfi_plugin.train.data.synthetic import (T_REF, Background, Layer, Motion,  # noqa: E402
                                             PhotoBank, Scene, render_scene)

KINDS = ("translate-x", "translate-y", "translate-diagonal", "zoom", "rotate", "layer",
         "layer-opposite")
LAYER_KINDS = ("layer", "layer-opposite")
DISPLACEMENTS = (0, 2, 4, 8, 16, 32, 64, 96)
SIZES = ((1280, 720), (1920, 1080))                  # (width, height)
QUICK_SIZES = ((640, 360),)
QUICK_DISPLACEMENTS = (0, 4, 16, 64, 96)
QUICK_SPEED_REPEATS = 1
INPUT_TIMES = (0.0, 1.0, 2.0, 3.0)
TRUTH_TIME = T_REF                                   # 1.5
FIT_TIMES = tuple(np.linspace(0.0, 3.0, 13).tolist())
FIT_DISP = 96.0          # the scale fits every kind at max(FIT_DISP, largest displacement)
PHOTO_MAX_SIDE = 1280
MARGIN = 2.0             # source px kept between the view and the photo's edge
LAYER_RADIUS = 0.2       # of the frame height
LAYER_SHAPE = ("ellipse", (1.0, 0.75))
LAYER_SOFTNESS = 2.0     # edge width, output px
SPEED_DISP = 16.0
SPEED_TIMES = tuple(float(t) for t in range(-2, 6))  # 8 frames; [2:6] are t = 0..3
NEAR_DB = 1.0            # goal: SlowMo at most this far behind RIFE 4.2x ...
NEAR_UP_TO = 64.0        # ... at every displacement up to this
FLOOR_DB = 30.0          # goal: SlowMo above this beyond NEAR_UP_TO

Size = tuple[int, int]                                 # (width, height)
Cell = tuple[Size, str, float]                         # (size, kind, displacement)


# ---------------------------------------------------------------------------- scenes
def corner_radius(size: Size) -> float:
    """Distance from the frame centre to a corner pixel's centre."""
    w, h = size
    return 0.5 * math.hypot(w - 1, h - 1)


def background_motion(kind: str, disp: float, size: Size) -> Motion:
    """The background's motion for `kind` at displacement `disp` (see the Protocol)."""
    d = float(disp)
    if kind == "translate-x":
        return Motion(vel=(d, 0.0))
    if kind == "translate-y":
        return Motion(vel=(0.0, d))
    if kind == "translate-diagonal":
        return Motion(vel=(d / math.sqrt(2.0), d / math.sqrt(2.0)))
    r2 = 2.0 * corner_radius(size)
    if kind == "zoom":
        return Motion(zoom=2.0 * math.asinh(d / r2))
    if kind == "rotate":
        if d > r2:
            raise ValueError(f"rotate: {d} px exceeds the frame's diameter {r2:.0f}")
        return Motion(spin=2.0 * math.asin(d / r2))
    if kind == "layer":
        return Motion()
    if kind == "layer-opposite":
        return Motion(vel=(-d, 0.0))
    raise ValueError(f"unknown kind {kind!r}; choose from {', '.join(KINDS)}")


def view_half_extent(kind: str, disp: float, size: Size) -> tuple[float, float]:
    """Half-extents (x, y) about the view's source centre, at background scale 1, of
    what the frame shows at any time in FIT_TIMES."""
    m = background_motion(kind, disp, size)
    w, h = size
    corners = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [-w / 2, h / 2], [w / 2, h / 2]])
    ex = ey = 0.0
    for t in FIT_TIMES:
        dt = t - T_REF
        shift = np.array([m.vel[0] * dt + 0.5 * m.acc[0] * dt * dt,
                          m.vel[1] * dt + 0.5 * m.acc[1] * dt * dt])
        a, s = -m.spin * dt, math.exp(-m.zoom * dt)
        rot = s * np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
        src = (corners - shift) @ rot.T
        ex, ey = max(ex, float(np.abs(src[:, 0]).max())), max(ey, float(np.abs(src[:, 1]).max()))
    return ex, ey


def fit_scale(photo_hw: tuple[int, int], size: Size, max_disp: float = FIT_DISP) -> float:
    """The background scale (<= 1) at which every kind's view stays inside a photo of
    `photo_hw` (H, W) at displacement max(FIT_DISP, max_disp)."""
    ph, pw = photo_hw
    d = max(FIT_DISP, float(max_disp))
    s = 1.0
    for kind in KINDS:
        ex, ey = view_half_extent(kind, d, size)
        s = min(s, (pw - 2 * MARGIN) / (2 * ex), (ph - 2 * MARGIN) / (2 * ey))
    return s


def build_scene(kind: str, disp: float, size: Size, photos: PhotoBank, background: int = 0,
                texture: int = 1, scale: float | None = None) -> Scene:
    """The scene of `kind` at displacement `disp` px for frames of `size` (W, H): photo
    `background` behind, layers textured from photo `texture`. `scale` (source px per
    output px) defaults to ``fit_scale`` of the background photo at this displacement."""
    w, h = size
    img = photos.get(background, 0)
    ph, pw = img.shape[-2:]
    if scale is None:
        scale = fit_scale((ph, pw), size, disp)
    bg = Background(background, 0, (pw / 2.0, ph / 2.0), float(scale),
                    motion=background_motion(kind, disp, size))
    layers = []
    if kind in LAYER_KINDS:
        radius = LAYER_RADIUS * h
        th, tw = photos.get(texture, 0).shape[-2:]
        reach = radius + LAYER_SOFTNESS  # texture needed around its centre, output px
        tex_scale = min(float(scale), (min(th, tw) / 2.0 - MARGIN) / reach)
        layers.append(Layer(texture, 0, (tw / 2.0, th / 2.0), tex_scale, (w / 2.0, h / 2.0),
                            radius, 0.0, LAYER_SHAPE[0], LAYER_SHAPE[1], LAYER_SOFTNESS,
                            Motion(vel=(float(disp), 0.0))))
    return Scene(bg, layers, kind=kind)


def to_uint8(frames: torch.Tensor) -> list[np.ndarray]:
    """float [N, 3, H, W] in [0, 1] -> N uint8 HxWx3 arrays."""
    u8 = frames.mul(255.0).round_().clamp_(0, 255).to(torch.uint8).permute(0, 2, 3, 1)
    return [f.contiguous().numpy() for f in u8]


def render_frames(scene: Scene, photos: PhotoBank, size: Size
                  ) -> tuple[list[np.ndarray], np.ndarray]:
    """The four uint8 inputs (t = 0, 1, 2, 3) and the uint8 truth (t = 1.5)."""
    w, h = size
    out = to_uint8(render_scene(scene, photos, INPUT_TIMES + (TRUTH_TIME,), (h, w)))
    return out[:4], out[4]


def load_photos(photos_dir: Path) -> tuple[PhotoBank, list[int]]:
    """The EVAL photos, and their bank indices in EVAL_PHOTOS order."""
    bank = PhotoBank.from_dir(photos_dir, max_side=PHOTO_MAX_SIDE, only=EVAL_PHOTOS)
    return bank, [bank.names.index(n) for n in EVAL_PHOTOS if n in bank.names]


# ---------------------------------------------------------------------------- running
def build_available(keys: Sequence[str], weights: Sequence[Path], log: Callable[[str], None]
                    ) -> tuple[list[quality.Method], dict[str, str]]:
    """quality.py's methods for `keys`; those that fail to load are returned as
    {key: reason} instead (e.g. RIFE when its wheels cannot be downloaded)."""
    methods: list[quality.Method] = []
    missing: dict[str, str] = {}
    for key in keys:
        try:
            methods.extend(quality.build_methods([key], list(weights)))
        except Exception as e:  # noqa: BLE001 - any loading failure: report, go on
            missing[key] = f"{type(e).__name__}: {e}"
            log(f"{key}: unavailable ({missing[key]})")
    return methods, missing


def method_id(m: quality.Method) -> str:
    """What identifies a method's results in the cache: its key, and for SlowMo the
    checksum of the weights' tensors and their config (same file name, new weights:
    new results)."""
    meta = getattr(m, "meta", None)
    if meta is None:
        return m.key
    import hashlib

    config = hashlib.sha256(str(sorted(meta["config"].items())).encode()).hexdigest()
    return f"slowmo:{meta['sha256'][:16]}:{config[:8]}"


class ResultCache:
    """PSNRs already measured, kept in a JSON file between runs (``--cache``), keyed by
    method id, size, photo, kind and displacement: the reference methods are measured
    once, later runs only score new weights. No file: nothing is kept."""

    def __init__(self, path: Path | None) -> None:
        import json

        self.path = path
        self.data: dict[str, float] = (json.loads(path.read_text())
                                       if path is not None and path.is_file() else {})

    @staticmethod
    def key(m: quality.Method, size: Size, photo: str, kind: str, d: float) -> str:
        return f"{method_id(m)}|{size[0]}x{size[1]}|{photo}|{kind}|{d:g}"

    def get(self, key: str) -> float | None:
        return self.data.get(key)

    def put(self, key: str, value: float) -> None:
        import json

        self.data[key] = value
        if self.path is not None:
            tmp = self.path.with_name(self.path.name + ".tmp")
            tmp.write_text(json.dumps(self.data, indent=0, sort_keys=True))
            tmp.replace(self.path)


def evaluate(methods: list[quality.Method], photos: PhotoBank, order: list[int],
             sizes: Sequence[Size], kinds: Sequence[str], disps: Sequence[float], n_bg: int,
             log: Callable[[str], None], cache: ResultCache | None = None
             ) -> tuple[dict[Cell, dict[str, float]], dict[str, float], dict[str, str]]:
    """PSNR per cell and method key (mean over backgrounds), the background scales used
    ({"<size> <photo>": scale}) and methods that failed while running ({key: reason})."""
    cache = cache or ResultCache(None)
    raw: dict[Cell, dict[str, list[float]]] = {}
    scales: dict[str, float] = {}
    failed: dict[str, str] = {}
    fit_d = max(disps)
    total = len(sizes) * n_bg * len(kinds) * len(disps)
    done = 0
    for size in sizes:
        for p in range(n_bg):
            bg, tex = order[p % len(order)], order[(p - 1) % len(order)]
            scale = fit_scale(tuple(photos.get(bg, 0).shape[-2:]), size, fit_d)
            scales[f"{size[0]}x{size[1]} {photos.names[bg]}"] = scale
            for kind in kinds:
                for d in disps:
                    start = time.perf_counter()
                    frames = truth = None
                    cell = raw.setdefault((size, kind, d), {})
                    parts = []
                    for m in methods:
                        if m.key in failed:
                            continue
                        ck = cache.key(m, size, photos.names[bg], kind, d)
                        v = cache.get(ck)
                        if v is None:
                            if frames is None:
                                frames, truth = render_frames(
                                    build_scene(kind, d, size, photos, bg, tex, scale), photos, size)
                            try:
                                pred = m.x2(frames)
                            except Exception as e:  # noqa: BLE001 - drop the method, go on
                                failed[m.key] = f"{type(e).__name__}: {e}"
                                log(f"{m.label}: failed ({failed[m.key]}); dropped")
                                continue
                            v = quality.psnr(pred, truth)
                            cache.put(ck, v)
                        cell.setdefault(m.key, []).append(v)
                        parts.append(f"{m.label} {v:.2f}")
                    done += 1
                    log(f"[{done}/{total}] {size[0]}x{size[1]} {photos.names[bg]} {kind} {d:g} px: "
                        + ", ".join(parts) + f" [{time.perf_counter() - start:.1f} s]")
    results = {c: {k: float(np.mean(v)) for k, v in per.items() if k not in failed}
               for c, per in raw.items()}
    return results, scales, failed


def speed_frames(size: Size, photos: PhotoBank, background: int, texture: int, scale: float
                 ) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """A 4-frame window (t = 0..3) and the 8-frame sequence (t = -2..5) it sits in."""
    w, h = size
    scene = build_scene("translate-x", SPEED_DISP, size, photos, background, texture, scale)
    seq = to_uint8(render_scene(scene, photos, SPEED_TIMES, (h, w)))
    return seq[2:6], seq


# ---------------------------------------------------------------------------- report
def fmt_db(v: float | None) -> str:
    """PSNR for a table: 2 decimals, ∞ for exact, – for missing."""
    if v is None or math.isnan(v):
        return "–"
    return "∞" if math.isinf(v) else f"{v:.2f}"


def delta(a: float, b: float) -> float:
    """a - b, with equal values (both infinite included) giving 0."""
    return 0.0 if a == b else a - b


def fmt_delta(v: float) -> str:
    """A PSNR difference: signed, 2 decimals, ±∞."""
    return ("+∞" if v > 0 else "-∞") if math.isinf(v) else f"{v:+.2f}"


def size_name(size: Size) -> str:
    return f"{size[0]}x{size[1]}"


def mean_over(results: dict[Cell, dict[str, float]], key: str, cells: Sequence[Cell]
              ) -> float:
    vals = [results[c][key] for c in cells if key in results.get(c, {})]
    return float(np.mean(vals)) if vals else float("nan")


def goal_lines(results: dict[Cell, dict[str, float]], methods: list[quality.Method],
               sizes: Sequence[Size], kinds: Sequence[str], disps: Sequence[float]
               ) -> list[str]:
    """One line per SlowMo method and displacement: does the goal hold there?"""
    rife4 = next((m for m in methods if m.key == "rife4"), None)
    lines = []
    for s in (m for m in methods if isinstance(m, quality.SlowMo)):
        misses = []
        for d in disps:
            cells = [(z, k, d) for z in sizes for k in kinds]
            mine = mean_over(results, s.key, cells)
            if d <= NEAR_UP_TO:
                if rife4 is None:
                    lines.append(f"- {s.label}, {d:g} px: {fmt_db(mine)} dB; RIFE 4.2x not run, "
                                 "goal not checked")
                    continue
                ref = mean_over(results, rife4.key, cells)
                gap = delta(mine, ref)
                worst = min(((delta(results[c][s.key], results[c][rife4.key]), c) for c in cells
                             if s.key in results.get(c, {}) and rife4.key in results[c]),
                            default=None)
                ok = gap >= -NEAR_DB
                text = (f"{fmt_db(mine)} dB vs RIFE 4.2x {fmt_db(ref)} dB ({fmt_delta(gap)} dB; "
                        f"within {NEAR_DB:g} dB or ahead): **{'met' if ok else 'not met'}**")
                if worst is not None:
                    w, (z, k, _) = worst
                    text += f" (worst cell {k} {size_name(z)}: {fmt_delta(w)} dB)"
            else:
                ok = mine > FLOOR_DB
                text = (f"{fmt_db(mine)} dB (above {FLOOR_DB:g} dB): "
                        f"**{'met' if ok else 'not met'}**")
            if not ok:
                misses.append(f"{d:g}")
            lines.append(f"- {s.label}, {d:g} px: {text}")
        lines.append(f"- {s.label}: goals " + (f"**not met** at {', '.join(misses)} px" if misses
                                               else "**met** at every displacement run") + ".")
    return lines


def report(argv: Sequence[str], methods: list[quality.Method], missing: dict[str, str],
           results: dict[Cell, dict[str, float]], speed: dict[Size, dict[str, float]] | None,
           scales: dict[str, float], sizes: Sequence[Size], kinds: Sequence[str],
           disps: Sequence[float], n_bg: int, threads: int, repeats: int, runtime: float) -> str:
    """The markdown report."""
    now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    cmd = "python benchmarks/motion.py" + ("" if not argv else " " + shlex.join(argv))
    ran = [m for m in methods if any(m.key in r for r in results.values())]
    out = ["# SlowMo quality as motion grows", "",
           f"Generated by `benchmarks/motion.py` on {now}; total runtime {runtime / 60:.1f} min.",
           "", "```", cmd, "```", "",
           f"Machine: {quality.cpu_name()}, {os.cpu_count()} logical CPUs, torch "
           f"{torch.__version__} with {threads} threads. Load average (1 min) as the run ended: "
           f"{os.getloadavg()[0]:.2f}.", "",
           f"PSNR (dB) of the midpoint (t = 1.5) from frames t = 0, 1, 2, 3 of synthetic scenes "
           f"with exact ground truth; {len(kinds)} kinds x {len(disps)} displacements x "
           f"{len(sizes)} sizes, {n_bg} background photo(s) per cell. Displacement: px moved "
           "between t = 1 and t = 2 (zoom, rotate: the largest, at the frame's corners). "
           "See Protocol.", ""]
    for key, why in missing.items():
        out.append(f"**{key} unavailable**: {why}")
    if missing:
        out.append("")

    out += ["## Mean over kinds and sizes", "",
            "| displacement | " + " | ".join(m.label for m in ran) + " |",
            "|---:|" + "---:|" * len(ran)]
    for d in disps:
        cells = [(z, k, d) for z in sizes for k in kinds]
        vals = [mean_over(results, m.key, cells) for m in ran]
        best = max((v for v in vals if not math.isnan(v)), default=float("nan"))
        out.append(f"| {d:g} px | " + " | ".join(
            f"**{fmt_db(v)}**" if v == best else fmt_db(v) for v in vals) + " |")
    out += ["", "Best value in bold.", "", "## Goals", "",
            f"Per displacement, on the mean over kinds and sizes: SlowMo within {NEAR_DB:g} dB of "
            f"RIFE 4.2x or ahead up to {NEAR_UP_TO:g} px, above {FLOOR_DB:g} dB beyond.", ""]
    out += goal_lines(results, ran, sizes, kinds, disps) or ["- (no SlowMo method run)"]

    out += ["", "## Speed", ""]
    if speed is None:
        out.append("Not measured (--speed-repeats 0).")
    else:
        rife39 = "rife3.9"
        head = "| method |" + "".join(f" s/frame {size_name(z)} | x RIFE v3.9 |" for z in sizes)
        out += [head, "|---|" + "---:|---:|" * len(sizes)]
        for m in ran:
            cells = []
            for z in sizes:
                v, ref = speed[z].get(m.key), speed[z].get(rife39)
                cells.append(quality.fmt(v, 3) if v is not None else "–")
                cells.append(f"{v / ref:.2f}" if v is not None and ref else "–")
            out.append(f"| {m.label} | " + " | ".join(cells) + " |")
        out += ["", f"Median of {repeats} round(s), every method once per round, in one process: "
                "the columns compare methods fairly; absolute times depend on what else the CPU "
                "was doing. x RIFE v3.9: the method's s/frame over RIFE v3.9's at that size."]

    out += ["", "## Per method: min–max over kinds, and mean, by displacement", ""]
    for m in ran:
        out += [f"### {m.label}", "",
                "| displacement |" + "".join(f" {size_name(z)} min–max | mean |" for z in sizes),
                "|---:|" + "---:|---:|" * len(sizes)]
        for d in disps:
            row = []
            for z in sizes:
                vals = [results[(z, k, d)][m.key] for k in kinds
                        if m.key in results.get((z, k, d), {})]
                row.append(f"{fmt_db(min(vals))}–{fmt_db(max(vals))}" if vals else "–")
                row.append(fmt_db(float(np.mean(vals))) if vals else "–")
            out.append(f"| {d:g} px | " + " | ".join(row) + " |")
        out.append("")

    out += ["## All cells", ""]
    for z in sizes:
        for k in kinds:
            out += [f"### {size_name(z)}, {k}", "",
                    "| method | " + " | ".join(f"{d:g} px" for d in disps) + " |",
                    "|---|" + "---:|" * len(disps)]
            best = {d: max((results[(z, k, d)].get(m.key, float("nan")) for m in ran),
                           default=float("nan")) for d in disps}
            for m in ran:
                vals = [results[(z, k, d)].get(m.key) for d in disps]
                out.append(f"| {m.label} | " + " | ".join(
                    f"**{fmt_db(v)}**" if v is not None and v == best[d] else fmt_db(v)
                    for v, d in zip(vals, disps)) + " |")
            out.append("")

    out += ["## Background scales", "",
            "Source px per output px, per frame size and background photo (see Protocol):", ""]
    out += [f"- {name}: {s:.3f}" for name, s in scales.items()]
    out += ["", "## Methods", ""]
    out += [f"- **{m.label}**: {m.note}" for m in methods]
    out += ["", "## Protocol", "", __doc__.split("Protocol:", 1)[1].strip(), ""]
    return "\n".join(out)


# ---------------------------------------------------------------------------- main
def parse_sizes(text: str) -> list[Size]:
    """'1280x720,1920x1080' -> [(1280, 720), (1920, 1080)]."""
    out = []
    for part in text.split(","):
        if part.strip():
            w, h = part.lower().split("x")
            out.append((int(w), int(h)))
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--methods", default=quality.DEFAULT_METHODS,
                   help=f"comma-separated subset of {quality.DEFAULT_METHODS}")
    p.add_argument("--weights", nargs="+", type=Path, default=[],
                   help="SlowMo weights files to compare (default: the shipped weights)")
    p.add_argument("--sizes", default=None, help="frame sizes, e.g. 1280x720,1920x1080 (default)")
    p.add_argument("--displacements", default=None,
                   help=f"px between t=1 and t=2 (default {','.join(map(str, DISPLACEMENTS))})")
    p.add_argument("--kinds", default=",".join(KINDS), help=f"subset of {','.join(KINDS)}")
    p.add_argument("--photos", type=int, default=1,
                   help="background photos per cell: the first N of EVAL_PHOTOS "
                        f"(1-{len(EVAL_PHOTOS)}, default 1)")
    p.add_argument("--quick", action="store_true",
                   help=f"smoke run: sizes {','.join(map(size_name, QUICK_SIZES))}, displacements "
                        f"{','.join(map(str, QUICK_DISPLACEMENTS))}, {QUICK_SPEED_REPEATS} speed "
                        "round (options given explicitly win)")
    p.add_argument("--data-dir", type=Path, default=None,
                   help="data cache with photos/ (default: vfi_plugin.train.data.data_dir())")
    p.add_argument("--threads", type=int, default=2, help="torch threads (default 2)")
    p.add_argument("--speed-repeats", type=int, default=None,
                   help="timed rounds (default 3; 0: skip speed)")
    p.add_argument("--out", type=Path, default=REPO / "docs" / "motion.md")
    p.add_argument("--cache", type=Path, default=None,
                   help="JSON file of PSNRs kept between runs (reference methods once)")
    args = p.parse_args(argv)

    sizes = parse_sizes(args.sizes) if args.sizes else list(QUICK_SIZES if args.quick else SIZES)
    disps = ([float(d) for d in args.displacements.split(",") if d.strip()] if args.displacements
             else [float(d) for d in (QUICK_DISPLACEMENTS if args.quick else DISPLACEMENTS)])
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    repeats = args.speed_repeats if args.speed_repeats is not None else (
        QUICK_SPEED_REPEATS if args.quick else 3)
    for k in kinds:
        if k not in KINDS:
            p.error(f"unknown kind {k!r}; choose from {', '.join(KINDS)}")
    if not sizes or not disps or not kinds:
        p.error("nothing to run")
    if not 1 <= args.photos <= len(EVAL_PHOTOS):
        p.error(f"--photos must be 1-{len(EVAL_PHOTOS)}")

    from vfi_plugin.train.data import data_dir

    t0 = time.perf_counter()
    torch.set_num_threads(args.threads)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    photos, order = load_photos((args.data_dir or data_dir()) / "photos")
    if len(order) < len(EVAL_PHOTOS):
        log(f"only {len(order)} of the {len(EVAL_PHOTOS)} EVAL photos found: "
            + ", ".join(photos.names))
    n_bg = min(args.photos, len(order))
    keys = [k.strip() for k in args.methods.split(",") if k.strip()]
    methods, missing = build_available(keys, args.weights, log)
    if not methods:
        raise SystemExit("no method could be loaded")
    results, scales, failed = evaluate(methods, photos, order, sizes, kinds, disps, n_bg, log,
                                       ResultCache(args.cache))
    missing.update(failed)
    ok = [m for m in methods if m.key not in failed]
    speed = None
    if repeats > 0:
        speed = {}
        for size in sizes:
            log(f"speed at {size_name(size)}")
            scale = fit_scale(tuple(photos.get(order[0], 0).shape[-2:]), size, max(disps))
            window, sequence = speed_frames(size, photos, order[0], order[-1], scale)
            speed[size] = quality.round_robin_speed(ok, window, sequence, repeats, log)
    runtime = time.perf_counter() - t0
    text = report(argv, methods, missing, results, speed, scales, sizes, kinds, disps, n_bg,
                  args.threads, repeats, runtime)
    quality.publish(args.out, text, runtime, log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
