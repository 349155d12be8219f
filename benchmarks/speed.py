"""Speed and memory benchmark (not part of the tests): prints the numbers quoted in the README.

    .venv/bin/python benchmarks/speed.py            # everything (~15 min on 2 cores)
    .venv/bin/python benchmarks/speed.py --quick    # model timings at 540p/720p only
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = {"540p": (960, 540), "720p": (1280, 720), "1080p": (1920, 1080)}


def test_frames(width: int, height: int, n: int = 4):
    """A moving pattern: a textured background panning under a moving disc."""
    import numpy as np

    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    frames = []
    for i in range(n):
        bg = 127 + 60 * np.sin((xx + 6 * i) / 17.0) * np.cos((yy - 3 * i) / 23.0)
        disc = ((xx - width * 0.3 - 15 * i) ** 2 + (yy - height * 0.5) ** 2) < (height * 0.12) ** 2
        rgb = np.stack([bg, bg * 0.8 + 30, 255 - bg], -1)
        rgb[disc] = (240, 200, 40)
        frames.append(np.clip(rgb, 0, 255).astype(np.uint8))
    return frames


def gflop_per_frame(interp, width: int, height: int) -> float:
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    x = torch.rand(1, 4, 3, height, width)
    counter = FlopCounterMode(display=False)
    with torch.inference_mode(), counter:
        interp.net(x)
    return counter.get_total_flops() / 1e9


def time_midpoints(interp, width: int, height: int, repeats: int) -> float:
    frames = test_frames(width, height)
    interp.midpoint(*frames)  # warm-up
    start = time.perf_counter()
    for _ in range(repeats):
        interp.midpoint(*frames)
    return (time.perf_counter() - start) / repeats


def model_speed(sizes: list[str], threads: int) -> None:
    import torch
    from vfi_plugin.engine import InferenceOptions, load_interpolator

    torch.set_num_threads(threads)
    interp = load_interpolator(device="cpu")
    print(f"## model speed (CPU, {threads} threads, precision {interp.dtype or 'fp32'})")
    print("| size | s/frame | frames/s | GFLOP/frame | GFLOP/s |")
    print("|---|---|---|---|---|")
    for name in sizes:
        w, h = SIZES[name]
        sec = time_midpoints(interp, w, h, 3 if name != "1080p" else 2)
        gflop = gflop_per_frame(interp, w, h)
        print(f"| {name} | {sec:.3f} | {1 / sec:.2f} | {gflop:.1f} | {gflop / sec:.1f} |", flush=True)
    print("\n## precision and memory layout at 720p")
    print("| precision | channels_last | s/frame |")
    print("|---|---|---|")
    for precision in ("fp32", "bf16"):
        for cl in (False, True):
            it = load_interpolator(device="cpu", options=InferenceOptions(precision=precision,
                                                                          channels_last=cl))
            print(f"| {precision} | {cl} | {time_midpoints(it, 1280, 720, 2):.3f} |", flush=True)


def make_clip(path: Path, seconds: float, width: int, height: int, fps: int = 25) -> None:
    import ffmpeg

    (ffmpeg.input(f"testsrc2=s={width}x{height}:r={fps}:d={seconds}", f="lavfi")
     .output(str(path), vcodec="libx264", pix_fmt="yuv420p", crf=18)
     .overwrite_output().run(quiet=True))


def pipeline_share(width: int, height: int, seconds: float) -> None:
    """Wall time of a full render against the time spent inside the network."""
    from vfi_plugin import load_interpolator, render

    interp = load_interpolator(device="cpu")
    inner = {"s": 0.0}
    run = interp._run

    def timed(windows):
        t = time.perf_counter()
        try:
            return run(windows)
        finally:
            inner["s"] += time.perf_counter() - t

    interp._run = timed
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src.mp4"
        make_clip(src, seconds, width, height)
        start = time.perf_counter()
        result = render(src, Path(tmp) / "out.mp4", factor=2, interpolator=interp)
        wall = time.perf_counter() - start
    share = 1 - inner["s"] / wall
    print(f"\n## full render {width}x{height}, {seconds:g} s clip, factor 2")
    print(f"{result.frames} frames written in {wall:.1f} s ({result.frames / wall:.2f} output fps); "
          f"model {inner['s']:.1f} s; outside the model (decode, encode, copies): {100 * share:.1f} %")


def peak_memory_child(seconds: float, width: int, height: int) -> None:
    from vfi_plugin import render

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src.mp4"
        make_clip(src, seconds, width, height)
        start = time.perf_counter()
        result = render(src, Path(tmp) / "out.mp4", factor=2, device="cpu")
        wall = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "frames": result.frames, "wall_s": round(wall, 1),
                      "peak_rss_mib": round(peak_mib, 1)}))


def peak_memory(width: int, height: int) -> None:
    print(f"\n## peak memory of a whole render process ({width}x{height}, factor 2)")
    print("| clip | output frames | wall s | peak RSS MiB |")
    print("|---|---|---|---|")
    for seconds in (10, 60):
        out = subprocess.run([sys.executable, __file__, "--memory-child", str(seconds),
                              "--size", f"{width}x{height}"], capture_output=True, text=True,
                             check=True)
        row = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"| {seconds} s | {row['frames']} | {row['wall_s']} | {row['peak_rss_mib']} |", flush=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    p.add_argument("--memory-child", type=float, default=None, help=argparse.SUPPRESS)
    p.add_argument("--size", default="320x180", help="frame size of the memory runs")
    args = p.parse_args(argv)
    w, h = (int(v) for v in args.size.split("x"))
    if args.memory_child is not None:
        peak_memory_child(args.memory_child, w, h)
        return 0
    model_speed(["540p", "720p"] if args.quick else list(SIZES), args.threads)
    if not args.quick:
        pipeline_share(960, 540, 2.0)
        peak_memory(w, h)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
