"""An Open Job Description job bundle for one render (the layout AWS Deadline Cloud submits).

``template.yaml`` (specificationVersion jobtemplate-2023-09): a ``Segments`` step with one
task per segment (task parameter ``Segment``, the segment index) running
``vfi-slowmo segment ...``, and an ``Assemble`` step depending on it running
``vfi-slowmo assemble ...``; the render settings are fixed in the commands, the paths are
job parameters (PATH, so a farm's path mapping and Deadline Cloud's job attachments apply).
``parameter_values.yaml`` holds this machine's paths, ``asset_references.yaml`` the files the
job reads and the folder it writes. The job folder of the segments is a hidden folder in the
output folder (``segments.job_dir_for``), so the Assemble step finds them wherever it runs.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SPEC = "jobtemplate-2023-09"
COMMAND = "vfi-slowmo"


@dataclass(frozen=True)
class BundleJob:
    """What a bundle renders: paths on this machine and the render options."""

    name: str
    source: Path                 # absolute; an image sequence's pattern (shot.%04d.exr)
    output_dir: Path             # absolute
    output_name: str             # as given ("frames/": a folder of frames)
    options: tuple[str, ...]     # render options as CLI arguments (not paths)
    segment_frames: int
    segments: int
    weights: Path | None = None  # absolute
    overwrite: bool = False
    sequence: bool = False       # the source is a pattern: its folder is the input

    def _input_argument(self) -> str:
        return ("{{Param.InputDir}}/{{Param.InputName}}" if self.sequence
                else "{{Param.Input}}")

    def _arguments(self, command: str) -> list[str]:
        args = [command, self._input_argument(), "-o",
                "{{Param.OutputDir}}/{{Param.OutputName}}", *self.options,
                "--segment-frames", str(self.segment_frames)]
        if self.weights is not None:
            args += ["--weights", "{{Param.Weights}}"]
        if self.overwrite:
            args.append("--overwrite")
        return args

    def template(self) -> dict:
        """The job template (a dict of the jobtemplate-2023-09 schema)."""
        params: list[dict] = []
        if self.sequence:
            params += [_path("InputDir", "DIRECTORY", "IN", "Source frames folder",
                             "CHOOSE_DIRECTORY"),
                       {"name": "InputName", "type": "STRING",
                        "description": "The frames' name pattern, e.g. shot.%04d.exr",
                        "userInterface": {"control": "LINE_EDIT", "label": "Frames pattern"}}]
        else:
            params.append(_path("Input", "FILE", "IN", "Source clip", "CHOOSE_INPUT_FILE"))
        params += [_path("OutputDir", "DIRECTORY", "OUT", "Output folder", "CHOOSE_DIRECTORY"),
                   {"name": "OutputName", "type": "STRING",
                    "description": "The output's file name (a folder of frames: end it in /)",
                    "userInterface": {"control": "LINE_EDIT", "label": "Output name"}}]
        if self.weights is not None:
            params.append(_path("Weights", "FILE", "IN", "Weights file", "CHOOSE_INPUT_FILE"))
        params.append({"name": "SlowMoCommand", "type": "STRING", "default": COMMAND,
                       "description": "The vfi-slowmo command on the workers (a name on "
                                      "their PATH or a full path)",
                       "userInterface": {"control": "LINE_EDIT", "label": "vfi-slowmo command"}})
        segment_range = f"0-{self.segments - 1}" if self.segments > 1 else "0"
        return {
            "specificationVersion": SPEC,
            "name": self.name,
            "description": f"SlowMo: {self.segments} segments of {self.segment_frames} source "
                           f"frames, then one encode (vfi-slowmo segment / assemble)",
            "parameterDefinitions": params,
            "steps": [
                {"name": "Segments",
                 "parameterSpace": {"taskParameterDefinitions": [
                     {"name": "Segment", "type": "INT", "range": segment_range}]},
                 "script": {"actions": {"onRun": {
                     "command": "{{Param.SlowMoCommand}}",
                     "args": self._arguments("segment") + ["--index", "{{Task.Param.Segment}}"],
                 }}}},
                {"name": "Assemble",
                 "dependencies": [{"dependsOn": "Segments"}],
                 "script": {"actions": {"onRun": {
                     "command": "{{Param.SlowMoCommand}}",
                     "args": self._arguments("assemble"),
                 }}}},
            ],
        }

    def parameter_values(self) -> dict:
        """This machine's values of the job parameters (Deadline's parameter_values file)."""
        values = ([("InputDir", str(self.source.parent)), ("InputName", self.source.name)]
                  if self.sequence else [("Input", str(self.source))])
        values += [("OutputDir", str(self.output_dir)), ("OutputName", self.output_name)]
        if self.weights is not None:
            values.append(("Weights", str(self.weights)))
        values.append(("SlowMoCommand", COMMAND))
        return {"parameterValues": [{"name": k, "value": v} for k, v in values]}

    def asset_references(self) -> dict:
        """The files the job reads and the folder it writes (Deadline's job attachments)."""
        files = [] if self.sequence else [str(self.source)]
        if self.weights is not None:
            files.append(str(self.weights))
        return {"assetReferences": {
            "inputs": {"filenames": files,
                       "directories": [str(self.source.parent)] if self.sequence else []},
            "outputs": {"directories": [str(self.output_dir)]},
            "referencedPaths": [],
        }}


def _path(name: str, kind: str, flow: str, label: str, control: str) -> dict:
    return {"name": name, "type": "PATH", "objectType": kind, "dataFlow": flow,
            "description": label, "userInterface": {"control": control, "label": label}}


def write_bundle(job: BundleJob, folder: Path) -> list[Path]:
    """Write the bundle's three files into ``folder`` (created; each file through a
    temporary name renamed when written); return their paths."""
    import os

    import yaml  # PyYAML: a dependency of dask

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in (("template.yaml", job.template()),
                          ("parameter_values.yaml", job.parameter_values()),
                          ("asset_references.yaml", job.asset_references())):
        path = folder / name
        tmp = folder / f".{name}.partial"
        try:
            tmp.write_text(yaml.safe_dump(content, sort_keys=False, width=100),
                           encoding="utf-8")
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        written.append(path)
    return written
