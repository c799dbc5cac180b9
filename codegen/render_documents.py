"""Renderer of the workflow document validators: schema/documents/*.json -> generated/documents/*.py.

datamodel-code-generator turns the JSON Schemas (draft 2020-12) into pydantic v2 models, one module per
schema; cross-file `$ref`s (every document to `metadata.json`) become relative imports. Its own header is
replaced by the project banner, the text is formatted with the project's ruff settings, and an
`__init__.py` is rendered here that re-exports the top-level model of each document type and maps
document type names to them (`DOCUMENT_MODELS`).

Output is deterministic: models come in dependency order (sorted by class name within a level), no
timestamp or tool version is written, and the same schemas always give the same bytes.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import warnings
from pathlib import Path

from codegen.format import banner, format_python

OUTPUT_PACKAGE = "generated/documents"
SOURCE_DIR = "schema/documents"
# Schemas that are shared definitions, not document types: rendered, but not in DOCUMENT_MODELS.
SHARED_SCHEMAS = frozenset({"metadata"})
# The repository root: formatting looks up the project's ruff settings from here, whatever the cwd.
_REPO_ROOT = Path(__file__).resolve().parent.parent


class DocumentSchemaError(ValueError):
    """A document schema cannot be rendered; the message names the schema file."""


def _module_name(schema_name: str) -> str:
    return schema_name.replace("-", "_")


def load_titles(documents_dir: Path) -> dict[str, str]:
    """Schema name (file stem) -> title of its top-level object, which names the top-level class."""
    titles: dict[str, str] = {}
    for path in sorted(documents_dir.glob("*.json")):
        try:
            schema = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise DocumentSchemaError(
                f"{SOURCE_DIR}/{path.name}:{exc.lineno}: invalid JSON: {exc.msg}"
            ) from exc
        title = schema.get("title") if isinstance(schema, dict) else None
        if not isinstance(title, str) or not title.isidentifier():
            raise DocumentSchemaError(
                f"{SOURCE_DIR}/{path.name}: 'title' must be a class name, got {title!r}"
            )
        titles[path.stem] = title
    if not titles:
        raise DocumentSchemaError(f"{documents_dir}: no *.json document schema found")
    return titles


def _run_datamodel_codegen(documents_dir: Path, output_dir: Path) -> None:
    # Imported here: only code generation needs the (dev) dependency.
    from datamodel_code_generator import generate
    from datamodel_code_generator.enums import DataModelType, InputFileType, StrictTypes
    from datamodel_code_generator.format import Formatter, PythonVersion

    with warnings.catch_warnings():
        # Deprecation notices about future defaults: every option that matters is explicit below.
        warnings.simplefilter("ignore")
        generate(
            documents_dir,
            input_file_type=InputFileType.JsonSchema,
            output=output_dir,
            output_model_type=DataModelType.PydanticV2BaseModel,
            target_python_version=PythonVersion.PY_311,
            use_annotated=True,
            field_constraints=True,
            # Determinism: no timestamp, no version. Models come in dependency order (a model after the
            # models it uses, by class name within a level): every class is complete when defined, so
            # subclasses of the envelope in other modules need no forward-reference rebuilds.
            disable_timestamp=True,
            enable_version_header=False,
            keep_model_order=False,
            formatters=[Formatter.BUILTIN],  # ruff formats afterwards; no black/isort version in the bytes
            # Class names come from the schemas' "title" (top-level objects and every $defs entry).
            use_title_as_name=True,
            use_standard_collections=True,
            use_union_operator=True,
            # JSON Schema semantics: unknown keys are allowed (and kept), and a JSON string is never
            # coerced to a number or the other way round.
            extra_fields="allow",
            strict_types=[StrictTypes.str, StrictTypes.int, StrictTypes.float, StrictTypes.bool],
        )


def _strip_tool_header(text: str) -> str:
    """Drop datamodel-codegen's leading comment block (it names the input file and the tool)."""
    lines = text.splitlines(keepends=True)
    index = 0
    while index < len(lines) and (lines[index].startswith("#") or not lines[index].strip()):
        index += 1
    return "".join(lines[index:])


def _finish(body: str, source: str, module: str) -> str:
    text = banner(source) + "\n" + body
    formatted = format_python(text, str(_REPO_ROOT / OUTPUT_PACKAGE / f"{module}.py"))
    if not formatted.startswith(banner(source)):
        raise DocumentSchemaError(f"{source}: formatting moved the banner of {module}.py")
    return formatted


def _render_init(titles: dict[str, str]) -> str:
    documents = {name: title for name, title in titles.items() if name not in SHARED_SCHEMAS}
    lines = [
        '"""Pydantic models of the Thoth workflow documents, one module per schema in schema/documents/."""',
        "",
        "from pydantic import BaseModel",
        "",
    ]
    for name, title in sorted(documents.items()):
        lines.append(f"from .{_module_name(name)} import {title}")
    for name in sorted(SHARED_SCHEMAS & titles.keys()):
        lines.append(f"from .{_module_name(name)} import {titles[name]}")
    lines += [
        "",
        "# Document type name (the schema's file name) -> top-level model.",
        "DOCUMENT_MODELS: dict[str, type[BaseModel]] = {",
    ]
    lines += [f'    "{name}": {title},' for name, title in sorted(documents.items())]
    lines += ["}", ""]
    exported = ["DOCUMENT_MODELS", *sorted(titles.values())]  # isort order: constants, then classes
    lines.append("__all__ = [")
    lines += [f'    "{name}",' for name in exported]
    lines += ["]", ""]
    return _finish("\n".join(lines), f"{SOURCE_DIR}/*.json", "__init__")


def render_documents(documents_dir: Path) -> dict[str, str]:
    """Render every schema of `documents_dir` to {output path relative to the repository: file text}."""
    titles = load_titles(documents_dir)
    files: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="thoth-storages-documents-") as tmp:
        schemas_dir = Path(tmp) / "schemas"  # the JSON Schemas only (kinds.yaml is not one)
        schemas_dir.mkdir()
        for name in titles:
            shutil.copyfile(documents_dir / f"{name}.json", schemas_dir / f"{name}.json")
        output_dir = Path(tmp) / "documents"
        _run_datamodel_codegen(schemas_dir, output_dir)
        produced = {path.stem for path in output_dir.glob("*.py")} - {"__init__"}
        expected = {_module_name(name) for name in titles}
        if produced != expected:
            raise DocumentSchemaError(
                f"{SOURCE_DIR}: datamodel-codegen produced modules {sorted(produced)}, expected {sorted(expected)}"
            )
        for name, title in sorted(titles.items()):
            module = _module_name(name)
            body = _strip_tool_header((output_dir / f"{module}.py").read_text(encoding="utf-8"))
            if f"\nclass {title}(" not in "\n" + body:
                raise DocumentSchemaError(f"{SOURCE_DIR}/{name}.json: no class {title} was generated")
            files[f"{OUTPUT_PACKAGE}/{module}.py"] = _finish(body, f"{SOURCE_DIR}/{name}.json", module)
    files[f"{OUTPUT_PACKAGE}/__init__.py"] = _render_init(titles)
    return dict(sorted(files.items()))
