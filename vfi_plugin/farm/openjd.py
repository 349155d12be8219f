"""An Open Job Description job bundle for one render (the layout AWS Deadline Cloud submits).

``template.yaml`` (specificationVersion jobtemplate-2023-09): a ``Segments`` step with one
task per segment (task parameter ``Segment``, the segment index) running
``vfi-slowmo segment ...``, and an ``Assemble`` step depending on it running
``vfi-slowmo assemble ...``; the render settings are fixed in the commands, the paths are
job parameters (PATH, so a farm's path mapping and Deadline Cloud's job attachments apply).
``parameter_values.yaml`` holds this machine's paths, ``asset_references.yaml`` the files the
job reads and the folder it writes. The job folder of the segments is a hidden folder in the
output folder (``segments.job_dir_for``), so the Assemble step finds them wherever it runs.

``ConformBundleJob`` is the same for a timeline's conform (``vfi-slowmo conform ... --bundle``):
a ``Clips`` step with one task per render (task parameter ``Clip``, the slowed clip's number)
running ``vfi-slowmo conform ... --render-clip N``, and a ``Timeline`` step depending on it
running ``vfi-slowmo conform ... --write-timeline``.
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
        segment_range = f"0-{self.segments - 1}" if self.segments > 1 else "0"
        return job_template(
            self.name,
            f"SlowMo: {self.segments} segments of {self.segment_frames} source frames, then "
            f"one encode (vfi-slowmo segment / assemble)", params,
            [step("Segments", self._arguments("segment") + ["--index", "{{Task.Param.Segment}}"],
                  ("Segment", segment_range)),
             step("Assemble", self._arguments("assemble"), depends_on="Segments")])

    def parameter_values(self) -> dict:
        """This machine's values of the job parameters (Deadline's parameter_values file)."""
        values = ([("InputDir", str(self.source.parent)), ("InputName", self.source.name)]
                  if self.sequence else [("Input", str(self.source))])
        values += [("OutputDir", str(self.output_dir)), ("OutputName", self.output_name)]
        if self.weights is not None:
            values.append(("Weights", str(self.weights)))
        return parameter_values(values)

    def asset_references(self) -> dict:
        """The files the job reads and the folder it writes (Deadline's job attachments)."""
        files = [] if self.sequence else [self.source]
        if self.weights is not None:
            files.append(self.weights)
        return asset_references(files, [self.source.parent] if self.sequence else [],
                                [self.output_dir])


@dataclass(frozen=True)
class ConformBundleJob:
    """What a conform bundle does: paths on this machine (absolute), the conform's options."""

    name: str
    timeline: Path
    output_dir: Path            # the new timeline's folder
    output_name: str
    media_dir: Path
    options: tuple[str, ...]    # conform options as CLI arguments (not paths)
    clips: tuple[int, ...]      # the clips rendered, one task each (their numbers)
    media: tuple[Path, ...] = ()   # the clips' media files (the job's input files)
    search: tuple[Path, ...] = ()  # folders where media are looked up by file name
    weights: Path | None = None
    overwrite: bool = False

    def _arguments(self) -> list[str]:
        args = ["conform", "{{Param.Timeline}}", "-o", "{{Param.OutputDir}}/{{Param.OutputName}}",
                "--media-dir", "{{Param.MediaDir}}", *self.options]
        for i in range(1, len(self.search) + 1):
            args += ["--search", f"{{{{Param.Search{i}}}}}"]
        if self.weights is not None:
            args += ["--weights", "{{Param.Weights}}"]
        return args + (["--overwrite"] if self.overwrite else [])

    def template(self) -> dict:
        """The job template (a dict of the jobtemplate-2023-09 schema)."""
        params = [_path("Timeline", "FILE", "IN", "Timeline", "CHOOSE_INPUT_FILE"),
                  _path("OutputDir", "DIRECTORY", "OUT", "New timeline's folder",
                        "CHOOSE_DIRECTORY"),
                  {"name": "OutputName", "type": "STRING",
                   "description": "The new timeline's file name",
                   "userInterface": {"control": "LINE_EDIT", "label": "New timeline name"}},
                  _path("MediaDir", "DIRECTORY", "OUT", "Renders folder", "CHOOSE_DIRECTORY")]
        params += [_path(f"Search{i}", "DIRECTORY", "NONE", f"Media folder {i}",
                         "CHOOSE_DIRECTORY") for i in range(1, len(self.search) + 1)]
        if self.weights is not None:
            params.append(_path("Weights", "FILE", "IN", "Weights file", "CHOOSE_INPUT_FILE"))
        write = step("Timeline", self._arguments() + ["--write-timeline"],
                     depends_on="Clips" if self.clips else None)
        steps = [step("Clips", self._arguments() + ["--render-clip", "{{Task.Param.Clip}}"],
                      ("Clip", list(self.clips)))] if self.clips else []
        return job_template(self.name, f"SlowMo conform: {len(self.clips)} clip renders, then "
                                       f"the new timeline (vfi-slowmo conform)",
                            params, [*steps, write])

    def parameter_values(self) -> dict:
        """This machine's values of the job parameters (Deadline's parameter_values file)."""
        values = [("Timeline", str(self.timeline)), ("OutputDir", str(self.output_dir)),
                  ("OutputName", self.output_name), ("MediaDir", str(self.media_dir))]
        values += [(f"Search{i}", str(d)) for i, d in enumerate(self.search, 1)]
        if self.weights is not None:
            values.append(("Weights", str(self.weights)))
        return parameter_values(values)

    def asset_references(self) -> dict:
        """The timeline, media and weights the job reads; the folders it writes."""
        files = [self.timeline, *self.media] + ([self.weights] if self.weights else [])
        outputs = [self.media_dir] + ([self.output_dir] if self.output_dir != self.media_dir
                                      else [])
        return asset_references(files, [], outputs)


def _path(name: str, kind: str, flow: str, label: str, control: str) -> dict:
    return {"name": name, "type": "PATH", "objectType": kind, "dataFlow": flow,
            "description": label, "userInterface": {"control": control, "label": label}}


def job_template(name: str, description: str, params: list[dict], steps: list[dict]) -> dict:
    """A jobtemplate-2023-09 template: ``params`` then ``SlowMoCommand`` (the command every
    step runs), and ``steps``."""
    command = {"name": "SlowMoCommand", "type": "STRING", "default": COMMAND,
               "description": "The vfi-slowmo command on the workers (a name on their PATH or "
                              "a full path)",
               "userInterface": {"control": "LINE_EDIT", "label": "vfi-slowmo command"}}
    return {"specificationVersion": SPEC, "name": name[:128], "description": description,
            "parameterDefinitions": [*params, command], "steps": steps}


def step(name: str, args: list[str], task: tuple[str, str | list[int]] | None = None,
         depends_on: str | None = None) -> dict:
    """A step running ``SlowMoCommand args``; ``task``: its INT task parameter (name, range)
    for one task per value; ``depends_on``: the step it waits for."""
    result: dict = {"name": name}
    if task is not None:
        result["parameterSpace"] = {"taskParameterDefinitions": [
            {"name": task[0], "type": "INT", "range": task[1]}]}
    if depends_on is not None:
        result["dependencies"] = [{"dependsOn": depends_on}]
    result["script"] = {"actions": {"onRun": {"command": "{{Param.SlowMoCommand}}",
                                              "args": args}}}
    return result


def parameter_values(values: list[tuple[str, str]]) -> dict:
    """Deadline's parameter_values file: ``values`` and the default ``SlowMoCommand``."""
    return {"parameterValues": [{"name": k, "value": v}
                                for k, v in [*values, ("SlowMoCommand", COMMAND)]]}


def asset_references(files: list[Path], directories: list[Path], outputs: list[Path]) -> dict:
    """Deadline's asset_references file: the input files and folders, the output folders."""
    return {"assetReferences": {
        "inputs": {"filenames": [str(f) for f in files],
                   "directories": [str(d) for d in directories]},
        "outputs": {"directories": [str(d) for d in outputs]},
        "referencedPaths": [],
    }}


def write_bundle(job, folder: Path) -> list[Path]:
    """Write the bundle's three files (``job``'s ``template()``, ``parameter_values()`` and
    ``asset_references()``) into ``folder`` (created; each file through a temporary name
    renamed when written); return their paths."""
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
