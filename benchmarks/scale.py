"""How a render scales across processes (issue 12; not part of the tests).

    nice -n 10 .venv/bin/python benchmarks/scale.py                      # defaults below
    .venv/bin/python benchmarks/scale.py --size 320x180 --frames 25 --segments 4,8,24

Protocol (one testsrc2 clip, H.264 with a keyframe every 12 frames, ``--factor`` (default 4:
two levels of recursion, so a segment's edges recompute nodes), FFV1 output, CPU, the
shipped model run one window per pass as segments run it):

* one process: a plain render (the reference), after a warm-up render of 3 frames.
* overhead by segment size S: the same render as segments of S source frames one after the
  other in this process (segment, write the FFV1 intermediate, then one assemble step), with
  the same model. Reported: network calls against the plain render's (the context frames
  each side of a segment recompute nodes another segment also computes), source frames
  decoded against the range (context frames decoded twice), the assemble step's time
  (reading the intermediates back and the one encode), their bytes, and the CPU time (this
  process and its ffmpeg children: hardly moved by other programs on a shared CPU) and wall
  time against the plain render's.
* workers: the same render on a LocalCluster of 1 and 2 worker processes (``--workers``),
  wall time including the cluster's start and each worker's model load (also timed alone:
  a cluster started and stopped).
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def make_clip(path: Path, frames: int, width: int, height: int, fps: int = 25) -> None:
    import ffmpeg

    (ffmpeg.input(f"testsrc2=s={width}x{height}:r={fps}", f="lavfi")
     .output(str(path), vframes=frames, vcodec="libx264", pix_fmt="yuv420p", crf=18, g=12)
     .overwrite_output().run(quiet=True))


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (ffmpeg): unlike wall time, it
    hardly moves when other programs share the CPU."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def cpu_timed(fn):
    """(value, wall s, CPU s)."""
    cpu = cpu_seconds()
    value, wall = timed(fn)
    return value, wall, cpu_seconds() - cpu


def segmented_here(src: Path, out: Path, interp, segment_frames: int, factor: int) -> dict:
    """A render as segments in this process, its phases timed apart."""
    from vfi_plugin.farm.segments import assemble, new_job_dir, render_segment, split
    from vfi_plugin.jobs import RenderRequest, plan_render

    plan = plan_render(RenderRequest(src, out, factor))
    segments = split(plan.source_frames, plan.retime, segment_frames)
    job_dir = new_job_dir(out)
    try:
        calls = interp.net_calls
        _, render_s, render_cpu = cpu_timed(lambda: [
            render_segment(plan, "hold", s, job_dir, interpolator=interp) for s in segments])
        calls = interp.net_calls - calls
        size = sum(p.stat().st_size for p in job_dir.iterdir())
        frames, assemble_s, assemble_cpu = cpu_timed(
            lambda: assemble(plan, job_dir, segments, out, replace=True))
    finally:
        shutil.rmtree(job_dir, ignore_errors=True)
    decoded = sum(s.read_end - s.read_start for s in segments)
    return {"segments": len(segments), "calls": calls, "decoded": decoded,
            "render_s": render_s, "assemble_s": assemble_s, "render_cpu": render_cpu,
            "assemble_cpu": assemble_cpu, "bytes": size, "frames": frames,
            "source": plan.source_frames}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="320x180")
    ap.add_argument("--frames", type=int, default=25, help="source frames (default 25)")
    ap.add_argument("--factor", type=int, default=4)
    ap.add_argument("--segments", default="3,6,12,25",
                    help="segment sizes in source frames (default 3,6,12,25)")
    ap.add_argument("--parts", default="overhead,workers",
                    help="what to measure: overhead, workers or both (default)")
    ap.add_argument("--workers-segment", type=int, default=6,
                    help="segment size of the --workers runs (default 6)")
    args = ap.parse_args(argv)
    width, height = map(int, args.size.split("x"))
    sizes = [int(s) for s in args.segments.split(",")]

    import torch

    from vfi_plugin import load_interpolator, render
    from vfi_plugin.farm import FarmOptions, dask_engine
    from vfi_plugin.farm.segments import segment_options

    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), "?") if os.path.exists("/proc/cpuinfo") else "?"
    print(f"# scale: {width}x{height}, {args.frames} source frames, factor {args.factor}, "
          f"CPU {cpu}, "
          f"{os.cpu_count()} cores, torch {torch.get_num_threads()} threads")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        src = tmp / "src.mp4"
        make_clip(src, args.frames, width, height)
        interp = load_interpolator(device="cpu", options=segment_options())
        render(src, tmp / "warm.mkv", factor=args.factor, end="3f", interpolator=interp)
        calls = interp.net_calls
        plain, plain_s, plain_cpu = cpu_timed(lambda: render(
            src, tmp / "plain.mkv", factor=args.factor, interpolator=interp))
        plain_calls = interp.net_calls - calls
        print(f"\none process: {plain.frames} frames in {plain_s:.1f} s wall, {plain_cpu:.1f} s "
              f"CPU ({plain.frames / plain_s:.2f} fps), {plain_calls} network calls")

        if "overhead" in args.parts:
            print("\n| segment (source frames) | segments | network calls | extra calls | "
                  "frames decoded | extra decoded | segments CPU s | assemble CPU s | "
                  "intermediates MB | CPU vs one process | wall vs one process |")
            print("|---|---|---|---|---|---|---|---|---|---|---|")
            for size in sizes:
                r = segmented_here(src, tmp / f"seg{size}.mkv", interp, size, args.factor)
                wall = r["render_s"] + r["assemble_s"]
                cpu = r["render_cpu"] + r["assemble_cpu"]
                print(f"| {size} | {r['segments']} | {r['calls']} | "
                      f"{100 * (r['calls'] / plain_calls - 1):+.1f} % | {r['decoded']} | "
                      f"{100 * (r['decoded'] / r['source'] - 1):+.1f} % | {r['render_cpu']:.1f} | "
                      f"{r['assemble_cpu']:.1f} | {r['bytes'] / 1e6:.1f} | "
                      f"{100 * (cpu / plain_cpu - 1):+.1f} % | {100 * (wall / plain_s - 1):+.1f} % |",
                      flush=True)

        if "workers" in args.parts:
            print(f"\n| local workers (segments of {args.workers_segment}) | wall s | "
                  f"cluster start + stop s | output fps |")
            print("|---|---|---|---|")
            for n in (1, 2):
                farm = FarmOptions(workers=n)
                (client, cluster), start_s = timed(lambda: dask_engine.connect(farm))
                _, stop_s = timed(lambda: (client.close(), cluster.close()))
                result, wall = timed(lambda: render(src, tmp / f"w{n}.mkv", factor=args.factor,
                                                    device="cpu",
                                                    workers=n,
                                                    segment_frames=args.workers_segment))
                print(f"| {n} | {wall:.1f} | {start_s + stop_s:.1f} | {result.frames / wall:.2f} |",
                      flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
