"""Drives thoth-storages 0.74.2 in its own interpreter for the differential suite (tests/compat/differential.py).

Run with the original's python (standard library and the original only); the database is named by
KNOWLEDGE_GRAPH_DATABASE, as the original reads it:

    python original_driver.py sync < plan.json       # build the database, sync documents, print failures
    python original_driver.py signatures             # the public read methods and their parameters
    python original_driver.py ask < questions.json   # call each question, print the canonical answers

`canonical` is imported by our side too, so both answers are encoded by the same function.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import inspect
import json
import os
import re
import sys
import warnings
from typing import Any

READ_METHOD = re.compile(r"^(get_|has_|is_|retrieve_)|_exists?$")


def canonical(value: Any) -> Any:
    """A JSON value that tells tuples, lists, sets and dicts apart; dict entries and sets sorted."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return {"float": repr(value)}
    if isinstance(value, decimal.Decimal):
        return {"float": repr(float(value))}
    if isinstance(value, enum.Enum):
        return canonical(value.value)
    if isinstance(value, datetime.datetime | datetime.date):
        return {"datetime": value.isoformat()}
    if isinstance(value, tuple):
        return {"tuple": [canonical(item) for item in value]}
    if isinstance(value, list):
        return [canonical(item) for item in value]
    if isinstance(value, set | frozenset):
        return {"set": sorted((canonical(item) for item in value), key=_key)}
    if isinstance(value, dict):
        pairs = [[canonical(key), canonical(item)] for key, item in value.items()]
        return {"dict": sorted(pairs, key=_key)}
    if hasattr(value, "__dict__"):
        public = (name for name in dir(value) if not name.startswith("_"))  # attributes and properties
        fields = {name: getattr(value, name) for name in public if not callable(getattr(value, name))}
        return {"object": type(value).__name__, "fields": canonical(fields)}
    return {"repr": type(value).__name__}


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def decode(value: Any) -> Any:
    """A question's argument from its JSON form: {"tuple": [...]} and {"frozenset": [...]} as such."""
    if isinstance(value, list):
        return [decode(item) for item in value]
    if isinstance(value, dict):
        if set(value) == {"tuple"}:
            return tuple(decode(item) for item in value["tuple"])
        if set(value) == {"frozenset"}:
            return frozenset(decode(item) for item in value["frozenset"])
        return {key: decode(item) for key, item in value.items()}
    return value


def answer(graph: Any, question: dict[str, Any]) -> Any:
    """The canonical answer of one question, or {"raises": class name} when the call raises."""
    method = getattr(graph, question["method"])
    try:
        result = method(*decode(question["args"]), **decode(question["kwargs"]))
    except Exception as error:  # an exception is an answer too
        rollback = getattr(getattr(graph, "_session", None), "rollback", None)
        if rollback is not None:
            rollback()
        return {"raises": type(error).__name__}
    return canonical(result)


def _graph() -> Any:
    from thoth.storages import GraphDatabase

    graph = GraphDatabase()
    graph.connect()
    return graph


def _sync() -> None:
    """Re-create the database with the original's schema and sync the planned documents one by one."""
    import psycopg2

    from thoth.storages import sync

    plan = json.load(sys.stdin)
    name = os.environ["KNOWLEDGE_GRAPH_DATABASE"]
    connection = psycopg2.connect(
        host=os.getenv("KNOWLEDGE_GRAPH_HOST", "localhost"),
        port=int(os.getenv("KNOWLEDGE_GRAPH_PORT", "5432")),
        user=os.getenv("KNOWLEDGE_GRAPH_USER", "postgres"),
        password=os.getenv("KNOWLEDGE_GRAPH_PASSWORD", "postgres"),
        dbname="postgres",
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    connection.close()
    graph = _graph()
    graph.initialize_schema()
    failed: dict[str, str] = {}
    for handler, path in plan["documents"]:
        try:
            if handler == "sync_inspection_documents":
                _sync_inspection(graph, path)
            else:
                getattr(sync, handler)(document_ids=[path], graph=graph, is_local=True)
        except Exception as error:  # reported, the caller decides
            failed[path] = f"{type(error).__name__}: {str(error).splitlines()[0][:200] if str(error) else ''}"
    json.dump({"failed": failed}, sys.stdout)


def _source_with_helpers(cls: Any, function: Any) -> str:
    """A method's source and that of the private methods it calls (transitively)."""
    sources, seen, todo = [], set(), [function]
    while todo:
        source = inspect.getsource(todo.pop())
        sources.append(source)
        for helper in re.findall(r"self\.(_[a-z]\w*)\(", source):
            if helper not in seen and inspect.isfunction(getattr(cls, helper, None)):
                seen.add(helper)
                todo.append(getattr(cls, helper))
    return "\n".join(sources)


def _sync_inspection(graph: Any, path: str) -> None:
    """What the original's sync_inspection_documents does for a local inspection directory.

    Its local branch never sets `number_results` and raises UnboundLocalError for every directory, so
    the documents are assembled here as that handler assembles them and given to sync_inspection_result.
    """
    inspection_id = os.path.basename(path.rstrip("/"))  # the id a store listing would give
    results = sorted(int(entry.name) for entry in os.scandir(f"{path}/results"))
    with open(f"{path}/build/specification") as specification:
        specification_document = json.load(specification)
    for number in results:
        if graph.inspection_document_id_result_number_exists(
            inspection_document_id=inspection_id, inspection_result_number=number
        ):
            continue
        with open(f"{path}/results/{number}/result") as result:
            result_document = json.load(result)
        graph.sync_inspection_result(
            {
                "document_id": inspection_id,
                "result_number": number,
                "specification": specification_document,
                "result": result_document,
            }
        )


def _signatures() -> None:
    """Every public read method of GraphDatabase with its parameters and whether its SQL is ordered."""
    from thoth.storages import GraphDatabase

    methods = {}
    for name, function in inspect.getmembers(GraphDatabase, inspect.isfunction):
        if name.startswith("_") or not READ_METHOD.search(name):
            continue
        source = _source_with_helpers(GraphDatabase, function)
        parameters = [
            {
                "name": parameter.name,
                "kind": parameter.kind.name,
                "default": canonical(parameter.default) if parameter.default is not parameter.empty else None,
                "required": parameter.default is parameter.empty,
            }
            for parameter in inspect.signature(function).parameters.values()
            if parameter.name != "self"
        ]
        # "sort": ordered only when called with sort=True (its only ORDER BY is under `if sort:`).
        ordered: bool | str = "order_by(" in source or "ORDER BY" in source.upper()
        if (
            ordered
            and re.search(r"if sort:\s*query = query\.order_by\(", source)
            and source.count("order_by(") == 1
        ):
            ordered = "sort"
        methods[name] = {
            "parameters": parameters,
            "static": isinstance(inspect.getattr_static(GraphDatabase, name), staticmethod),
            "ordered": ordered,
        }
    json.dump(methods, sys.stdout, sort_keys=True)


def _ask() -> None:
    questions = json.load(sys.stdin)
    graph = _graph()
    json.dump([answer(graph, question) for question in questions], sys.stdout)


def main() -> None:
    warnings.simplefilter("ignore")
    {"sync": _sync, "signatures": _signatures, "ask": _ask}[sys.argv[1]]()


if __name__ == "__main__":
    main()
