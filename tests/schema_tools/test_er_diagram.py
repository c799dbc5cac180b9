"""`thoth-storages generate-schema`: the ER picture of the generated models."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from generated.models import ALL_MAIN_MODELS, ALL_PERFORMANCE_MODELS, ALL_RELATION_MODELS, MODEL_BY_NAME
from thoth_storages.cli import cli
from thoth_storages.er_diagram import build, dot_available, select_models

needs_dot = pytest.mark.skipif(
    not dot_available(), reason="Graphviz's dot is not installed (apt-get install graphviz)"
)


def test_default_selection_is_main_relation_and_performance_models() -> None:
    everything = {
        model.__name__ for model in (*ALL_MAIN_MODELS, *ALL_RELATION_MODELS, *ALL_PERFORMANCE_MODELS)
    }
    assert {model.__name__ for model in select_models()} == everything
    without = {model.__name__ for model in select_models(performance_models=False)}
    assert without == everything - {model.__name__ for model in ALL_PERFORMANCE_MODELS}
    assert "PiMatmul" not in without


def test_include_is_a_full_match_on_class_names() -> None:
    chosen = [model.__name__ for model in select_models(["PythonPackageVersion(Entity)?", "Pi.*"])]
    assert chosen == [
        "PiConv1D",
        "PiConv2D",
        "PiMatmul",
        "PiPyBench",
        "PythonPackageVersion",
        "PythonPackageVersionEntity",
    ]
    # Models outside the main and relation groups are drawn when asked for by name.
    assert [model.__name__ for model in select_models(["AdviserRun"])] == ["AdviserRun"]
    assert len(select_models([".*"])) == len(MODEL_BY_NAME)


def test_dot_source_has_one_node_per_table_and_edges_between_them() -> None:
    source, edges = build(
        select_models(["PythonPackageVersion", "PythonPackageVersionEntity", "PythonPackageIndex"])
    )
    assert edges == 3  # version -> entity, version -> index, entity -> index; others point outside
    assert source.count("<TABLE") == 3
    assert "python_package_version:entity_id -> python_package_version_entity:id" in source
    assert "package_license" in source  # columns are listed even when their parent is not drawn


@needs_dot
@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_pictures_are_byte_identical_across_runs(tmp_path: Path, suffix: str) -> None:
    runner = CliRunner()
    first, second = tmp_path / f"first{suffix}", tmp_path / f"second{suffix}"
    for target in (first, second):
        result = runner.invoke(cli, ["generate-schema", str(target), "-i", "Python.*", "-i", "HasArtifact"])
        assert result.exit_code == 0, result.output
        assert result.output.startswith(f"wrote {target}: ")
    data = first.read_bytes()
    assert data == second.read_bytes()
    assert (
        data.startswith(b"\x89PNG")
        if suffix == ".png"
        else b"<svg" in data and b"PythonPackageVersion" in data
    )


@needs_dot
def test_default_file_is_schema_png(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["generate-schema", "--no-performance-models", "-i", "CVE.*"])
    assert result.exit_code == 0, result.output
    assert result.output == "wrote schema.png: 2 models, 0 foreign keys\n"
    assert (tmp_path / "schema.png").read_bytes().startswith(b"\x89PNG")


def test_missing_dot_is_one_line_naming_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    result = CliRunner().invoke(cli, ["generate-schema", str(tmp_path / "x.png")])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert "`dot` program is not installed" in result.output and "apt-get install graphviz" in result.output
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["x.jpg"], "unknown picture format '.jpg'"),
        (["x.png", "-i", "("], "--include '(' is not a regular expression"),
        (
            ["x.png", "-i", "PiMatmul", "--no-performance-models"],
            "matches no model (performance models are left out)",
        ),
    ],
)
def test_bad_arguments_are_one_line_errors(tmp_path: Path, arguments: list[str], message: str) -> None:
    arguments[0] = str(tmp_path / arguments[0])
    result = CliRunner().invoke(cli, ["generate-schema", *arguments])
    assert result.exit_code == 1
    assert message in result.output and len(result.output.strip().splitlines()) == 1


def test_columns_show_type_nullability_and_key_marks() -> None:
    source, _edges = build(select_models(["HasArtifact", "PythonPackageIndex"]))
    # has_artifact has no PRIMARY KEY; its ORM identity is marked all the same.
    assert "<B>python_artifact_id</B> : integer not null [PK, FK]" in source
    assert "<B>id</B> : integer not null [PK]" in source
    assert "warehouse_api_url : text<" in source
