"""``python -m vfi_plugin.train``: resumable training from a JSON config."""
from __future__ import annotations

import argparse
import os
from pathlib import Path

import platformdirs

DEFAULT_CONFIG = Path(__file__).with_name("configs") / "slowmo-v2.json"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m vfi_plugin.train", description=__doc__)
    p.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    p.add_argument("--out", type=Path, default=Path("runs/slowmo-v2"),
                   help="run folder: last.pt (resumable), best.safetensors, train.log")
    p.add_argument("--data-dir", type=Path,
                   default=Path(os.environ.get("VFI_SLOWMO_DATA_DIR")
                                or Path(platformdirs.user_cache_dir("vfi-slowmo")) / "data"),
                   help="prepared by `python -m vfi_plugin.train.data.fetch`")
    p.add_argument("--minutes", type=float, default=60.0, help="wall-time budget of this run")
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--init-from", type=Path, default=None,
                   help="start from these weights (e.g. the shipped ones) when --out has no last.pt")
    p.add_argument("--steps", type=int, default=None, help="stop at this step (default: the config's total)")
    p.add_argument("--export", type=Path, default=None, help="write final weights here (safetensors)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from .trainer import Trainer, load_config

    trainer = Trainer(load_config(args.config), args.out, args.data_dir, args.device, args.threads,
                      args.init_from)
    trainer.run(args.minutes, export_to=args.export, max_steps=args.steps)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
