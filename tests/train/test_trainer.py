"""The training loop: runs, checkpoints, resumes and exports loadable weights."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
import pytest

from vfi_plugin.model import load_net, read_metadata
from vfi_plugin.train.trainer import Trainer, load_config, lr_at

CONFIGS = Path(__file__).resolve().parents[2] / "vfi_plugin" / "train" / "configs"
CONFIG = CONFIGS / "slowmo-v1.json"


def tiny_config(steps: int, path: Path = CONFIG) -> dict:
    cfg = load_config(path)
    cfg["data"].update(patch=32, batch=2, video_fraction=0.0, workers=0)
    cfg["optim"].update(total_steps=steps, warmup_steps=1)
    cfg.update(val_samples=2, val_every_steps=2, checkpoint_minutes=100)
    return cfg


@pytest.fixture
def data_dir(tmp_path) -> Path:
    Image = pytest.importorskip("PIL.Image")
    photos = tmp_path / "data" / "photos"
    photos.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for i in range(3):
        img = (rng.random((96, 120, 3)) * 255).astype(np.uint8)
        Image.fromarray(img).save(photos / f"p{i}.png")
    (tmp_path / "data" / "videos").mkdir()
    return tmp_path / "data"


def test_train_resume_and_export(tmp_path, data_dir):
    out = tmp_path / "run"
    Trainer(tiny_config(3), out, data_dir, threads=1).run(minutes=5)
    assert (out / "last.pt").exists() and (out / "best.safetensors").exists()
    trainer = Trainer(tiny_config(5), out, data_dir, threads=1)
    assert trainer.state.step == 3  # resumed
    trainer.run(minutes=5, export_to=tmp_path / "w.safetensors")
    assert trainer.state.step == 5
    meta = read_metadata(tmp_path / "w.safetensors")
    assert meta["info"]["step"] == 5 and meta["config"]["base"] == "flow"
    load_net(tmp_path / "w.safetensors")
    assert "val_psnr" in (out / "train.log").read_text()
    # A warm start from v1-shaped weights into a model whose flow levels grow cost-volume
    # inputs: the schedule starts afresh and the export records where it came from, with
    # inference-only overrides applied.
    v2 = tiny_config(2, CONFIGS / "slowmo-v2.json")
    v2["model"].update(flow_cost_radii=[3, 3, 2], warp_mode="bilinear")
    v2["export_model"] = {"warp_mode": "bicubic"}
    init = Trainer(v2, tmp_path / "fresh", data_dir, threads=1, init_from=tmp_path / "w.safetensors")
    assert init.state.step == 0 and init.state.parent["step"] == 5
    assert "flow.levels.0.body.0.0.weight" in (tmp_path / "fresh" / "train.log").read_text()
    init.run(minutes=5, export_to=tmp_path / "v2.safetensors")
    meta = read_metadata(tmp_path / "v2.safetensors")
    assert meta["config"]["flow_cost_radii"] == [3, 3, 2]
    assert meta["config"]["warp_mode"] == "bicubic" and init.net.config.warp_mode == "bilinear"
    assert meta["info"]["step"] == 2 and meta["info"]["init_from"]["step"] == 5
    assert meta["info"]["total_train_minutes"] >= meta["info"]["init_from"]["train_minutes"]
    assert load_net(tmp_path / "v2.safetensors").config.flow_cost_radii == (3, 3, 2)


def test_learning_rate_schedule():
    optim = {"lr": 1e-3, "warmup_steps": 10, "total_steps": 110, "min_lr_ratio": 0.1}
    assert lr_at(0, optim) == pytest.approx(1e-4)
    assert lr_at(10, optim) == pytest.approx(1e-3)
    assert lr_at(110, optim) == pytest.approx(1e-4)
    assert lr_at(60, optim) == pytest.approx(0.55e-3)


def test_flow_head_only_training_with_exact_flow(tmp_path, data_dir):
    """Stage 1 of v3: a fresh flow head trained against the exact flow on top of earlier
    synthesis/refinement nets, which stay exactly as loaded."""
    Trainer(tiny_config(1), tmp_path / "v1", data_dir, threads=1).run(
        minutes=5, export_to=tmp_path / "v1.safetensors")
    cfg = tiny_config(3, CONFIGS / "slowmo-v3-flow.json")
    cfg["model"].update(flow_widths=[16, 8, 8, 8])
    trainer = Trainer(cfg, tmp_path / "v3", data_dir, threads=1, init_from=tmp_path / "v1.safetensors")
    start = {k: v.clone() for k, v in trainer.net.state_dict().items()}
    trainer.run(minutes=5, export_to=tmp_path / "v3.safetensors")
    end = load_net(tmp_path / "v3.safetensors").state_dict()
    v1 = load_net(tmp_path / "v1.safetensors").state_dict()
    for name, value in end.items():
        if name.startswith("flow."):
            continue
        assert torch.equal(value, start[name]) and torch.equal(value, v1[name]), name
    assert any(not torch.equal(end[k], start[k]) for k in end if k.startswith("flow."))
