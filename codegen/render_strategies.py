"""Render generated/strategies.py: hypothesis strategies for rows of every table, from the schema."""

from __future__ import annotations

from . import ir

_BOUNDS = {"smallint": 15, "integer": 31, "bigint": 63}


def _strategy(column: ir.Column, enums: dict[str, ir.Enum]) -> str:
    if bits := _BOUNDS.get(column.type):
        base = f"st.integers(min_value=-(2**{bits}), max_value=2**{bits} - 1)"
    elif varchar := ir.VARCHAR.fullmatch(column.type):
        base = f"_text({varchar.group(1)})"
    elif enum := column.enum_name:
        base = f"st.sampled_from({list(enums[enum].values)!r})"
    else:
        base = {
            "text": "_text(200)",
            "boolean": "st.booleans()",
            "float": "st.floats(allow_nan=False, allow_infinity=False)",
            "timestamp": "st.datetimes(min_value=_MIN_DATETIME, max_value=_MAX_DATETIME)",
            "date": "st.dates(min_value=_MIN_DATETIME.date(), max_value=_MAX_DATETIME.date())",
        }[column.type]
    return f"st.none() | {base}" if column.nullable else base


def render_strategies(schema: ir.Schema) -> str:
    """The text of strategies.py: one row strategy per table, foreign-key and serial columns left out."""
    enums = {enum.name: enum for enum in schema.enums}
    lines = [
        '"""Hypothesis strategies generating valid column values for rows of every table.',
        "",
        "Serial columns and foreign-key columns are left out: a test fills them from parent rows.",
        '"""\n',
        "from __future__ import annotations\n",
        "import datetime\n",
        "from hypothesis import strategies as st\n",
        "_MIN_DATETIME = datetime.datetime(1970, 1, 1)",
        "_MAX_DATETIME = datetime.datetime(2200, 1, 1)\n\n",
        "def _text(max_size: int) -> st.SearchStrategy[str]:",
        '    """Text PostgreSQL accepts: no NUL characters, no lone surrogates."""',
        "    alphabet = st.characters(exclude_categories=['Cs'], exclude_characters='\\x00')",
        "    return st.text(alphabet=alphabet, max_size=max_size)\n\n",
        "ROW_STRATEGIES: dict[str, st.SearchStrategy[dict[str, object]]] = {",
    ]
    for table in schema.tables:
        fields = [
            f"{column.name!r}: {_strategy(column, enums)}"
            for column in table.columns
            if not column.autoincrement and column.foreign_key is None
        ]
        lines.append(f"    {table.name!r}: st.fixed_dictionaries({{{', '.join(fields)}}}),")
    lines.append("}")
    lines.append('"""Table name -> strategy of column values for one row."""')
    return "\n".join(lines) + "\n"
