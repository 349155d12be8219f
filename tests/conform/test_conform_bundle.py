"""`vfi-slowmo conform ... --bundle DIR` (issue 13): a timeline's conform as an Open Job
Description job bundle, validated with openjd-model and run for real with `openjd run`: one task
per clip render, then the new timeline; the renders equal a plain ConformJob's frame by frame."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest

from timelines import clip, gap, timeline
from vfi_plugin.cli import main
from vfi_plugin.conform import ConformJob, plan_conform, read_timeline
from vfi_plugin.conform.clips import time_warp, video_clips
from vfi_plugin.conform.plan import url_to_path
from vfi_plugin.media import read_frames

openjd_model = pytest.importorskip("openjd.model")
yaml = pytest.importorskip("yaml")
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def weights(tmp_path_factory) -> Path:
    """A copy of the shipped weights (a training run replacing them cannot split the test)."""
    from vfi_plugin.engine import default_weights_path

    return Path(shutil.copy(default_weights_path(), tmp_path_factory.mktemp("w") / "w.safetensors"))


def cut(tmp_path: Path, media: Path) -> Path:
    """Two slowed clips (50 % and 25 %), a gap and a clip at 100 %."""
    path = tmp_path / "cut.otio"
    otio.adapters.write_to_file(timeline([clip("half", media, 10, 6, 0.5), gap(2),
                                          clip("plain", media, 0, 3),
                                          clip("quarter", media, 20, 5, 0.25)]), str(path))
    return path


def make_bundle(tmp_path: Path, media: Path, weights: Path, *extra: str) -> Path:
    bundle = tmp_path / "bundle"
    assert main(["conform", str(cut(tmp_path, media)), "-o", str(tmp_path / "out" / "new.otio"),
                 "--codec", "ffv1", "--device", "cpu", "--weights", str(weights),
                 "--bundle", str(bundle), *extra]) == 0
    return bundle


def load(path: Path):
    return yaml.safe_load(path.read_text())


def parameter_values(bundle: Path) -> dict[str, str]:
    return {p["name"]: p["value"] for p in load(bundle / "parameter_values.yaml")["parameterValues"]}


def test_bundle_is_a_valid_job(tmp_path, media, weights, capsys):
    (tmp_path / "out").mkdir()
    bundle = make_bundle(tmp_path, media, weights)
    out = capsys.readouterr().out
    assert "take_x2_f10-13.mkv" in out and "take_x4_f20-21.mkv" in out  # the summary table
    assert "2 clip renders, then the new timeline" in out
    template = openjd_model.decode_job_template(template=load(bundle / "template.yaml"))
    values = parameter_values(bundle)
    assert values == {"Timeline": str(tmp_path / "cut.otio"), "OutputDir": str(tmp_path / "out"),
                      "OutputName": "new.otio", "MediaDir": str(tmp_path / "out" / "new_media"),
                      "Search1": str(media.parent), "Weights": str(weights),
                      "SlowMoCommand": "vfi-slowmo"}
    job = openjd_model.create_job(job_template=template, job_parameter_values=(
        openjd_model.preprocess_job_parameters(job_template=template, job_parameter_values=values,
                                               job_template_dir=bundle,
                                               current_working_dir=tmp_path)))
    clips, write = job.steps
    assert (clips.name, write.name) == ("Clips", "Timeline")
    tasks = list(openjd_model.StepParameterSpaceIterator(space=clips.parameterSpace))
    assert [int(t["Clip"].value) for t in tasks] == [1, 2]
    assert [d.dependsOn for d in write.dependencies] == ["Clips"]
    symbols = openjd_model.SymbolTable(source={f"Param.{k}": v for k, v in values.items()}
                                       | {"Task.Param.Clip": "2"})
    args = [a.resolve(symtab=symbols) for a in clips.script.actions.onRun.args]
    assert args == ["conform", str(tmp_path / "cut.otio"), "-o", str(tmp_path / "out/new.otio"),
                    "--media-dir", str(tmp_path / "out/new_media"), "--codec", "ffv1",
                    "--device", "cpu", "--search", str(media.parent), "--weights", str(weights),
                    "--render-clip", "2"]
    refs = load(bundle / "asset_references.yaml")["assetReferences"]
    assert refs["inputs"]["filenames"] == [str(tmp_path / "cut.otio"), str(media), str(weights)]
    assert refs["outputs"]["directories"] == [str(tmp_path / "out" / "new_media"),
                                              str(tmp_path / "out")]
    assert list((tmp_path / "out").iterdir()) == []  # planned here, nothing written


def test_openjd_run_conforms_as_a_plain_conform(tmp_path, media, weights):
    """`openjd run` of every step (the clip renders, then the timeline) with the bundle's
    values calls the installed vfi-slowmo (found on PATH)."""
    (tmp_path / "out").mkdir()
    bundle = make_bundle(tmp_path, media, weights)
    params = [a for k, v in parameter_values(bundle).items() for a in ("-p", f"{k}={v}")]
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    run = subprocess.run([str(BIN / "openjd"), "run", str(bundle / "template.yaml"), *params],
                         capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "clip 2: wrote" in run.stdout and "wrote " + str(tmp_path / "out/new.otio") in run.stdout

    new, old = read_timeline(tmp_path / "out/new.otio"), read_timeline(tmp_path / "cut.otio")
    assert [(n, i.range_in_parent()) for n, _, i in video_clips(new)] == \
        [(n, i.range_in_parent()) for n, _, i in video_clips(old)]
    conformed = [i for _, _, i in video_clips(new) if i.name in ("half", "quarter")]
    assert all(time_warp(i) is None for i in conformed)  # the renders play at 100 %
    renders = sorted((tmp_path / "out/new_media").iterdir())
    assert sorted(url_to_path(i.media_reference.target_url) for i in conformed) == renders

    # the same plan conformed in one process: the same renders, frame for frame
    ref = tmp_path / "ref"
    ref.mkdir()
    result = ConformJob(plan_conform(tmp_path / "cut.otio", ref / "new.otio", codec="ffv1",
                                     device="cpu", weights=weights)).run()
    assert [p.name for p in renders] == sorted(p.name for p in result.rendered)
    for path in renders:
        ours, theirs = list(read_frames(path)), list(read_frames(ref / "new_media" / path.name))
        assert len(ours) == len(theirs) > 0
        assert all(np.array_equal(a, b) for a, b in zip(ours, theirs)), path.name

    # a retried clip task keeps its finished render; the timeline task writes again
    again = ["conform", str(tmp_path / "cut.otio"), "-o", str(tmp_path / "out/new.otio"),
             "--codec", "ffv1", "--device", "cpu", "--weights", str(weights)]
    stamp = renders[0].stat().st_mtime_ns
    assert main([*again, "--render-clip", "1"]) == 0
    assert renders[0].stat().st_mtime_ns == stamp


def test_one_line_errors(tmp_path, media, weights, capsys):
    source = cut(tmp_path, media)
    new = tmp_path / "new.otio"
    base = ["conform", str(source), "-o", str(new), "--codec", "ffv1"]
    assert main([*base, "--bundle", str(tmp_path / "b"), "--workers", "2"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith("--bundle: --workers, --scheduler and --segment-frames do not apply "
                        "(the farm runs one task per clip)") and "\n" not in err
    assert main([*base, "--bundle", str(tmp_path / "b"), "--clips", "7"]) == 2
    assert "no slowed clip numbered 7" in capsys.readouterr().err
    # the timeline task before the renders: nothing written, the missing render named
    assert main([*base, "--write-timeline"]) == 2
    err = capsys.readouterr().err.strip()
    assert "new_media/take_x2_f10-13.mkv: the render of clip 1 (half) is missing" in err
    assert "\n" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.otio"]
    assert main([*base, "--render-clip", "3"]) == 2
    assert "no slowed clip numbered 3" in capsys.readouterr().err
