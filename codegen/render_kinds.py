"""Renderer of the document-kind registry: schema/documents/kinds.yaml -> generated/kinds.py,
generated/graph_documents.py and generated/sync_handlers.py.

`kinds.py` is the registry every part of the runtime reads (prefixes, document types, result stores,
what the existence checks look at) and the typed overloads of `validate_document`;
`graph_documents.py` holds the GraphDatabase writers (`sync_*_result`) and existence checks
(`*_document_id_exist(s)`), each a thin typed call into `thoth_storages.graph.sync_writers`;
`sync_handlers.py` the public `sync_*_documents` functions and `HANDLERS_MAPPING`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from codegen.format import banner, format_python
from codegen.render_documents import SHARED_SCHEMAS, SOURCE_DIR, DocumentSchemaError, load_titles
from codegen.yaml_lines import Located, parse

DECLARATIONS = "kinds.yaml"
_SOURCE = f"{SOURCE_DIR}/{DECLARATIONS}"
_REPO_ROOT = Path(__file__).resolve().parent.parent
_KEYS = frozenset(
    {
        "types",
        "describes",
        "handler",
        "result_store",
        "cache_store",
        "model",
        "validate",
        "writer",
        "sync_method",
        "exists",
        "metric_label",
    }
)
_REQUIRED = ("types", "describes", "handler", "writer", "sync_method")
_RUNTIME = "thoth_storages.graph.sync_writers"


@dataclass(frozen=True)
class Exists:
    """A GraphDatabase check whether a document (or an inspection result) was synced."""

    method: str
    parameters: tuple[str, ...]
    doc: str
    recorded_in: tuple[str, str]
    """(table, column) whose rows name the documents the graph recorded."""
    inspection_result: bool
    """The check looks at an (id, result number) pair, not at `recorded_in`."""

    @property
    def synced_by(self) -> tuple[str, str] | None:
        """(table, column) the check looks the document id up in; None for an inspection result check."""
        return None if self.inspection_result else self.recorded_in


@dataclass(frozen=True)
class KindDecl:
    """One declared document kind."""

    prefix: str
    types: tuple[str, ...]
    describes: str
    handler: str
    result_store: str | None
    cache_store: str | None
    model: str
    """Class name in generated.documents, or a dotted path."""
    validate: str | None
    writer: str
    sync_method: str
    sync_doc: str
    force: bool
    exists: Exists | None
    metric_label: str
    """The `document_type` label of the graph's documents metric (default: the first type)."""


class _Reader:
    def __init__(self, located: Located) -> None:
        self.located = located

    def fail(self, path: tuple[str | int, ...], message: str) -> DocumentSchemaError:
        where = ".".join(str(part) for part in path)
        return DocumentSchemaError(f"{_SOURCE}:{self.located.line(path)}: {where}: {message}")

    def text(self, node: dict[str, object], path: tuple[str, ...], key: str) -> str:
        value = node.get(key)
        if not isinstance(value, str) or not value:
            raise self.fail((*path, key), "must be a non-empty string")
        return value

    def optional(self, node: dict[str, object], path: tuple[str, ...], key: str) -> str | None:
        return self.text(node, path, key) if key in node else None

    def mapping(self, value: object, path: tuple[str, ...]) -> dict[str, object]:
        if not isinstance(value, dict):
            raise self.fail(path, "must be a mapping")
        return value

    def names(self, node: dict[str, object], path: tuple[str, ...], key: str) -> tuple[str, ...]:
        value = node.get(key)
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise self.fail((*path, key), "must be a non-empty list of names")
        return tuple(str(v) for v in value)


def load_kinds(documents_dir: Path, titles: dict[str, str]) -> list[KindDecl]:
    """The declarations of `documents_dir/kinds.yaml`, checked against the schemas (`titles`)."""
    path = documents_dir / DECLARATIONS
    try:
        located = parse(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DocumentSchemaError(f"{_SOURCE}: invalid YAML: {exc}") from exc
    reader = _Reader(located)
    if located.duplicates:
        duplicate, line = located.duplicates[0]
        raise DocumentSchemaError(f"{_SOURCE}:{line}: {'.'.join(map(str, duplicate))}: declared twice")
    kinds: list[KindDecl] = []
    for prefix, value in reader.mapping(located.data, ()).items():
        kinds.append(_kind(reader, prefix, reader.mapping(value, (prefix,)), titles))
    seen: dict[str, str] = {}
    for kind in kinds:
        names = [kind.handler, kind.sync_method, *([kind.exists.method] if kind.exists else [])]
        for name in [*names, *kind.types]:
            if name in seen:
                raise reader.fail((kind.prefix,), f"{name!r} is declared by {seen[name]!r} already")
            seen[name] = kind.prefix
    return kinds


def _kind(reader: _Reader, prefix: str, node: dict[str, object], titles: dict[str, str]) -> KindDecl:
    path = (prefix,)
    if not prefix.isidentifier() or "_" in prefix:
        raise reader.fail(path, "a prefix is a lower-case word (the text before the id's first '-')")
    unknown = sorted(set(node) - _KEYS)
    if unknown:
        raise reader.fail((prefix, unknown[0]), f"unknown key; known: {', '.join(sorted(_KEYS))}")
    for key in _REQUIRED:
        if key not in node:
            raise reader.fail(path, f"{key!r} is required")
    types = reader.names(node, path, "types")
    for index, name in enumerate(types):
        if name not in titles or name in SHARED_SCHEMAS:
            raise reader.fail((prefix, "types", index), f"no document schema {SOURCE_DIR}/{name}.json")
    model = reader.optional(node, path, "model") or titles[types[0]]
    validate = reader.optional(node, path, "validate")
    if ("." in model) != (validate is not None):
        raise reader.fail(path, "a dotted `model` needs `validate` (and only it)")
    writer = reader.text(node, path, "writer")
    if "." not in writer:
        raise reader.fail((prefix, "writer"), "must be a dotted path (module.function)")
    sync = reader.mapping(node["sync_method"], (prefix, "sync_method"))
    force = sync.get("force", False)
    if not isinstance(force, bool):
        raise reader.fail((prefix, "sync_method", "force"), "must be true or false")
    return KindDecl(
        prefix=prefix,
        types=types,
        describes=reader.text(node, path, "describes"),
        handler=reader.text(node, path, "handler"),
        result_store=reader.optional(node, path, "result_store"),
        cache_store=reader.optional(node, path, "cache_store"),
        model=model,
        validate=validate,
        writer=writer,
        sync_method=reader.text(sync, (prefix, "sync_method"), "name"),
        sync_doc=reader.text(sync, (prefix, "sync_method"), "doc"),
        force=force,
        exists=_exists(reader, prefix, node["exists"]) if "exists" in node else None,
        metric_label=reader.optional(node, path, "metric_label") or types[0],
    )


def _exists(reader: _Reader, prefix: str, value: object) -> Exists:
    path = (prefix, "exists")
    node = reader.mapping(value, path)
    parameters = reader.names(node, path, "parameters")
    check = reader.optional(node, path, "check")
    if check not in (None, "inspection_result"):
        raise reader.fail((*path, "check"), "the only special check is `inspection_result`")
    if check is not None and len(parameters) != 2:
        raise reader.fail((*path, "parameters"), "an inspection result check takes (id, result number)")
    if check is None and len(parameters) != 1:
        raise reader.fail((*path, "parameters"), "a document id check takes the id only")
    return Exists(
        method=reader.text(node, path, "method"),
        parameters=parameters,
        doc=reader.text(node, path, "doc"),
        recorded_in=(reader.text(node, path, "table"), reader.text(node, path, "column")),
        inspection_result=check is not None,
    )


# ---------------------------------------------------------------------------------------------- output


def _finish(body: str, module: str) -> str:
    return format_python(banner(_SOURCE) + "\n" + body, str(_REPO_ROOT / "generated" / f"{module}.py"))


def _literal(names: list[str]) -> str:
    return "Literal[" + ", ".join(f'"{name}"' for name in names) + "]"


def _overloads(kinds: list[KindDecl], titles: dict[str, str]) -> list[tuple[list[str], str]]:
    """(document_type literals, model type) per overload of validate_document, by first literal."""
    found: list[tuple[list[str], str]] = []
    for kind in kinds:
        if len(kind.types) == 1:
            names = list(dict.fromkeys([kind.prefix, kind.types[0]]))
            found.append((names, titles[kind.types[0]]))
            continue
        found.append(([kind.prefix], " | ".join(titles[name] for name in kind.types)))
        found += [([name], titles[name]) for name in kind.types]
    return sorted(found)


def _render_registry(kinds: list[KindDecl], titles: dict[str, str]) -> str:
    models = sorted({titles[name] for kind in kinds for name in kind.types})
    lines = [
        f'"""The document kinds of the sync, declared in {_SOURCE}: the one registry the runtime reads."""',
        "",
        "from __future__ import annotations",
        "",
        "from collections.abc import Callable, Mapping",
        "from dataclasses import dataclass",
        "from typing import TYPE_CHECKING, Final, Literal, Protocol, cast, overload",
        "",
        "if TYPE_CHECKING:  # the registry itself is plain data: the stores read it without pydantic",
        "    from pydantic import BaseModel",
        "",
        f"    from generated.documents import {', '.join(models)}",
        "",
        "",
        "@dataclass(frozen=True)",
        "class Kind:",
        '    """One kind of document the sync knows, keyed by its document id prefix."""',
        "",
        "    prefix: str",
        "    types: tuple[str, ...]",
        '    """Document types (schemas) of the kind; the first is what the prefix means by default."""',
        "    describes: str",
        "    handler: str",
        "    result_store: str | None",
        '    """Class name of the S3 result store (thoth_storages.s3) the documents are listed from."""',
        "    cache_store: str | None",
        '    """Class name of the S3 cache store (thoth_storages.s3) keeping documents of the first type."""',
        "    sync_method: str",
        "    exists_method: str | None",
        "    synced_by: tuple[str, str] | None",
        '    """(table, column) the existence check looks a document id up in (None: no such check)."""',
        "    recorded_in: tuple[str, str] | None",
        '    """(table, column) whose rows name the documents the graph recorded (None: not recorded)."""',
        "    metric_label: str",
        '    """The `document_type` label the graph\'s documents metric counts the kind under."""',
        "",
        "",
        "KINDS: Final[tuple[Kind, ...]] = (",
    ]
    for kind in kinds:
        exists = kind.exists
        lines.append(
            f"    Kind(prefix={kind.prefix!r}, types={kind.types!r}, describes={kind.describes!r},"
            f" handler={kind.handler!r}, result_store={kind.result_store!r}, cache_store={kind.cache_store!r},"
            f" sync_method={kind.sync_method!r}, exists_method={exists.method if exists else None!r},"
            f" synced_by={exists.synced_by if exists else None!r},"
            f" recorded_in={exists.recorded_in if exists else None!r}, metric_label={kind.metric_label!r}),"
        )
    lines += [
        ")",
        '"""Every kind, in sync order."""',
        "",
        "KINDS_BY_PREFIX: Final[Mapping[str, Kind]] = {kind.prefix: kind for kind in KINDS}",
        "PREFIXES: Final[tuple[str, ...]] = tuple(KINDS_BY_PREFIX)",
        "STORE_DOCUMENT_TYPES: Final[Mapping[str, str]] = {",
        "    store: kind.types[0]",
        "    for kind in KINDS",
        "    for store in (kind.result_store, kind.cache_store)",
        "    if store is not None",
        "}",
        '"""Result and cache store class name -> the document type it stores (validated before storing)."""',
        "",
        "",
        "class ValidateDocument(Protocol):",
        '    """The type of `validate_document`: the model it returns for each document type or prefix."""',
        "",
    ]
    for names, model in [*_overloads(kinds, titles), (["*"], "BaseModel")]:
        kind_type = "str | None = None" if names == ["*"] else _literal(names)
        lines += [
            "    @overload",
            "    def __call__(",
            f"        self, document: Mapping[str, object], document_type: {kind_type}, *,"
            " document_id: str | None = None",
            f"    ) -> {model}: ...",
        ]
    lines += [
        "",
        "",
        "def typed_validator(function: Callable[..., BaseModel]) -> ValidateDocument:",
        '    """`function` (validate_document) typed with the overloads above."""',
        "    return cast(ValidateDocument, function)",
        "",
    ]
    return _finish("\n".join(lines), "kinds")


def _constant(kind: KindDecl) -> str:
    return "_" + kind.prefix.upper()


def _imported(dotted: str) -> tuple[str, str]:
    module, _, name = dotted.rpartition(".")
    return module, name


def _render_graph(kinds: list[KindDecl], titles: dict[str, str]) -> str:
    imports: dict[str, set[str]] = {
        _RUNTIME: {"Document", "DocumentWriter", "Prepared", "SyncRuntime", "WriteStats"},
        "collections.abc": {"Callable"},
        "thoth_storages.documents": {"validate_document"},
    }
    for kind in kinds:
        for dotted in [kind.writer, *([kind.model] if "." in kind.model else [])]:
            module, name = _imported(dotted)
            imports.setdefault(module, set()).add(name)
        if "." not in kind.model:
            imports.setdefault("generated.documents", set()).add(kind.model)
    lines = [
        f'"""GraphDatabase\'s document writers and existence checks, one per kind of {_SOURCE}."""',
        "",
        "from __future__ import annotations",
        "",
    ]
    lines += [f"from {module} import {', '.join(sorted(names))}" for module, names in sorted(imports.items())]
    lines.append("")
    for kind in kinds:
        model = _imported(kind.model)[1]
        validate = (
            f"{model}.{kind.validate}"
            if kind.validate
            else f'lambda document: validate_document(document, "{kind.types[0]}")'
        )
        writer = _imported(kind.writer)[1]
        lines.append(f"{_constant(kind)} = DocumentWriter({model}, {validate}, {writer})")
    lines += [
        "",
        "PREPARE: dict[str, Callable[[Document], Prepared]] = {",
        *[f'    "{kind.prefix}": {_constant(kind)}.prepare,' for kind in kinds],
        "}",
        '"""Sync handler prefix -> its kind\'s `prepare` (the document validated and bound to its writer)."""',
        "",
        "",
        "class DocumentsMixin(SyncRuntime):",
        '    """The `sync_*_result` writers and `*_exist(s)` checks of GraphDatabase."""',
        "",
    ]
    for kind in kinds:
        model = _imported(kind.model)[1]
        force = ", force: bool = False" if kind.force else ""
        lines += [
            f"    def {kind.sync_method}(self, document: Document | {model}{force}) -> WriteStats:",
            f"        {_docstring(kind.sync_doc)}",
            f"        return self._write({_constant(kind)}.model_of(document), {_constant(kind)}.write)",
            "",
        ]
    for kind in kinds:
        exists = kind.exists
        if exists is None:
            continue
        if exists.inspection_result:
            document_id, number = exists.parameters
            signature = f"{document_id}: str, {number}: int"
            body = f"self.synced_inspection_results([({document_id}, {number})])"
        else:
            (document_id,) = exists.parameters
            signature = f"{document_id}: str"
            body = f'self.synced_document_ids("{kind.prefix}", [{document_id}])'
        lines += [
            f"    def {exists.method}(self, {signature}) -> bool:",
            f"        {_docstring(exists.doc)}",
            f"        return bool({body})",
            "",
        ]
    return _finish("\n".join(lines), "graph_documents")


def _docstring(text: str) -> str:
    return '"""' + text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"') + '"""'


def _render_handlers(kinds: list[KindDecl]) -> str:
    lines = [
        f'"""The public sync handlers (`sync_*_documents`), one per kind of {_SOURCE}."""',
        "",
        "from __future__ import annotations",
        "",
        "from thoth_storages.sync.api import Handler, handler",
        "",
    ]
    lines += [f'{kind.handler}: Handler = handler("{kind.prefix}")' for kind in kinds]
    lines += [
        "",
        "HANDLERS_MAPPING: dict[str, Handler] = {",
        *[f'    "{kind.prefix}": {kind.handler},' for kind in kinds],
        "}",
        '"""Document id prefix -> its handler."""',
        "",
    ]
    return _finish("\n".join(lines), "sync_handlers")


def render_kinds(documents_dir: Path) -> dict[str, str]:
    """The registry, GraphDatabase methods and handlers declared in `documents_dir/kinds.yaml`."""
    titles = load_titles(documents_dir)
    kinds = load_kinds(documents_dir, titles)
    return {
        "generated/graph_documents.py": _render_graph(kinds, titles),
        "generated/kinds.py": _render_registry(kinds, titles),
        "generated/sync_handlers.py": _render_handlers(kinds),
    }
