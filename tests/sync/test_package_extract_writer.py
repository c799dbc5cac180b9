"""Package-extract writer on a real PostgreSQL: real documents, hand-checked row counts, re-sync, failures.

Real documents come from ../shared/data/documents/ when it exists (THOTH_STORAGES_TEST_DOCUMENTS=copies
forces the copies), else from tests/data/documents/.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tests.sync._support import counts, delta, snapshot
from thoth_storages import GraphDatabase
from thoth_storages.documents import LegacyDocumentError
from thoth_storages.exceptions import CudaVersionDoesNotMatchError, SchemaError
from thoth_storages.graph.writers.package_extract import image_reference, python_version_of

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data" / "documents"
USE_SHARED = SHARED.is_dir() and os.environ.get("THOTH_STORAGES_TEST_DOCUMENTS") != "copies"
DATA = SHARED if USE_SHARED else REPO / "tests" / "data" / "documents"
CURRENT = "package-extract-220106085041-a6e38c8593af545e.json"
LEGACY = "fridex-thoth-package-extract-tensorflow-serving-s2i.json"


def load(name: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads((DATA / "package-extract" / name).read_text())
    return result


def test_current_document_fills_the_hand_checked_rows(head_graph: GraphDatabase) -> None:
    before = counts(head_graph)
    head_graph.sync_analysis_result(load(CURRENT))
    # Hand-checked from the document (thoth-package-extract 1.3.0, is_external false):
    # * 1 internal software_environment (RUNTIME, rhel 8, python 3.8 from the image name's -py38) + 1 run;
    # * rpm-dependencies: zlib and zlib-devel -> 2 rpm_package_version and 2 found_rpm; their 10 + 7
    #   dependency strings -> 17 rpm_requires, of which 13 distinct names -> 13 rpm_requirement;
    # * deb-dependencies: none;
    # * python-packages: lxml 4.5.2 -> 1 entity (no index) and 1 identified;
    # * python-files: 12 files with 12 distinct digests -> 12 python_file_digest, 12 found_python_file;
    # * system-symbols: 20 libraries, 78 (library, symbol) pairs -> 78 versioned_symbol, 78 has_symbol
    #   (this environment), 78 detected_symbol (this run);
    # * python-interpreters: /usr/bin/python3.8 -> 1 python_interpreter, 1 found_python_interpreter.
    assert delta(before, counts(head_graph)) == {
        "software_environment": 1,
        "package_extract_run": 1,
        "rpm_package_version": 2,
        "found_rpm": 2,
        "rpm_requirement": 13,
        "rpm_requires": 17,
        "python_package_version_entity": 1,
        "identified": 1,
        "python_file_digest": 12,
        "found_python_file": 12,
        "versioned_symbol": 78,
        "has_symbol": 78,
        "detected_symbol": 78,
        "python_interpreter": 1,
        "found_python_interpreter": 1,
    }
    with head_graph.engine.connect() as connection:
        environment = connection.execute(
            text(
                "SELECT environment_name, image_name, python_version, os_name, os_version, environment_type, "
                "thoth_image_version, image_sha FROM software_environment"
            )
        ).one()
        run = connection.execute(
            text(
                "SELECT image_tag, os_name, os_id, os_version_id, debug, image_size, duration FROM package_extract_run"
            )
        ).one()
    image = load(CURRENT)["metadata"]["arguments"]["extract-image"]["image"]  # <registry>/...-py38:v0.14.1
    assert tuple(environment) == (
        image,
        image.removesuffix(":v0.14.1"),
        "3.8",
        "rhel",
        "8",
        "RUNTIME",
        "0.14.1",
        "977f1e76e5f031b9e4ae5496db7bbc5ab7a5f96e977c1e85e5dc3d7065fc3eae",
    )
    assert tuple(run) == ("v0.14.1", "rhel", "rhel", "8", False, 347107430, 62)
    assert head_graph.analysis_document_id_exist("package-extract-220106085041-a6e38c8593af545e")


def test_resync_changes_no_table(head_graph: GraphDatabase) -> None:
    head_graph.sync_analysis_result(load(CURRENT))
    before = snapshot(head_graph)
    stats = head_graph.sync_analysis_result(load(CURRENT))
    assert sum(stats.inserted.values()) == 0
    assert snapshot(head_graph) == before


def test_legacy_document_is_rejected_on_purpose(head_graph: GraphDatabase) -> None:
    before = counts(head_graph)
    with pytest.raises(LegacyDocumentError, match=r"thoth-package-extract 1\.0\.0"):
        head_graph.sync_analysis_result(load(LEGACY))
    assert counts(head_graph) == before


def _external_with_debs() -> dict[str, Any]:
    """The real document as a user-submitted (no is_external) image with Debian packages."""
    document = copy.deepcopy(load(CURRENT))
    document["metadata"]["document_id"] = "package-extract-test-external-deb"
    del document["metadata"]["arguments"]["thoth-package-extract"]["metadata"]["is_external"]
    document["metadata"]["arguments"]["extract-image"]["image"] = "registry.example.org:5000/user/app-py39"
    document["result"]["cuda-version"] = {"nvcc_version": "11.2", "/usr/local/cuda/version.txt": "11.2"}
    document["result"]["deb-dependencies"] = [
        {
            "name": "libc6",
            "version": "2.31-13",
            "arch": "amd64",
            "depends": [{"name": "libgcc-s1"}, {"name": "libcrypt1", "version": ">= 1:4.4.10-10"}],
            "pre-depends": [{"name": "debconf", "version": ">= 0.5"}],
            "replaces": [{"name": "libc6-amd64"}],
        },
        {
            "name": "libgcc-s1",
            "version": "10.2.1-6",
            "arch": "amd64",
            "replaces": [{"name": "libgcc1", "version": "<< 1:10"}],
        },
    ]
    return document


def test_external_image_with_debian_packages(head_graph: GraphDatabase) -> None:
    head_graph.sync_analysis_result(load(CURRENT))  # shares symbols, files, rpms with the variant
    before = counts(head_graph)
    head_graph.sync_analysis_result(_external_with_debs())
    # Same image content as the real document except the Debian packages, so only the environment, the
    # run, the run's edges and the deb tables are new: 2 deb versions; dependency names libgcc-s1,
    # libcrypt1, debconf, libc6-amd64, libgcc1 -> 5 deb_dependency; 2 depends, 1 pre-depends, 2 replaces.
    # (has_symbol, 78 rows for this external environment, is checked by the next test.)
    changed = delta(before, counts(head_graph))
    changed.pop("has_symbol", None)
    assert changed == {
        "external_software_environment": 1,
        "package_extract_run": 1,
        "found_rpm": 2,
        "identified": 1,
        "found_python_file": 12,
        "detected_symbol": 78,
        "found_python_interpreter": 1,
        "deb_package_version": 2,
        "found_deb": 2,
        "deb_dependency": 5,
        "deb_depends": 2,
        "deb_pre_depends": 1,
        "deb_replaces": 2,
    }
    with head_graph.engine.connect() as connection:
        environment = connection.execute(
            text("SELECT image_name, python_version, cuda_version FROM external_software_environment")
        ).one()
        ranges = connection.execute(
            text(
                "SELECT d.package_name, r.version_range FROM deb_replaces AS r "
                "JOIN deb_dependency AS d ON d.id = r.deb_dependency_id ORDER BY 1"
            )
        ).all()
        tag = connection.execute(
            text(
                "SELECT image_tag FROM package_extract_run WHERE analysis_document_id = 'package-extract-test-external-deb'"
            )
        ).scalar_one()
    # External images get no python version from their name; the registry port is not a tag.
    assert tuple(environment) == ("registry.example.org:5000/user/app-py39", None, "11.2")
    assert tag == "latest"
    assert [tuple(row) for row in ranges] == [("libc6-amd64", "*"), ("libgcc1", "<< 1:10")]
    content = snapshot(head_graph)
    head_graph.sync_analysis_result(_external_with_debs())
    assert snapshot(head_graph) == content


def test_symbols_are_linked_to_every_environment_that_has_them(head_graph: GraphDatabase) -> None:
    head_graph.sync_analysis_result(load(CURRENT))
    head_graph.sync_analysis_result(_external_with_debs())
    with head_graph.engine.connect() as connection:
        linked = connection.execute(
            text(
                "SELECT count(*) FILTER (WHERE software_environment_id IS NOT NULL), "
                "count(*) FILTER (WHERE external_software_environment_id IS NOT NULL) FROM has_symbol"
            )
        ).one()
    assert tuple(linked) == (78, 78)


def test_cuda_mismatch_is_refused(head_graph: GraphDatabase) -> None:
    document = _external_with_debs()
    document["metadata"]["document_id"] = "package-extract-test-cuda"
    document["result"]["cuda-version"] = {"nvcc_version": "11.2", "/usr/local/cuda/version.txt": "10.1"}
    before = snapshot(head_graph)
    with pytest.raises(CudaVersionDoesNotMatchError, match=r"'11\.2' reported by nvcc differs from '10\.1'"):
        head_graph.sync_analysis_result(document)
    assert snapshot(head_graph) == before


def test_broken_document_leaves_no_rows(head_graph: GraphDatabase) -> None:
    """An error found after most tables were written rolls the whole document back."""
    document = _external_with_debs()
    document["metadata"]["document_id"] = "package-extract-test-broken"
    document["metadata"]["arguments"]["extract-image"]["image"] = (
        "registry.example.org/example/broken-py311:1"
    )
    document["result"]["python-interpreters"] = [{"link": "/usr/bin/python3"}]  # no path
    before = snapshot(head_graph)
    with pytest.raises(SchemaError, match=r"python-interpreters'\]\[0\]\.path"):
        head_graph.sync_analysis_result(document)
    assert snapshot(head_graph) == before


@pytest.mark.parametrize(
    ("image", "name", "tag"),
    [
        (
            "registry.example.org/s2i-thoth-ubi8-py38:v0.14.1",
            "registry.example.org/s2i-thoth-ubi8-py38",
            "v0.14.1",
        ),
        ("fedora", "fedora", "latest"),
        ("localhost:5000/app", "localhost:5000/app", "latest"),
        ("registry.example.org/app@sha256:abc", "registry.example.org/app", "sha256:abc"),
    ],
)
def test_image_reference(image: str, name: str, tag: str) -> None:
    reference = image_reference(image)
    assert (reference.environment_name, reference.image_name, reference.image_tag) == (image, name, tag)


@pytest.mark.parametrize(
    ("name", "version"),
    [
        ("s2i-thoth-ubi8-py38", "3.8"),
        ("s2i-thoth-ubi9-py311", "3.11"),
        ("fedora", None),
        ("app-python3", None),
    ],
)
def test_python_version_from_image_name(name: str, version: str | None) -> None:
    assert python_version_of(name) == version
