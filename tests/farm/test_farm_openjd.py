"""`vfi-slowmo farm-bundle` (issue 12): an Open Job Description job bundle in the layout
Deadline Cloud submits, validated with openjd-model and run for real with `openjd run`
(openjd-cli), whose output equals a one-process render frame by frame."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from farm_support import assert_same_frames
from vfi_plugin.cli import main

openjd_model = pytest.importorskip("openjd.model")
yaml = pytest.importorskip("yaml")
BIN = Path(sys.executable).parent


def make_bundle(tmp_path: Path, clip: Path, weights: Path, *extra: str) -> tuple[Path, Path]:
    out_dir = tmp_path / "renders"
    out_dir.mkdir()
    bundle = tmp_path / "bundle"
    assert main(["farm-bundle", str(clip), "-o", str(out_dir / "out.mkv"), "--audio", "stretch",
                 "--segment-frames", "6", "--device", "cpu", "--weights", str(weights),
                 "--bundle", str(bundle), *extra]) == 0
    return bundle, out_dir


def load(path: Path):
    return yaml.safe_load(path.read_text())


def parameter_values(bundle: Path) -> dict[str, str]:
    return {p["name"]: p["value"] for p in load(bundle / "parameter_values.yaml")["parameterValues"]}


def test_bundle_is_a_valid_job(tmp_path, farm_clip, weights, capsys):
    bundle, out_dir = make_bundle(tmp_path, farm_clip, weights)
    assert "2 segments of 6 source frames" in capsys.readouterr().out
    assert sorted(p.name for p in bundle.iterdir()) == [
        "asset_references.yaml", "parameter_values.yaml", "template.yaml"]
    template = openjd_model.decode_job_template(template=load(bundle / "template.yaml"))
    values = openjd_model.preprocess_job_parameters(
        job_template=template, job_parameter_values=parameter_values(bundle),
        job_template_dir=bundle, current_working_dir=tmp_path)
    job = openjd_model.create_job(job_template=template, job_parameter_values=values)
    segments, assemble = job.steps
    assert (segments.name, assemble.name) == ("Segments", "Assemble")
    tasks = list(openjd_model.StepParameterSpaceIterator(space=segments.parameterSpace))
    assert [int(t["Segment"].value) for t in tasks] == [0, 1]
    assert [d.dependsOn for d in assemble.dependencies] == ["Segments"]
    refs = load(bundle / "asset_references.yaml")["assetReferences"]
    assert refs["inputs"]["filenames"] == [str(farm_clip), str(weights)]
    assert refs["outputs"]["directories"] == [str(out_dir)]
    assert list(out_dir.iterdir()) == []  # a bundle writes nothing next to the output


def test_openjd_run_equals_a_plain_render(tmp_path, farm_clip, weights, reference):
    """`openjd run` of the bundle (every step: the segments, then the assemble step) with
    its parameter values calls the installed vfi-slowmo (found on PATH)."""
    bundle, out_dir = make_bundle(tmp_path, farm_clip, weights)
    params = [a for k, v in parameter_values(bundle).items() for a in ("-p", f"{k}={v}")]
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    run = subprocess.run([str(BIN / "openjd"), "run", str(bundle / "template.yaml"), *params],
                         capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "segment 1: rendered 11 frames" in run.stdout
    assert_same_frames(reference, out_dir / "out.mkv")
    assert [p.name for p in out_dir.iterdir()] == ["out.mkv"]  # job folder removed


def test_bundle_user_errors(tmp_path, farm_clip, weights, capsys):
    bundle, out_dir = make_bundle(tmp_path, farm_clip, weights)
    code = main(["farm-bundle", str(farm_clip), "-o", str(out_dir / "o.mkv"),
                 "--bundle", str(bundle)])
    assert code == 2 and "already holds a job bundle (use --overwrite" in capsys.readouterr().err
    (out_dir / "taken.mkv").write_bytes(b"x")
    code = main(["farm-bundle", str(farm_clip), "-o", str(out_dir / "taken.mkv"),
                 "--bundle", str(tmp_path / "b2")])
    assert code == 2 and "taken.mkv: already exists" in capsys.readouterr().err
    assert not (tmp_path / "b2").exists()


def test_bundle_of_an_image_sequence(tmp_path, capsys):
    """A frames pattern is read from its folder: InputDir (an input directory) + InputName."""
    from clips import index_frame

    plate = tmp_path / "plate"
    plate.mkdir()
    data = b"".join(index_frame(i, 32, 24).tobytes() for i in range(6))
    subprocess.run(["ffmpeg", "-v", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "32x24",
                    "-i", "pipe:", "-start_number", "1001", str(plate / "shot.%04d.png")],
                   input=data, check=True, timeout=60)
    bundle = tmp_path / "bundle"
    assert main(["farm-bundle", str(plate / "shot.####.png"), "--fps", "24", "-o",
                 f"{tmp_path}/frames/", "--factor", "4", "--bundle", str(bundle)]) == 0
    values = parameter_values(bundle)
    assert values["InputDir"] == str(plate) and values["InputName"] == "shot.####.png"
    assert values["OutputName"] == "frames/"
    template = openjd_model.decode_job_template(template=load(bundle / "template.yaml"))
    job = openjd_model.create_job(job_template=template, job_parameter_values=(
        openjd_model.preprocess_job_parameters(job_template=template, job_parameter_values=values,
                                               job_template_dir=bundle,
                                               current_working_dir=tmp_path)))
    symbols = openjd_model.SymbolTable(source={f"Param.{k}": v for k, v in values.items()}
                                       | {"Task.Param.Segment": "0"})
    args = [a.resolve(symtab=symbols) for a in job.steps[0].script.actions.onRun.args]
    assert args == ["segment", f"{plate}/shot.####.png", "-o", f"{tmp_path}/frames/", "--fps",
                    "24", "--factor", "4", "--segment-frames", "48", "--index", "0"]
    refs = load(bundle / "asset_references.yaml")["assetReferences"]
    assert refs["inputs"] == {"filenames": [], "directories": [str(plate)]}
