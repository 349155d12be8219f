"""Resumable CPU/GPU training loop with checkpoints, logging and validation PSNR."""
from __future__ import annotations

import json
import math
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import torch

from ..engine.device import cpu_supports_bf16
from ..model import ModelConfig, Net, NetOutput, loss_fn, reconfigured, save_weights


@dataclass
class TrainState:
    """Everything a resumed run needs besides the model and optimizer."""

    step: int = 0
    elapsed_s: float = 0.0
    best_val_psnr: float = -1.0
    parent: dict[str, Any] | None = None  # info of the weights this run started from


def lr_at(step: int, optim: dict[str, Any]) -> float:
    """Linear warm-up then cosine decay to ``min_lr_ratio`` of the peak."""
    peak, warm, total = optim["lr"], optim["warmup_steps"], optim["total_steps"]
    if step < warm:
        return peak * (step + 1) / warm
    progress = min(1.0, (step - warm) / max(1, total - warm))
    floor = optim.get("min_lr_ratio", 0.0)
    return peak * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress)))


def psnr(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Per-sample PSNR in dB for images in [0, 1], capped at 50 dB (still samples are exact)."""
    mse = (pred.clamp(0, 1) - target).float().pow(2).flatten(1).mean(1)
    return (-10 * torch.log10(mse.clamp_min(1e-10))).clamp_max(50.0)


def autocast(device: torch.device, enabled: bool):
    """bf16 autocast on CPU, fp16 would need a scaler, so CUDA uses bf16 too."""
    return torch.autocast(device.type, dtype=torch.bfloat16, enabled=enabled)


class Trainer:
    """Trains ``Net`` from a JSON config into ``out_dir`` (last.pt, best.safetensors, train.log)."""

    def __init__(self, config: dict[str, Any], out_dir: Path, data_dir: Path,
                 device: str = "cpu", threads: int | None = None,
                 init_from: Path | None = None) -> None:
        self.config = config
        self.out_dir = Path(out_dir)
        self.data_dir = Path(data_dir)
        self.device = torch.device(device)
        if threads:
            torch.set_num_threads(threads)
        torch.set_flush_denormal(True)  # denormal weights/grads make CPU kernels crawl
        seed = config["seed"]
        random.seed(seed)
        np.random.seed(seed)
        torch.manual_seed(seed)
        self.net = Net(ModelConfig.from_dict(config["model"])).to(self.device)
        # "all" trains every part; "flow" only the flow head (the image nets stay as loaded)
        self.parts = config.get("train_parts", "all")
        if self.parts not in ("all", "flow"):
            raise ValueError(f"train_parts must be 'all' or 'flow', not {self.parts!r}")
        params = self.net.flow.parameters() if self.parts == "flow" else self.net.parameters()
        self.params = list(params)
        self.opt = torch.optim.AdamW(self.params, lr=config["optim"]["lr"],
                                     weight_decay=config["optim"].get("weight_decay", 0.0))
        self.state = TrainState()
        self.bf16 = config.get("precision") == "bf16-autocast"
        self.out_dir.mkdir(parents=True, exist_ok=True)
        if self.bf16 and self.device.type == "cpu" and not cpu_supports_bf16():
            # Emulated bf16 is several times slower than fp32 (measured: 23 s vs ~2 s a step).
            self.bf16 = False
            self.log("this CPU has no native bf16 (AVX512-BF16/AMX): training in fp32")
        self._resume(init_from)

    # -- checkpoints -------------------------------------------------------
    @property
    def checkpoint_path(self) -> Path:
        return self.out_dir / "last.pt"

    def _resume(self, init_from: Path | None = None) -> None:
        if not self.checkpoint_path.exists():
            if init_from is not None:  # start from earlier weights: new schedule, fresh optimizer
                from ..model import load_net, read_metadata, transplant

                with torch.no_grad():
                    grown = transplant(self.net, load_net(init_from).state_dict(),
                                       tuple(self.config.get("init_fresh", ())))
                info = read_metadata(init_from)["info"]
                self.state = TrainState(parent={"file": Path(init_from).name, **info})
                self.log(f"initialised from {init_from} ({info.get('step', '?')} steps, "
                         f"{info.get('train_minutes', '?')} min); grown: {grown or 'nothing'}")
            return
        ckpt = torch.load(self.checkpoint_path, map_location=self.device, weights_only=True)
        self.net.load_state_dict(ckpt["model"])
        self.opt.load_state_dict(ckpt["opt"])
        self.state = TrainState(**ckpt["state"])
        self.log(f"resumed from step {self.state.step} ({self.state.elapsed_s / 60:.1f} min trained)")

    def save_checkpoint(self) -> None:
        tmp = self.checkpoint_path.with_suffix(".tmp")
        torch.save({"model": self.net.state_dict(), "opt": self.opt.state_dict(),
                    "state": vars(self.state)}, tmp)
        tmp.replace(self.checkpoint_path)

    def export(self, path: Path) -> Path:
        """Write the current weights as a shippable safetensors file with provenance."""
        info = {"config_name": self.config.get("name"), "step": self.state.step,
                "train_minutes": round(self.state.elapsed_s / 60, 1),
                "val_psnr": round(self.state.best_val_psnr, 3),
                "data": self.config["data"].get("sources"), "seed": self.config["seed"]}
        if self.state.parent:
            info["init_from"] = self.state.parent
            info["total_train_minutes"] = round(
                info["train_minutes"] + float(self.state.parent.get("total_train_minutes",
                                                                  self.state.parent.get("train_minutes", 0))), 1)
        net = self.net
        overrides = self.config.get("export_model", {})
        if overrides:  # inference-only settings (no parameters change), e.g. warp_mode
            net = reconfigured(self.net, **overrides)
            info["export_model"] = overrides
        return save_weights(net, path, info)

    def log(self, line: str) -> None:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        with open(self.out_dir / "train.log", "a") as fh:
            fh.write(f"{stamp} {line}\n")
        print(f"{stamp} {line}", flush=True)

    # -- data --------------------------------------------------------------
    def batches(self) -> Iterator[dict[str, torch.Tensor]]:
        from .data import mixed_loader

        d = self.config["data"]
        seed = self.config["seed"] + self.state.step  # new stream after a resume
        return iter(mixed_loader(self.data_dir / "photos", self.data_dir / "videos",
                                 batch=d["batch"], patch=d["patch"],
                                 video_fraction=d["video_fraction"], workers=d["workers"],
                                 seed=seed, still_fraction=d.get("still_fraction", 0.33),
                                 max_disp=d.get("max_disp", 40.0), min_disp=d.get("min_disp", 1.0),
                                 with_flow=bool(self.config["loss"].get("flow", 0.0)),
                                 photo_max_side=d.get("photo_max_side", 960)))

    def validation_set(self) -> list[dict[str, torch.Tensor]]:
        from .data import SyntheticMotion

        d = self.config["data"]
        ds = iter(SyntheticMotion(self.data_dir / "photos", patch=d["patch"], seed=987654,
                                  max_disp=d.get("max_disp", 40.0),
                                  photo_max_side=d.get("photo_max_side", 960)))
        return [next(ds) for _ in range(self.config.get("val_samples", 64))]

    @torch.inference_mode()
    def validate(self, samples: list[dict[str, torch.Tensor]]) -> tuple[float, float]:
        self.net.eval()
        scores, blend = [], []
        for i in range(0, len(samples), 16):
            chunk = samples[i:i + 16]
            frames = torch.stack([s["frames"] for s in chunk]).to(self.device)
            target = torch.stack([s["target"] for s in chunk]).to(self.device)
            with autocast(self.device, self.bf16):
                out = self.forward(frames)
            scores.append(psnr(out.refined.float(), target))
            blend.append(psnr(0.5 * (frames[:, 1] + frames[:, 2]), target))
        self.net.train()
        return float(torch.cat(scores).mean()), float(torch.cat(blend).mean())

    def forward(self, frames: torch.Tensor) -> NetOutput:
        """The whole net, or with ``train_parts: "flow"`` only its base (cheaper: the
        image nets do not run; their outputs are reported as the base)."""
        if self.parts == "all":
            return self.net(frames)
        m = self.net.motion(frames)
        return NetOutput(m.base, m.base, m.base, m.flow, m.levels)

    # -- loop --------------------------------------------------------------
    def run(self, minutes: float, export_to: Path | None = None, max_steps: int | None = None) -> None:
        """Train for ``minutes`` of wall time (or until total_steps / max_steps), checkpointing."""
        cfg, optim_cfg, loss_cfg = self.config, self.config["optim"], self.config["loss"]
        val = self.validation_set()
        batches = self.batches()
        self.net.train()
        start = time.monotonic()
        last_ckpt = start
        run_start_elapsed = self.state.elapsed_s
        running = 0.0
        waited = 0.0
        stop_at = min(optim_cfg["total_steps"], max_steps or optim_cfg["total_steps"])
        while self.state.step < stop_at:
            now = time.monotonic()
            if now - start > minutes * 60:
                break
            t_wait = time.monotonic()
            batch = next(batches)
            waited += time.monotonic() - t_wait
            frames = batch["frames"].to(self.device, non_blocking=True)
            target = batch["target"].to(self.device, non_blocking=True)
            for group in self.opt.param_groups:
                group["lr"] = lr_at(self.state.step, optim_cfg)
            with autocast(self.device, self.bf16):
                out = self.forward(frames)
            flow_target = batch["flow"].to(self.device) if "flow" in batch else None
            flow_valid = batch["flow_valid"].to(self.device) if "flow_valid" in batch else None
            loss = loss_fn(out._replace(synthesis=out.synthesis.float(), refined=out.refined.float(),
                                        base=out.base.float()), target,
                           base_weight=loss_cfg.get("base", 0.0), flow_target=flow_target,
                           flow_valid=flow_valid, flow_weight=loss_cfg.get("flow", 0.0),
                           image_weight=0.0 if self.parts == "flow" else 1.0)
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.params, 1.0)
            self.opt.step()
            self.state.step += 1
            self.state.elapsed_s = run_start_elapsed + (time.monotonic() - start)
            value = float(loss.detach())
            running = 0.98 * running + 0.02 * value if running else value
            if self.state.step % 50 == 0:
                self.log(f"step {self.state.step} loss {running:.4f} lr {self.opt.param_groups[0]['lr']:.2e} "
                         f"{self.state.elapsed_s / 60:.1f} min, data wait {waited:.1f} s")
                waited = 0.0
            if self.state.step % cfg.get("val_every_steps", 500) == 0:
                score, blend = self.validate(val)
                self.log(f"step {self.state.step} val_psnr {score:.3f} (blend {blend:.3f})")
                if score > self.state.best_val_psnr:
                    self.state.best_val_psnr = score
                    self.export(self.out_dir / "best.safetensors")
            if time.monotonic() - last_ckpt > cfg.get("checkpoint_minutes", 5) * 60:
                self.save_checkpoint()
                last_ckpt = time.monotonic()
        self.save_checkpoint()
        score, blend = self.validate(val)
        self.log(f"stop at step {self.state.step} val_psnr {score:.3f} (blend {blend:.3f})")
        if score > self.state.best_val_psnr:
            self.state.best_val_psnr = score
            self.export(self.out_dir / "best.safetensors")
            self.save_checkpoint()
        if export_to is not None:
            self.export(export_to)


def load_config(path: str | Path) -> dict[str, Any]:
    """Read a training config (JSON)."""
    return json.loads(Path(path).read_text())
