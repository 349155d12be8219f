"""Write trained weights as the shipped file with their provenance (dev only).

    .venv/bin/python tools/ship_weights.py runs/v3/final.safetensors --note-json '{"stage1": {...}}'

The tensors and config are copied unchanged (checked by sha256); ``info`` gets the
given JSON merged in, so the shipped file says where it came from.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("weights", type=Path)
    p.add_argument("--info-json", default="{}", help="JSON object merged into the file's info")
    p.add_argument("--out", type=Path, default=REPO / "resources" / "weights" / "slowmo.safetensors")
    args = p.parse_args(argv)
    from vfi_plugin.model import load_net, read_metadata, save_weights

    meta = read_metadata(args.weights)
    info = {**meta["info"], **json.loads(args.info_json)}
    save_weights(load_net(args.weights), args.out, info)
    if read_metadata(args.out)["sha256"] != meta["sha256"]:
        raise SystemExit("tensors changed on the way: not shipped")
    print(f"{args.out}: sha256 {meta['sha256'][:16]}…, info {info}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
