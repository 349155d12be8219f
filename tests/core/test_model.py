"""The network and its weights files."""
from __future__ import annotations

import pytest
import torch

from vfi_plugin.errors import WeightsError
from vfi_plugin.model import ModelConfig, Net, load_net, read_metadata, save_weights
from vfi_plugin.engine import default_weights_path


@pytest.mark.parametrize("base", ["flow", "blend"])
def test_forward_any_size_and_bf16(base):
    net = Net(ModelConfig(base=base)).eval()
    x = torch.rand(2, 4, 3, 77, 101)
    with torch.inference_mode():
        out = net(x)
        assert out.refined.shape == out.synthesis.shape == out.base.shape == (2, 3, 77, 101)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            low = net(x)
    assert torch.isfinite(low.refined).all()
    assert (low.refined.float() - out.refined).abs().max() < 0.1


def test_blend_base_is_the_mean_of_the_middle_frames():
    net = Net(ModelConfig(base="blend")).eval()
    x = torch.rand(1, 4, 3, 32, 32)
    with torch.inference_mode():
        out = net(x)
    assert torch.allclose(out.base, 0.5 * (x[:, 1] + x[:, 2]))


def test_training_step_reduces_loss_on_a_fixed_batch():
    from vfi_plugin.model import loss_fn

    torch.manual_seed(0)
    net = Net()
    x = torch.rand(2, 4, 3, 32, 32)
    target = 0.5 * (x[:, 1] + x[:, 2]) + 0.1
    opt = torch.optim.Adam(net.parameters(), 1e-3)
    first = None
    for _ in range(20):
        loss = loss_fn(net(x), target)
        first = first if first is not None else float(loss.detach())
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert float(loss.detach()) < 0.7 * first


def test_weights_round_trip(tmp_path):
    net = Net(ModelConfig(lstm_widths=(8, 16, 32)))
    path = save_weights(net, tmp_path / "w.safetensors", {"step": 3})
    meta = read_metadata(path)
    assert meta["info"]["step"] == 3 and meta["config"]["base"] == "flow"
    loaded = load_net(path)
    for (k, a), (_, b) in zip(net.state_dict().items(), loaded.state_dict().items()):
        assert torch.equal(a, b), k


def test_corrupt_missing_and_foreign_weights_are_refused(tmp_path):
    path = save_weights(Net(), tmp_path / "w.safetensors")
    data = bytearray(path.read_bytes())
    data[-100] ^= 0xFF  # flip a byte inside the tensor data
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(bytes(data))
    with pytest.raises(WeightsError, match="checksum"):
        load_net(bad)
    with pytest.raises(WeightsError, match="not found"):
        load_net(tmp_path / "missing.safetensors")
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"not weights at all")
    with pytest.raises(WeightsError):
        load_net(junk)


def test_shipped_weights_load_and_are_small():
    path = default_weights_path()
    assert path.stat().st_size < 20 * 1024 * 1024
    net = load_net(path)
    assert not net.training
