#!/usr/bin/env python3
"""Write the weights files that the README's quality table compares into runs/eval/.

    .venv/bin/python tools/eval_variants.py [--v1 runs/slowmo-v1.safetensors] [--v2 resources/weights/slowmo.safetensors]

Variants change only inference settings of a file's config (no parameter changes):
v2 as shipped, v2 with a bilinear warp, v1's weights with the polish and bicubic warp
switched on (untrained), and v1. v1 comes from git history when missing.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from vfi_plugin.model import load_net, read_metadata, reconfigured, save_weights  # noqa: E402

V1_IN_GIT = "3c922a6:resources/weights/slowmo-v1.safetensors"


def variant(src: Path, dst: Path, note: str, **changes) -> None:
    """Save ``src``'s weights to ``dst`` with config fields ``changes`` and a note."""
    new = reconfigured(load_net(src), **changes)
    info = dict(read_metadata(src)["info"], note=note)
    save_weights(new, dst, info)
    print(f"{dst}: warp {new.config.warp_mode}, polish {new.config.polish}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--v1", type=Path, default=REPO / "runs" / "slowmo-v1.safetensors")
    p.add_argument("--v2", type=Path, default=REPO / "resources" / "weights" / "slowmo.safetensors")
    p.add_argument("--out", type=Path, default=REPO / "runs" / "eval")
    args = p.parse_args(argv)
    if not args.v1.exists():
        found = subprocess.run(["git", "-C", str(REPO), "show", V1_IN_GIT], capture_output=True)
        if found.returncode:
            print(f"error: {args.v1} is missing and git history has no {V1_IN_GIT} "
                  "(pass --v1 FILE)", file=sys.stderr)
            return 2
        args.v1.parent.mkdir(parents=True, exist_ok=True)
        args.v1.write_bytes(found.stdout)
    args.out.mkdir(parents=True, exist_ok=True)
    variant(args.v2, args.out / "v2.safetensors", "v2 as shipped")
    variant(args.v2, args.out / "v2-bilinear-warp.safetensors",
            "v2 weights, bilinear warp at inference", warp_mode="bilinear")
    variant(args.v1, args.out / "v1+polish+bicubic-untrained.safetensors",
            "v1 weights unchanged; LK polish and bicubic warp switched on, no training",
            polish=((2, 2, 7), (1, 1, 11)), warp_mode="bicubic")
    variant(args.v1, args.out / "v1.safetensors", "v1 as shipped before v2")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
