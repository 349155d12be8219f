"""The wheel holds every package of the product and nothing of the training code."""
from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def source_packages() -> set[str]:
    """Every folder with an __init__.py under vfi_plugin/ and ui/, by its installed name."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = set()
    roots = {"vfi_plugin": ROOT / "vfi_plugin",
             **{name: ROOT / folder for name, folder in config["package-dir"].items()}}
    for name, folder in roots.items():
        for init in folder.rglob("__init__.py"):
            rel = init.parent.relative_to(folder).parts
            if "__pycache__" not in rel:
                found.add(".".join((name, *rel)))
    return found


def test_every_product_package_is_listed_and_training_is_not() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())
                 ["tool"]["setuptools"]["packages"])
    product = {p for p in source_packages() if not p.startswith("vfi_plugin.train")
               and not p.startswith("vfi_plugin.resources.hosts.")}  # host files are data
    assert product - listed == set(), "packages missing from pyproject.toml"
    assert not any(p.startswith("vfi_plugin.train") for p in listed)


@pytest.mark.slow
def test_the_built_wheel_imports_the_panel_without_the_repository(tmp_path: Path) -> None:
    """Built from the tracked files as the installer's ``pip install <repo>`` builds a clean
    checkout: the panel's subpackages are in it, the training code is not."""
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True,
                             capture_output=True).stdout.decode().split("\0")
    tree = tmp_path / "tree"
    for rel in filter(None, tracked):
        if (ROOT / rel).is_file():
            (tree / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, tree / rel)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                    str(tmp_path / "dist"), str(tree)], check=True, capture_output=True, timeout=600)
    wheel = next((tmp_path / "dist").glob("*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "vfi_plugin/ui/sections/__init__.py" in names
    assert "vfi_plugin/session/state.py" in names
    assert "vfi_plugin/resources/weights/slowmo.safetensors" in names
    assert not [n for n in names if n.startswith("vfi_plugin/train/")]
