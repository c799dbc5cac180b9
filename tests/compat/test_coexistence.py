"""This project installs beside thoth-common, thoth-analyzer and thoth-python in one environment.

`thoth` is a PEP 420 namespace the four share: after `pip install` of all of them, `pip check` finds no
broken requirement and `thoth.storages` (ours) imports next to `thoth.common`, `thoth.python` and
`thoth.analyzer`. The third-party packages are installed once into .thoth-storages/coexist-venv; this
project is reinstalled from the working tree on every run. Skipped only when pip cannot reach the index.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".thoth-storages" / "coexist-venv"
NEIGHBOURS = ("thoth-common", "thoth-analyzer", "thoth-python")
STAMP = VENV / ".installed-neighbours"
_UNREACHABLE = ("No matching distribution found", "Could not find a version", "NewConnectionError")

IMPORTS = """
import thoth, thoth.analyzer, thoth.common, thoth.python, thoth.storages, thoth_storages
from packaging.version import Version
import packaging
from thoth.storages import GraphDatabase
from thoth.python import Source

assert GraphDatabase is thoth_storages.GraphDatabase
assert getattr(thoth, "__file__", None) is None, thoth.__file__
print(packaging.__version__)
print(GraphDatabase.normalize_python_package_name("Foo_Bar.baz"))
print(GraphDatabase.normalize_python_package_version("01.0"))
print(Source("https://example.org/simple").url)
"""


def _pip(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(VENV / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", *arguments],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )


@pytest.fixture(scope="module")
def environment() -> Path:
    """The shared environment, with this working tree's thoth-storages installed last."""
    installed = STAMP.exists() and STAMP.read_text(encoding="utf-8").split() == list(NEIGHBOURS)
    if not installed:
        shutil.rmtree(VENV, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        done = _pip("install", "--quiet", *NEIGHBOURS, str(ROOT))
        if done.returncode != 0:
            shutil.rmtree(VENV, ignore_errors=True)
            if any(marker in done.stderr for marker in _UNREACHABLE):
                pytest.skip(
                    f"pip cannot install {', '.join(NEIGHBOURS)}: {done.stderr.strip().splitlines()[-1]}"
                )
            pytest.fail(done.stderr)
        STAMP.write_text(" ".join(NEIGHBOURS), encoding="utf-8")
    else:
        done = _pip("install", "--quiet", "--force-reinstall", "--no-deps", str(ROOT))
        assert done.returncode == 0, done.stderr
        resolved = _pip("install", "--quiet", str(ROOT))  # dependencies of a changed pyproject.toml
        assert resolved.returncode == 0, resolved.stderr
    return VENV


def test_pip_check_finds_no_broken_requirement(environment: Path) -> None:
    done = _pip("check")
    assert done.returncode == 0, done.stdout + done.stderr
    listed = _pip("list", "--format=freeze").stdout
    assert {"thoth-storages==0.75.0", "thoth-python==0.17.0"} <= set(listed.split())


def test_thoth_storages_imports_beside_the_other_thoth_packages(environment: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [str(environment / "bin" / "python"), "-c", IMPORTS],
        cwd=tmp_path,  # not the source tree: the installed packages only
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    packaging_version, name, version, url = done.stdout.split()
    assert (
        int(packaging_version.split(".")[0]) < 22
    )  # thoth-python 0.17 needs packaging<22, and we work with it
    assert (name, version, url) == ("foo-bar-baz", "1.0", "https://example.org/simple")
