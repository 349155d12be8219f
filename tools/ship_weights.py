"""Write trained weights as the shipped file with their provenance (dev only).

    .venv/bin/python tools/ship_weights.py runs/v3/final.safetensors --note-json '{"stage1": {...}}'

The tensors are copied unchanged (checked by sha256); ``info`` gets the given JSON merged
in, so the shipped file says where it came from. ``--config-json`` changes inference-only
settings that add no parameters (``polish``, ``flow_max_pixels``, ``warp_mode``); the
change is recorded in ``info["inference_config"]``.
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
    p.add_argument("--config-json", default="{}",
                   help="inference settings to change, e.g. '{\"polish\": [[8, 2, 7], [2, 2, 7]]}'")
    args = p.parse_args(argv)
    from vfi_plugin.model import load_net, read_metadata, save_weights
    from vfi_plugin.model.weights import INFERENCE_FIELDS, reconfigured

    meta = read_metadata(args.weights)
    info = {**meta["info"], **json.loads(args.info_json)}
    changes = json.loads(args.config_json)
    unknown = sorted(set(changes) - set(INFERENCE_FIELDS))
    if unknown:
        raise SystemExit(f"not inference-only settings: {', '.join(unknown)} "
                         f"(allowed: {', '.join(INFERENCE_FIELDS)})")
    net = load_net(args.weights)
    if changes:
        changes = {k: (tuple(tuple(s) for s in v) if k == "polish" else v)
                   for k, v in changes.items()}
        net = reconfigured(net, **changes)
        info["inference_config"] = {**info.get("inference_config", {}), **json.loads(args.config_json)}
    save_weights(net, args.out, info)
    if read_metadata(args.out)["sha256"] != meta["sha256"]:
        raise SystemExit("tensors changed on the way: not shipped")
    print(f"{args.out}: sha256 {meta['sha256'][:16]}…, info {info}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
