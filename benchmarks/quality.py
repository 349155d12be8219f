"""Quality evaluation (not part of the tests): SlowMo against linear blend, ffmpeg's
minterpolate and RIFE on the EVAL clips, at 2x and 4x, plus speed at 720p.
Writes docs/quality.md and prints the same markdown.

    nice /work/venv/bin/python benchmarks/quality.py --weights runs/slowmo-v2/best.safetensors
    python benchmarks/quality.py --clips tree.avi --max-positions 4 --methods blend,slowmo

Protocol (frame indices are those of the decoded clip, exact repeats dropped, as in training):

* EVAL clips only (vfi_plugin.train.data.split.SPLIT["eval"]); a TRAIN clip is refused.
* Positions: centres t whose 4x window t-10 .. t+10 lies inside the clip with no scene cut
  (vfi_plugin.train.data.scene_cuts) in it; up to --max-positions of them per clip, evenly
  spaced over that list (first and last included), the same for every method.
* 2x: frame t is dropped and predicted from t-3, t-1, t+1, t+3 (the model's input window);
  two-frame methods use t-1 and t+1.
* 4x: only every 4th frame is kept (..., t-6, t-2, t+2, t+6, ...) and the three dropped
  frames t-1, t, t+1 between the kept t-2 and t+2 are predicted. SlowMo runs its own
  Retimer with RetimePlan(4) over the kept frames t-10 .. t+10 (six frames: enough that no
  node the scored frames depend on touches a clip edge) and its outputs 9, 10, 11 are
  scored; t comes from (t-6, t-2, t+2, t+6), t-1 and t+1 from the second recursion level.
  Of the Retimer's 15 nodes only the 5 that outputs 9-11 depend on go through the network
  (NeededNodesOnly; --exact-retime runs all 15).
  Blend: weights 1/4, 1/2, 3/4 of t-2, t+2. minterpolate: t-6, t-2, t+2, t+6 at fps x4.
  RIFE: t-2, t+2 with timestep 1/4, 1/2, 3/4 (how both wrappers do 4x).
* Displacement (reported beside each position's scores; it plays no part in them): how
  far the content moves between the 2x inputs t-1 and t+1, in pixels of the clip, by
  vfi_plugin.train.data.displacement.measured_displacement: the 90th percentile of the
  magnitudes of a block motion field (coarse-to-fine phase correlation of 32x32 blocks on
  grey frames box-downscaled to a long side <= 512 px, refined at full resolution; only
  textured blocks whose vector at least two neighbours share). A pan moving everything by
  d px reads d; a still shot with a small moving object reads ~0. 4x's inner inputs t-2 and
  t+2 are twice as far apart.
* Metrics per predicted frame on RGB uint8 against the dropped frame: PSNR (peak 255, mean
  squared error over all pixels and channels) and SSIM (pytorch_msssim.ssim: 11x11 Gaussian
  window, sigma 1.5, data_range 255, per channel then averaged, no border padding). A
  clip's score is the mean over its frames; "all clips" is the mean of the clip means.
* Speed: seconds per interpolated 1280x720 frame, every method in the same process, in
  rounds (warm-up round, then --speed-repeats rounds, each method once per round), the
  median reported. torch uses --threads threads. minterpolate: one ffmpeg call over eight
  720p frames at fps x2 (process start, pipes and YUV conversion included) divided by the
  frames it interpolated.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

WIN2 = (-3, -1, 1, 3)              # 2x input window around the dropped frame t
KEPT4 = (-10, -6, -2, 2, 6, 10)    # 4x: kept frames fed to SlowMo's Retimer
WIN4 = (-6, -2, 2, 6)              # 4x: the four kept frames around t
TARGETS4 = (-1, 0, 1)              # 4x: dropped frames scored (between t-2 and t+2)
REACH = 10                         # a position needs t-10 .. t+10 cut-free
MI_OPTS = "mi_mode=mci:mc_mode=aobmc:me_mode={me}:vsbmc=1:scd=none"
DEFAULT_METHODS = "blend,minterpolate,minterpolate-bilat,rife3.9,rife4,slowmo"


# ---------------------------------------------------------------------------- data
@dataclass
class EvalClip:
    name: str
    first: int                  # source frame index of the split range's first frame
    source_index: np.ndarray    # source frame index of each kept (distinct) frame
    cuts: list[int]
    n: int
    frames: dict[int, np.ndarray] = field(default_factory=dict)  # only those used
    size: tuple[int, int] = (0, 0)
    positions: list[int] = field(default_factory=list)
    valid: int = 0
    displacement: dict[int, float] = field(default_factory=dict)  # t -> px, t-1 to t+1


def load_eval_clip(videos: Path, name: str, max_positions: int) -> EvalClip:
    """Decode one EVAL entry with vfi_plugin.media, drop exact repeats (as training's
    read_video does), find scene cuts and pick the positions."""
    from vfi_plugin.media import probe, read_frames
    from vfi_plugin.train.data import SPLIT, frame_range, scene_cuts
    from vfi_plugin.train.data.displacement import measured_displacement
    from vfi_plugin.train.data.video import Clip, valid_centers

    entries = {f: (a, b) for f, a, b in SPLIT["eval"]}
    train = {f for f, _, _ in SPLIT["train"]}
    if name not in entries:
        why = " (it is in the TRAIN split)" if name in train else ""
        raise SystemExit(f"{name}: not an EVAL clip{why}; EVAL clips: {', '.join(entries)}")
    path = videos / name
    info = probe(path)
    a, b = frame_range(*entries[name], info.frame_count)
    decoded = [np.asarray(f) for f in read_frames(path, a, b, info=info)]
    keep = [0] + [i for i in range(1, len(decoded))
                  if not np.array_equal(decoded[i], decoded[i - 1])]
    frames = np.stack([decoded[i] for i in keep])
    del decoded
    cuts = scene_cuts(frames)
    valid = valid_centers(Clip(name, frames, a, cuts), (-REACH, REACH))
    if len(valid) == 0:
        raise SystemExit(f"{name}: no position has a cut-free window of +-{REACH} frames")
    k = min(max_positions, len(valid))
    picks = sorted({int(valid[i]) for i in np.linspace(0, len(valid) - 1, k).round().astype(int)})
    clip = EvalClip(name, a, np.asarray(keep) + a, cuts, len(frames), positions=picks,
                    valid=len(valid), size=(frames.shape[2], frames.shape[1]))
    for t in picks:
        for o in range(-REACH, REACH + 1):
            clip.frames[t + o] = frames[t + o]
        clip.displacement[t] = measured_displacement(frames[t - 1], frames[t + 1])
    return clip


# ---------------------------------------------------------------------------- metrics
def psnr(pred: np.ndarray, target: np.ndarray) -> float:
    mse = np.mean((pred.astype(np.float64) - target.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else float(10 * np.log10(255.0 ** 2 / mse))


def ssim(preds: list[np.ndarray], targets: list[np.ndarray]) -> list[float]:
    import torch
    try:
        from pytorch_msssim import ssim as _ssim
    except ImportError:
        raise SystemExit("SSIM needs the dev tool pytorch-msssim: pip install pytorch-msssim==1.0.0")

    x = torch.from_numpy(np.stack(preds)).permute(0, 3, 1, 2).float()
    y = torch.from_numpy(np.stack(targets)).permute(0, 3, 1, 2).float()
    return [float(v) for v in _ssim(x, y, data_range=255, size_average=False)]


# ---------------------------------------------------------------------------- methods
class Method:
    key = ""
    label = ""
    note = ""

    def x2(self, window: list[np.ndarray]) -> np.ndarray:
        """The frame at t from frames t-3, t-1, t+1, t+3."""
        raise NotImplementedError

    def x4(self, kept: list[np.ndarray]) -> list[np.ndarray]:
        """Frames t-1, t, t+1 from the kept frames t-10, t-6, t-2, t+2, t+6, t+10."""
        raise NotImplementedError

    def speed_op(self, window: list[np.ndarray], sequence: list[np.ndarray]) -> float:
        """Seconds for one interpolated frame at this size (one timed run)."""
        start = time.perf_counter()
        self.x2(window)
        return time.perf_counter() - start


class Blend(Method):
    key, label = "blend", "linear blend"
    note = "average of t-1 and t+1 (2x); (1-w)·(t-2) + w·(t+2), w = 1/4, 1/2, 3/4 (4x); rounded"

    @staticmethod
    def mix(a: np.ndarray, b: np.ndarray, w: float) -> np.ndarray:
        out = (1 - w) * a.astype(np.float32) + w * b.astype(np.float32)
        return np.clip(np.rint(out), 0, 255).astype(np.uint8)

    def x2(self, window):
        return self.mix(window[1], window[2], 0.5)

    def x4(self, kept):
        return [self.mix(kept[2], kept[3], w) for w in (0.25, 0.5, 0.75)]


class Minterpolate(Method):
    """ffmpeg minterpolate on raw RGB frames piped in at 1 fps (lossless in; YUV 4:4:4 inside)."""

    def __init__(self, me_mode: str = "bidir") -> None:
        self.me_mode = me_mode
        self.key = "minterpolate" if me_mode == "bidir" else f"minterpolate-{me_mode}"
        self.label = f"ffmpeg minterpolate ({me_mode})"
        self.opts = MI_OPTS.format(me=me_mode)
        self.note = (f"`format=yuv444p,minterpolate=fps=N:{self.opts},format=rgb24` on the four "
                     "window frames piped in as rawvideo rgb24 at 1 fps; 2x: fps=2, output 3 "
                     "(time 1.5); 4x: fps=4, outputs 5, 6, 7 (times 1.25, 1.5, 1.75); scd=none because "
                     "positions are cut-free (its scene-change fallback would repeat a frame)")
        self.ffmpeg = _ffmpeg()

    def run(self, frames: list[np.ndarray], fps: int) -> np.ndarray:
        h, w = frames[0].shape[:2]
        vf = f"format=yuv444p,minterpolate=fps={fps}:{self.opts},format=rgb24"
        cmd = [self.ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error",
               "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}", "-r", "1", "-i", "pipe:",
               "-vf", vf, "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:"]
        p = subprocess.run(cmd, input=b"".join(np.ascontiguousarray(f).tobytes() for f in frames),
                           capture_output=True, check=False)
        if p.returncode != 0:
            raise RuntimeError(f"minterpolate failed: {p.stderr.decode(errors='replace')[-400:]}")
        n = len(p.stdout) // (w * h * 3)
        return np.frombuffer(p.stdout, np.uint8, count=n * w * h * 3).reshape(n, h, w, 3)

    def x2(self, window):
        out = self.run(window, 2)
        return out[3].copy()

    def x4(self, kept):
        out = self.run([kept[1], kept[2], kept[3], kept[4]], 4)
        return [out[i].copy() for i in (5, 6, 7)]

    def speed_op(self, window, sequence):
        start = time.perf_counter()
        out = self.run(sequence, 2)
        elapsed = time.perf_counter() - start
        return elapsed / max(1, len(out) // 2)  # outputs alternate source / interpolated


class RifeMethod(Method):
    def __init__(self, key: str) -> None:
        from rife_reference import Rife

        self.model = Rife(key)
        self.key, self.label = key, self.model.label
        self.note = ("IFNet from " + ", ".join(_short(p) for p in self.model.files)
                     + f"; frames t-1, t+1 (2x) / t-2, t+2 with timestep 1/4, 1/2, 3/4 (4x); "
                     f"scale_list {list(self.model.spec.scale_list)}, padded to a multiple of "
                     f"{self.model.spec.pad}, fp32")

    def x2(self, window):
        return self.model.interpolate(window[1], window[2], 0.5)

    def x4(self, kept):
        return self.model.interpolate_many(kept[2], kept[3], [0.25, 0.5, 0.75])


class SlowMo(Method):
    def __init__(self, weights: Path | None, label: str, exact: bool = False) -> None:
        from vfi_plugin import load_interpolator
        from vfi_plugin.engine import default_weights_path
        from vfi_plugin.model.weights import read_metadata

        self.path = Path(weights) if weights else default_weights_path()
        self.meta = read_metadata(self.path)
        self.interp = load_interpolator(self.path, device="cpu")
        base = self.meta["config"].get("base", "flow")
        self.exact = exact
        self.key, self.label = f"slowmo:{self.path}", f"SlowMo {label} ({base} base)"
        info = {k: v for k, v in self.meta["info"].items()}
        self.note = (f"`{_short(self.path)}` (sha256 of tensors {self.meta['sha256'][:12]}…, "
                     f"info {info}); product defaults on the CPU (autocast "
                     f"{self.interp.dtype or 'fp32'}); 2x: `Interpolator.midpoint`; 4x: "
                     "`Retimer(interp, RetimePlan(Fraction(4)))` over the kept frames"
                     + ("" if exact else " (nodes no scored frame depends on skipped, "
                        "see NeededNodesOnly)"))

    def x2(self, window):
        return self.interp.midpoint(*window)

    def x4(self, kept):
        from vfi_plugin.engine import RetimePlan, Retimer

        interp = self.interp if self.exact else NeededNodesOnly(self.interp, kept, SCORED4)
        out = list(Retimer(interp, RetimePlan(Fraction(4))).run(iter(kept)))
        if not self.exact and sorted(interp.computed) != sorted(interp.needed):
            raise RuntimeError(f"Retimer computed {interp.computed}, needed {interp.needed}")
        # output j shows source time j/4: 8 and 12 are the kept t-2 and t+2 themselves
        if len(out) != 21 or not (np.array_equal(out[8], kept[2]) and np.array_equal(out[12], kept[3])):
            raise RuntimeError("Retimer output does not line up with the kept frames")
        return [out[9], out[10], out[11]]


SCORED4 = (Fraction(9, 4), Fraction(10, 4), Fraction(11, 4))  # t-1, t, t+1 in kept units


class NeededNodesOnly:
    """Interpolator proxy for one 4x Retimer run over six kept frames: the Retimer (the
    product's, unchanged) decides every window, but only the nodes that the scored outputs
    depend on (found with the product's own ``retime.window_times``; 5 of the 15 nodes)
    go through the network. The others get a plain blend that is marked, and a needed
    node whose window holds a marked frame raises, so the scored frames are exactly those
    of a full run (up to batch composition). ``--exact-retime`` runs all nodes instead.

    A node's time is recovered from the identity of its window's inner frames: the kept
    frames are 0..5 and every returned node is remembered (and kept alive) with its time.
    """

    def __init__(self, interp, kept: list[np.ndarray], scored) -> None:
        from vfi_plugin.engine.retime import window_times

        self.interp = interp
        self.time_of = {id(f): Fraction(i) for i, f in enumerate(kept)}
        self.keep: list[np.ndarray] = list(kept)
        self.marked: set[int] = set()
        self.needed: set[Fraction] = set()
        stack = list(scored)
        while stack:
            t = stack.pop()
            if t.denominator != 1 and t not in self.needed:
                self.needed.add(t)
                stack.extend(window_times(t))
        self.computed: list[Fraction] = []

    def batch_size(self, height: int, width: int) -> int:
        return self.interp.batch_size(height, width)

    def midpoints(self, windows):
        times = []
        for w in windows:
            a, b = self.time_of.get(id(w[1])), self.time_of.get(id(w[2]))
            if a is None or b is None:
                raise RuntimeError("NeededNodesOnly: a window frame of unknown time")
            times.append((a + b) / 2)
        todo = [i for i, t in enumerate(times) if t in self.needed]
        for i in todo:
            if any(id(f) in self.marked for f in windows[i]):
                raise RuntimeError(f"node {times[i]} depends on a skipped node")
        real = dict(zip(todo, self.interp.midpoints([windows[i] for i in todo])))
        out = []
        for i, (w, t) in enumerate(zip(windows, times)):
            frame = real.get(i)
            if frame is None:
                frame = Blend.mix(w[1], w[2], 0.5)
                self.marked.add(id(frame))
            else:
                self.computed.append(t)
            self.time_of[id(frame)] = t
            self.keep.append(frame)
            out.append(frame)
        return out


def _ffmpeg() -> str:
    try:
        from vfi_plugin.media import ffmpeg_exe
        return str(ffmpeg_exe())
    except Exception:
        return "ffmpeg"


def _short(path: Path) -> str:
    path = Path(path)
    for base, tag in ((REPO, ""), (Path.home(), "~/")):
        try:
            return tag + str(path.resolve().relative_to(base.resolve()))
        except ValueError:
            pass
    return str(path)


def slowmo_labels(paths: list[Path]) -> list[str]:
    """File names; the parent folder is added where two files share a name."""
    names = [p.name for p in paths]
    return [f"{p.parent.name}/{p.name}" if names.count(p.name) > 1 else p.name for p in paths]


def build_methods(keys: list[str], weights: list[Path], exact_retime: bool = False
                  ) -> list[Method]:
    out: list[Method] = []
    for key in keys:
        if key == "blend":
            out.append(Blend())
        elif key == "minterpolate":
            out.append(Minterpolate("bidir"))
        elif key == "minterpolate-bilat":
            out.append(Minterpolate("bilat"))
        elif key in ("rife3.9", "rife4"):
            out.append(RifeMethod(key))
        elif key == "slowmo":
            paths = weights or [None]
            labels = slowmo_labels([Path(p) for p in weights]) if weights else ["shipped"]
            out.extend(SlowMo(p, lab, exact_retime) for p, lab in zip(paths, labels))
        else:
            raise SystemExit(f"unknown method {key!r}; choose from {DEFAULT_METHODS}")
    return out


# ---------------------------------------------------------------------------- checks
def texture(height: int, width: int, seed: int = 0) -> np.ndarray:
    """A deterministic textured RGB image (smooth blobs plus finer detail)."""
    import torch
    import torch.nn.functional as F

    g = torch.Generator().manual_seed(seed)
    out = 0
    for cell, amp in ((16, 0.6), (4, 0.3), (1, 0.1)):
        small = torch.rand(1, 3, height // cell + 2, width // cell + 2, generator=g)
        big = F.interpolate(small, size=(height + 2 * cell, width + 2 * cell), mode="bicubic",
                            align_corners=False)[..., cell:cell + height, cell:cell + width]
        out = out + amp * big
    img = (out[0].permute(1, 2, 0).clamp(0, 1) * 255).round().to(torch.uint8).numpy()
    return np.ascontiguousarray(img)


def minterpolate_alignment(methods: list[Method], textures: list[tuple[str, np.ndarray]]
                           ) -> list[str]:
    """Which time each scored minterpolate output shows, on a known translation.

    Frames k = 0..3 show a texture moved 16 px right per frame (a 320x240 window sliding
    over a wider image), so the frame at time s shows shift 16·s px; each scored output is
    matched to the integer shift (0..48 px) that reproduces it best (PSNR, 16 px border
    ignored). Raises if an output that should be a source frame is not, or if a 2x output
    on the synthetic texture (the first) is more than 1 px off its time."""
    lines = []
    inner = (slice(16, -16), slice(16, -16))
    for tex_i, (tex_name, img) in enumerate(textures):
        shot = lambda s: np.ascontiguousarray(img[:240, s:s + 320])  # noqa: E731
        frames = [shot(16 * k) for k in range(4)]
        for m in methods:
            if not isinstance(m, Minterpolate):
                continue
            for fps, scored in ((2, {3: 1.5}), (4, {5: 1.25, 6: 1.5, 7: 1.75})):
                out = m.run(frames, fps)
                checks = dict(scored)
                checks.update({fps * 1: 1.0, fps * 2: 2.0})  # outputs that are source frames
                found = []
                for idx, when in sorted(checks.items()):
                    best = max(range(49), key=lambda s: psnr(out[idx][inner], shot(s)[inner]))
                    found.append(f"out[{idx}] (t={when:g}, expect {16 * when:g}): {best} px, "
                                 f"{psnr(out[idx][inner], shot(best)[inner]):.1f} dB")
                    if idx not in scored and best != round(16 * when):
                        raise RuntimeError(f"{m.label}: output {idx} is not source frame {when}")
                    if tex_i == 0 and fps == 2 and abs(best - 16 * when) > 1:
                        raise RuntimeError(f"{m.label}: 2x output {idx} shows {best} px, "
                                           f"expected {16 * when:g}")
                lines.append(f"{tex_name}, {m.label}, fps x{fps} ({len(out)} frames out of 4): "
                             + "; ".join(found))
    return lines


# ---------------------------------------------------------------------------- evaluation
@dataclass
class Scores:
    psnr2: list[float] = field(default_factory=list)
    ssim2: list[float] = field(default_factory=list)
    psnr4: list[float] = field(default_factory=list)
    ssim4: list[float] = field(default_factory=list)


def evaluate(clip: EvalClip, methods: list[Method], log) -> dict[str, Scores]:
    scores = {m.key: Scores() for m in methods}
    for i, t in enumerate(clip.positions):
        window = [clip.frames[t + o] for o in WIN2]
        kept = [clip.frames[t + o] for o in KEPT4]
        gt2 = clip.frames[t]
        gt4 = [clip.frames[t + o] for o in TARGETS4]
        for m in methods:
            s = scores[m.key]
            start = time.perf_counter()
            p2 = m.x2(window)
            p4 = m.x4(kept)
            s.psnr2.append(psnr(p2, gt2))
            s.psnr4.extend(psnr(p, g) for p, g in zip(p4, gt4))
            ss = ssim([p2] + p4, [gt2] + gt4)
            s.ssim2.append(ss[0])
            s.ssim4.extend(ss[1:])
            log(f"  {clip.name} t={t} ({i + 1}/{len(clip.positions)}, "
                f"{clip.displacement[t]:.1f} px) {m.label}: "
                f"2x {s.psnr2[-1]:.2f} dB, 4x {np.mean(s.psnr4[-3:]):.2f} dB "
                f"[{time.perf_counter() - start:.1f} s]")
    return scores


def speed_frames(clip: EvalClip) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """A 1280x720 test window (t-3, t-1, t+1, t+3) and an 8-frame sequence (t-7 .. t+7,
    every 2nd), from the clip's first position, resized with bicubic interpolation."""
    import torch
    import torch.nn.functional as F

    t = clip.positions[0]
    idx = list(range(t - 7, t + 8, 2))
    arr = torch.from_numpy(np.stack([clip.frames[i] for i in idx])).permute(0, 3, 1, 2).float()
    big = F.interpolate(arr, size=(720, 1280), mode="bicubic", align_corners=False)
    seq = [np.ascontiguousarray(f) for f in
           big.clamp(0, 255).round().to(torch.uint8).permute(0, 2, 3, 1).numpy()]
    return seq[2:6], seq


def measure_speed(methods: list[Method], clip: EvalClip, repeats: int, log) -> dict[str, float]:
    window, sequence = speed_frames(clip)
    return round_robin_speed(methods, window, sequence, repeats, log)


def round_robin_speed(methods: list[Method], window: list[np.ndarray],
                      sequence: list[np.ndarray], repeats: int, log) -> dict[str, float]:
    """Median seconds per frame per method key over ``repeats`` rounds after a warm-up
    round, every method once per round (so a noisy CPU slows all of them alike)."""
    times: dict[str, list[float]] = {m.key: [] for m in methods}
    for r in range(repeats + 1):
        for m in methods:
            dt = m.speed_op(window, sequence)
            if r:  # round 0 is the warm-up
                times[m.key].append(dt)
        if r:
            log(f"  speed round {r}/{repeats}: "
                + ", ".join(f"{m.label} {times[m.key][-1]:.3f}s" for m in methods))
    return {k: statistics.median(v) for k, v in times.items()}


# ---------------------------------------------------------------------------- report
def fmt(v: float, digits: int) -> str:
    return "–" if v is None or not np.isfinite(v) else f"{v:.{digits}f}"


def table(methods, rows: dict[str, dict[str, float]], with_speed: dict[str, float] | None) -> list[str]:
    head = "| method | PSNR 2x (dB) | SSIM 2x | PSNR 4x (dB) | SSIM 4x |"
    sep = "|---|---:|---:|---:|---:|"
    if with_speed is not None:
        head += " s/frame 720p |"
        sep += "---:|"
    lines = [head, sep]
    best = {k: max(rows[m.key][k] for m in methods) for k in ("psnr2", "ssim2", "psnr4", "ssim4")}
    for m in methods:
        r = rows[m.key]
        cells = []
        for k, d in (("psnr2", 2), ("ssim2", 4), ("psnr4", 2), ("ssim4", 4)):
            c = fmt(r[k], d)
            cells.append(f"**{c}**" if c == fmt(best[k], d) else c)
        line = f"| {m.label} | " + " | ".join(cells) + " |"
        if with_speed is not None:
            line += f" {fmt(with_speed.get(m.key), 3)} |"
        lines.append(line)
    return lines


def position_table(clip: EvalClip, methods, scores: dict[str, Scores]) -> list[str]:
    """One row per position: centre t, measured displacement t-1 -> t+1, and each method's
    PSNR at 2x (frame t) / 4x (mean over t-1, t, t+1); the best of a row in bold."""
    lines = ["| t | displacement (px) | " + " | ".join(m.label for m in methods) + " |",
             "|---:|---:|" + "---:|" * len(methods)]
    for i, t in enumerate(clip.positions):
        p2 = {m.key: scores[m.key].psnr2[i] for m in methods}
        p4 = {m.key: float(np.mean(scores[m.key].psnr4[3 * i:3 * i + 3])) for m in methods}
        b2, b4 = fmt(max(p2.values()), 2), fmt(max(p4.values()), 2)
        cells = []
        for m in methods:
            c2, c4 = fmt(p2[m.key], 2), fmt(p4[m.key], 2)
            cells.append(f"{f'**{c2}**' if c2 == b2 else c2} / {f'**{c4}**' if c4 == b4 else c4}")
        src = f" [{clip.source_index[t]}]" if clip.source_index[t] != t else ""
        lines.append(f"| {t}{src} | {fmt(clip.displacement[t], 1)} | " + " | ".join(cells) + " |")
    return lines


def displacement_summary(clip: EvalClip) -> str:
    d = np.array([clip.displacement[t] for t in clip.positions], dtype=np.float64)
    d = d[np.isfinite(d)]
    if not len(d):
        return "measured displacement t-1 → t+1: – (no textured block)"
    return (f"measured displacement t-1 → t+1 at these positions: median {np.median(d):.1f} px, "
            f"range {d.min():.1f}–{d.max():.1f} px")


def clip_means(s: Scores) -> dict[str, float]:
    return {"psnr2": float(np.mean(s.psnr2)), "ssim2": float(np.mean(s.ssim2)),
            "psnr4": float(np.mean(s.psnr4)), "ssim4": float(np.mean(s.ssim4))}


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def report(args, argv, clips, methods, results, speed, alignment, runtime, threads) -> str:
    import torch

    now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    cmd = "python benchmarks/quality.py" + ("" if not argv else " " + shlex.join(argv))
    out = ["# SlowMo quality evaluation", "",
           f"Generated by `benchmarks/quality.py` on {now}; total runtime {runtime / 60:.1f} min.",
           "", "```", cmd, "```", "",
           f"Machine: {cpu_name()}, {os.cpu_count()} logical CPUs, torch {torch.__version__} "
           f"with {threads} threads, ffmpeg `{_ffmpeg()}`. "
           + (f"Load average (1 min) as the run ended: {os.getloadavg()[0]:.2f}. All methods were "
              f"timed in the same rounds (median of {args.speed_repeats}), so the speed column "
              "compares them fairly; absolute times depend on what else the CPU was doing."
              if speed is not None else "Speed not measured (--speed-repeats 0)."), "",
           "## All clips (mean of the per-clip means)", ""]
    rows = {m.key: {k: float(np.mean([clip_means(results[c.name][m.key])[k] for c in clips]))
                    for k in ("psnr2", "ssim2", "psnr4", "ssim4")} for m in methods}
    out += table(methods, rows, speed)
    n2 = sum(len(c.positions) for c in clips)
    out += ["", f"{n2} frames scored at 2x and {3 * n2} at 4x per method. Best value in bold. "
            "s/frame: seconds per interpolated 1280x720 frame (see Protocol).", ""]
    for c in clips:
        out += [f"## {c.name}", "",
                f"{c.size[0]}x{c.size[1]}, EVAL frames {c.first}–{c.source_index[-1]} "
                f"({c.n} distinct frames), "
                + (f"scene cuts before local frames {c.cuts}" if c.cuts else "no scene cut")
                + "; "
                f"{len(c.positions)} of {c.valid} valid positions; {displacement_summary(c)}.", ""]
        out += table(methods, {m.key: clip_means(results[c.name][m.key]) for m in methods}, None)
        out += ["", "Per position: PSNR (dB) at 2x / at 4x (mean of t-1, t, t+1), beside the "
                "measured displacement between the inputs t-1 and t+1 (see Protocol).", ""]
        out += position_table(c, methods, results[c.name])
        out.append("")
    out += ["## Positions used", "",
            "Centre t as the index among the clip's distinct decoded frames (source frame "
            "number of the video in brackets where it differs). 2x scores t; 4x scores t-1, t, t+1.",
            ""]
    for c in clips:
        items = [f"{t}" + (f" [{c.source_index[t]}]" if c.source_index[t] != t else "")
                 for t in c.positions]
        out.append(f"- {c.name}: " + ", ".join(items))
    out += ["", "## Methods", ""]
    for m in methods:
        out.append(f"- **{m.label}**: {m.note}")
    out += ["", "## minterpolate alignment check", "",
            "Four 320x240 frames of a texture moving 16 px right per frame (a window sliding "
            "over a synthetic texture, then over a real eval frame), piped in at 1 fps; each "
            "output matched to the best integer shift (PSNR against the shifted texture, 16 px "
            "border ignored). Output index i of fps=N shows time i/N; ffmpeg emits no output "
            "after the third input frame, so 4 inputs give 2N+1 outputs.",
            ""]
    out += [f"- {line}" for line in alignment] or ["- (minterpolate not run)"]
    out += ["", "## Protocol", "", __doc__.split("Protocol", 1)[1].split("\n", 1)[1].strip(), "",
            "Caveats: tree.avi is variable-rate (its distinct frames are 0.33–0.73 s apart), "
            "so its 'midpoint' is only approximately halfway in time for every method. "
            "bigbuckbunny.mp4 (1280x720) is rendered animation, not camera footage; the other "
            "clips are at most 640 px wide. The 720p speed window is the first clip's frames "
            "resized to 1280x720. The displacement is a classical estimate of the fast tenth "
            "of the picture: it under-reads a moving object that covers about a tenth of the "
            "frame or less, and smooth, deforming content (fur, skin), whose blocks match "
            "poorly and are left out (bigbuckbunny.mp4 around t = 20–50: the bunny moves "
            "10–45 px between t-1 and t+1, the column reads 2–3 px).", ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--weights", nargs="+", type=Path, default=[],
                   help="SlowMo weights files to compare (default: the shipped weights)")
    p.add_argument("--clips", nargs="+", default=None,
                   help="EVAL clips (default: all of SPLIT['eval'])")
    p.add_argument("--max-positions", type=int, default=12, help="positions per clip (default 12)")
    p.add_argument("--methods", default=DEFAULT_METHODS,
                   help=f"comma-separated subset of {DEFAULT_METHODS}")
    p.add_argument("--data-dir", type=Path, default=None,
                   help="data cache with videos/ (default: vfi_plugin.train.data.data_dir())")
    p.add_argument("--threads", type=int, default=2, help="torch threads (default 2)")
    p.add_argument("--speed-repeats", type=int, default=3, help="timed rounds (0: skip speed)")
    p.add_argument("--exact-retime", action="store_true",
                   help="SlowMo 4x: run every Retimer node, also those no scored frame needs")
    p.add_argument("--out", type=Path, default=REPO / "docs" / "quality.md")
    args = p.parse_args(argv)

    import torch
    from vfi_plugin.train.data import SPLIT, data_dir

    t0 = time.perf_counter()
    torch.set_num_threads(args.threads)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    videos = (args.data_dir or data_dir()) / "videos"
    names = args.clips or [f for f, _, _ in SPLIT["eval"]]
    methods = build_methods([k.strip() for k in args.methods.split(",") if k.strip()],
                            args.weights, args.exact_retime)
    clips = [load_eval_clip(videos, name, args.max_positions) for name in names]
    textures = [("synthetic texture", texture(240, 320 + 64))]
    wide = max(clips, key=lambda c: c.size[0])
    if wide.size[0] >= 320 + 48 and wide.size[1] >= 240:
        t = wide.positions[0]
        textures.append((f"{wide.name} frame {t}", wide.frames[t]))
    alignment = minterpolate_alignment(methods, textures)
    for line in alignment:
        log("alignment: " + line)
    results = {}
    for clip in clips:
        log(f"{clip.name}: {clip.n} frames, cuts {clip.cuts}, positions {clip.positions}")
        results[clip.name] = evaluate(clip, methods, log)
    speed = None
    if args.speed_repeats > 0:
        speed = measure_speed(methods, clips[0], args.speed_repeats, log)
    runtime = time.perf_counter() - t0
    text = report(args, argv, clips, methods, results, speed, alignment, runtime, args.threads)
    publish(args.out, text, runtime, log)
    return 0


def publish(out: Path, text: str, runtime: float, log) -> None:
    """Write the markdown report to ``out``, print it, and log where it went."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(text)
    log(f"written {out} in {runtime / 60:.1f} min")


if __name__ == "__main__":
    sys.exit(main())
