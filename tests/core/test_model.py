"""The network and its weights files."""
from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

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
    x = torch.stack([_smooth_texture(32, 32, seed=i)[0] for i in range(8)]).view(2, 4, 3, 32, 32)
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


def test_bilateral_cost_finds_a_symmetric_shift():
    from vfi_plugin.model.flow import bilateral_cost

    torch.manual_seed(1)
    scene = torch.rand(1, 3, 40, 48)
    # I2 shows the scene moved 2 px left, I3 moved 2 px right: the middle is unmoved, so
    # the flow update that aligns them is d = (+2... ) on I2's side and -d on I3's side.
    w2 = torch.roll(scene, shifts=-2, dims=-1)
    w3 = torch.roll(scene, shifts=2, dims=-1)
    cost = bilateral_cost(w2, w3, radius=3)
    assert cost.shape == (1, 49, 40, 48)
    inner = cost[..., 6:-6, 6:-6].mean((0, 2, 3))
    best = int(inner.argmin())
    dy, dx = divmod(best, 7)
    assert (dy - 3, dx - 3) == (0, -2)
    assert inner[best] < 1e-6 < inner.sort().values[1]
    assert bilateral_cost(w2, w3, 0).shape == (1, 0, 40, 48)


def test_transplant_grows_inputs_without_changing_the_output():
    from vfi_plugin.model import transplant

    torch.manual_seed(0)
    old = Net(ModelConfig(flow_cost_radii=())).eval()
    new = Net(ModelConfig(flow_cost_radii=(3, 3, 2))).eval()
    with torch.no_grad():
        for p in old.flow.parameters():  # a non-trivial flow so the cost inputs matter
            p.add_(0.01 * torch.randn_like(p))
        grown = transplant(new, old.state_dict())
    assert len(grown) == 3 and all("body.0.0.weight" in g for g in grown)
    x = torch.rand(1, 4, 3, 64, 64)
    with torch.inference_mode():
        assert torch.allclose(old(x).refined, new(x).refined, atol=1e-4)
    with pytest.raises(WeightsError, match="cannot transplant"):
        transplant(Net(ModelConfig(refine_width=6)), old.state_dict())


def test_weights_from_before_the_cost_volume_still_load(tmp_path):
    old = Net(ModelConfig(flow_cost_radii=(), polish=()))
    path = save_weights(old, tmp_path / "old.safetensors")
    meta = read_metadata(path)
    del meta["config"]["flow_cost_radii"]  # how files written before them look
    del meta["config"]["polish"]
    assert ModelConfig.from_dict(meta["config"]).flow_cost_radii == ()
    assert ModelConfig.from_dict(meta["config"]).polish == ()
    del meta["config"]["warp_mode"]
    assert ModelConfig.from_dict(meta["config"]).warp_mode == "bilinear"  # as v1 was trained
    assert load_net(path).config.flow_cost_radii == ()


def _smooth_texture(h: int, w: int, seed: int = 0) -> torch.Tensor:
    torch.manual_seed(seed)
    noise = torch.rand(1, 3, h, w)
    kernel = torch.ones(3, 1, 5, 5) / 25
    return torch.nn.functional.conv2d(noise, kernel, padding=2, groups=3)


def test_lucas_kanade_polish_recovers_a_sub_pixel_symmetric_motion():
    from vfi_plugin.model.polish import polish_flow
    from vfi_plugin.model.warp import backward_warp

    scene = _smooth_texture(72, 88)
    # The middle frame is `scene`; I2 sees it displaced by -s, I3 by +s, so the flows from
    # the middle to I2 and I3 are -s and +s: sub-pixel, which a regressor rarely nails.
    s = torch.tensor([0.6, -0.35])
    ident = torch.zeros(1, 2, 72, 88)
    i2 = backward_warp(scene, ident + s.view(1, 2, 1, 1))   # I2(x) = scene(x + s)
    i3 = backward_warp(scene, ident - s.view(1, 2, 1, 1))   # I3(x) = scene(x - s)
    flow = polish_flow(i2, i3, torch.zeros(1, 4, 72, 88), ((2, 2, 7), (1, 1, 11)))
    inner = flow[..., 12:-12, 12:-12].mean((0, 2, 3))
    assert torch.allclose(inner, torch.cat([-s, s]), atol=0.08), inner
    mismatch = (backward_warp(i2, flow[:, :2]) - backward_warp(i3, flow[:, 2:]))
    assert mismatch[..., 12:-12, 12:-12].abs().mean() < 0.2 * (i2 - i3)[..., 12:-12, 12:-12].abs().mean()


def test_polish_keeps_still_frames_and_float32_under_bf16():
    from vfi_plugin.model.polish import polish_flow

    frame = _smooth_texture(40, 48)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        flow = polish_flow(frame, frame, torch.zeros(1, 4, 40, 48, dtype=torch.bfloat16),
                           ((2, 2, 7), (1, 1, 11)))
    assert flow.dtype == torch.float32
    assert flow.abs().max() == 0


def test_bicubic_warp_blurs_a_half_pixel_shift_less_than_bilinear():
    from vfi_plugin.model.warp import backward_warp

    xs = torch.arange(64, dtype=torch.float32)
    wave = lambda x: 0.5 + 0.4 * torch.sin(2 * torch.pi * x / 5.0)
    image = wave(xs).expand(1, 3, 16, 64).contiguous()
    flow = torch.zeros(1, 2, 16, 64)
    flow[:, 0] = 0.5
    truth = wave(xs + 0.5)[4:-4]
    err = {m: (backward_warp(image, flow, m)[0, 0, 8, 4:-4] - truth).abs().mean()
           for m in ("bilinear", "bicubic")}
    assert err["bicubic"] < 0.3 * err["bilinear"], err
    with pytest.raises(ValueError, match="warp_mode"):
        ModelConfig.from_dict({"warp_mode": "nearest"})


def test_polish_box_filter_matches_a_mean_over_the_pixels_inside_the_image():
    from vfi_plugin.model.polish import _box

    torch.manual_seed(0)
    for shape, window in (((2, 5, 37, 51), 11), ((1, 3, 5, 4), 7)):  # the second: window > image
        x = torch.rand(*shape)
        ref = F.avg_pool2d(x, window, 1, window // 2, count_include_pad=False)
        assert torch.allclose(_box(x, window), ref, atol=1e-6)


def test_convlstm_split_gates_equal_one_convolution_over_the_concatenation() -> None:
    from vfi_plugin.model.convlstm import ConvLSTMLayer

    torch.manual_seed(0)
    layer = ConvLSTMLayer(5, 8).eval()
    seq = torch.randn(2, 4, 5, 12, 10)

    def reference(cell, steps):
        h = c = torch.zeros(2, cell.hidden_channels, 12, 10)
        out = []
        for x in steps:
            i, f, o, g = cell.gates(torch.cat([x, h], 1)).chunk(4, 1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
            out.append(h)
        return out

    with torch.no_grad():
        outputs, summary = layer(seq)
        fwd = reference(layer.forward_cell, seq.unbind(1))
        bwd = reference(layer.backward_cell, list(reversed(seq.unbind(1))))[::-1]
    want = torch.stack([torch.cat([f, b], 1) for f, b in zip(fwd, bwd)], 1)
    assert torch.allclose(outputs, want, atol=1e-6)
    assert torch.allclose(summary, torch.cat([fwd[-1], bwd[0]], 1), atol=1e-6)


def test_transplant_keeps_fresh_parts_as_initialised() -> None:
    from vfi_plugin.model import transplant

    old = Net(ModelConfig(flow_widths=(16, 8, 8)))
    new = Net(ModelConfig(flow_widths=(24, 16, 8, 8), flow_cost_radii=(2,)))
    before = {k: v.clone() for k, v in new.state_dict().items() if k.startswith("flow.")}
    with torch.no_grad():
        transplant(new, old.state_dict(), fresh=("flow.",))
    state = new.state_dict()
    assert all(torch.equal(state[k], v) for k, v in before.items())
    assert torch.equal(state["synthesis.lstm1.forward_cell.gates.weight"],
                       old.state_dict()["synthesis.lstm1.forward_cell.gates.weight"])


def test_cost_seed_finds_a_translation_within_its_radius() -> None:
    from vfi_plugin.model.flow import cost_seed

    g = torch.Generator().manual_seed(1)
    img = F.interpolate(torch.rand(1, 3, 20, 24, generator=g), size=(40, 48), mode="bilinear")
    i2, i3 = img[..., 4:36, 2:42], img[..., 4:36, 8:48]  # content moves -6 px in x from I2 to I3
    seed = cost_seed(i2, i3, radius=4, sharpness=30.0)
    inner = seed[..., 6:-6, 6:-6]
    assert seed.shape == (1, 4, 32, 40)
    # the middle frame's content sits 3 px left of I2's... and 3 px right of I3's
    assert abs(float(inner[:, 0].median()) - 3.0) < 0.25 and abs(float(inner[:, 1].median())) < 0.25
    assert torch.allclose(seed[:, 2:], -seed[:, :2])
