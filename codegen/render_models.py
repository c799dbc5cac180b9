"""Render generated/models.py: typed SQLAlchemy 2 declarative models and the model groupings."""

from __future__ import annotations

from . import ir
from .pytypes import enum_alias, python_type, sqlalchemy_type

_GROUPS = (
    ("ALL_MAIN_MODELS", "main"),
    ("ALL_RELATION_MODELS", "relation"),
    ("ALL_PERFORMANCE_MODELS", "performance"),
)


def render_models(schema: ir.Schema) -> str:
    """The text of models.py (before formatting)."""
    enums = {enum.name: enum for enum in schema.enums}
    parts = [
        '"""SQLAlchemy models of the knowledge graph, one class per table of schema/tables/."""\n',
        "from __future__ import annotations\n",
        "import datetime",
        "from typing import Literal\n",
        "import sqlalchemy as sa",
        "from sqlalchemy.dialects import postgresql",
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n",
    ]
    for enum in schema.enums:
        values = ", ".join(repr(value) for value in enum.values)
        parts.append(f"{enum_alias(enum.name)} = Literal[{values}]")
        if enum.comment:
            parts.append(f'"""{_doc(enum.comment)}"""')
    parts.append("\n\ndef _orm_identity(*columns: str) -> dict[str, object]:")
    parts.append(
        '    """Mapper arguments naming the columns that identify rows of a table without a PRIMARY KEY."""'
    )
    parts.append("    return {'primary_key': columns}")
    parts.append("\n\nclass Base(DeclarativeBase):")
    parts.append('    """Declarative base; `Base.metadata` holds every table."""\n')
    parts.append("    metadata = sa.MetaData()\n")
    parts.append(_BASE_METHODS)
    for table in schema.tables:
        parts.append(_model(table, enums))
    parts.append(_groupings(schema))
    return "\n".join(parts) + "\n"


_BASE_METHODS = '''    @classmethod
    def attribute_names(cls) -> list[str]:
        """Names of the column attributes of the model (as the original's models offered)."""
        return [attribute.key for attribute in sa.inspect(cls).column_attrs]

    def to_dict(self, without_id: bool = True) -> dict[str, object]:
        """The row as its column values, dates and datetimes as strings; `id` only with without_id=False."""
        found: dict[str, object] = {}
        for name in self.attribute_names():
            if without_id and name == "id":
                continue
            value = getattr(self, name)
            found[name] = str(value) if isinstance(value, datetime.date) else value
        return found
'''


def _doc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"').strip()


def _model(table: ir.Table, enums: dict[str, ir.Enum]) -> str:
    lines = [f"\n\nclass {table.model}(Base):", f'    """{_doc(table.comment or table.name)}"""\n']
    lines.append(f"    __tablename__ = {table.name!r}")
    args: list[str] = []
    if table.primary_key_constraint:
        args.append(f"sa.PrimaryKeyConstraint({_names(table.primary_key)}, name={table.primary_key_name!r})")
    else:
        lines.append("    # No PRIMARY KEY in the database: these columns identify rows for the ORM only.")
        lines.append(f"    __mapper_args__ = _orm_identity({_names(table.primary_key)})")
    args += [f"sa.UniqueConstraint({_names(u.columns)}, name={u.name!r})" for u in table.unique_constraints]
    args += [_index(index) for index in table.indexes]
    if table.comment:
        args.append(f"{{'comment': {table.comment!r}}}")
    if args:
        lines.append(f"    __table_args__ = ({', '.join(args)},)\n")
    for column in table.columns:
        lines.append(
            f"    {column.name}: Mapped[{python_type(column)}] = mapped_column({_column_args(table, column, enums)})"
        )
    return "\n".join(lines)


def _names(columns: tuple[str, ...]) -> str:
    return ", ".join(repr(column) for column in columns)


def _index(index: ir.Index) -> str:
    extra = ", unique=True" if index.unique else ""
    if index.where:
        extra += f", postgresql_where=sa.text({index.where!r})"
    return f"sa.Index({index.name!r}, {_names(index.columns)}{extra})"


def _column_args(table: ir.Table, column: ir.Column, enums: dict[str, ir.Enum]) -> str:
    args = [sqlalchemy_type(column.type, enums)]
    if column.foreign_key:
        fk = column.foreign_key
        ondelete = f", ondelete={fk.on_delete!r}" if fk.on_delete != "NO ACTION" else ""
        args.append(f"sa.ForeignKey({fk.table + '.' + fk.column!r}, name={fk.name!r}{ondelete})")
    args.append(f"nullable={column.nullable}")
    if column.primary_key and table.primary_key_constraint:
        args.append(f"primary_key=True, autoincrement={column.autoincrement}")
    elif column.autoincrement:
        args.append("autoincrement=True")
    if column.has_default:
        args.append(f"default={column.default!r}")
    if column.server_default is not None:
        args.append(f"server_default=sa.text({column.server_default!r})")
    if column.comment:
        args.append(f"comment={column.comment!r}")
    return ", ".join(args)


def _groupings(schema: ir.Schema) -> str:
    lines = ["\n"]
    for name, group in _GROUPS:
        members = ", ".join(table.model for table in schema.tables if table.group == group)
        lines.append(f"{name}: tuple[type[Base], ...] = ({members}{',' if members else ''})")
    lines.append("\nMODEL_BY_NAME: dict[str, type[Base]] = {")
    lines += [
        f"    {table.model!r}: {table.model}," for table in sorted(schema.tables, key=lambda t: t.model)
    ]
    lines.append("}")
    lines.append('"""Every model class by class name."""\n')
    lines.append("PERFORMANCE_MODEL_BY_NAME: dict[str, type[Base]] = {")
    lines += [
        f"    {table.model!r}: {table.model},"
        for table in sorted(schema.tables, key=lambda t: t.model)
        if table.group == "performance"
    ]
    lines.append("}")
    lines.append('"""Performance-indicator models by the name an inspection reports (the class name)."""\n')
    lines.append("NATURAL_KEYS: dict[str, tuple[str, ...]] = {")
    lines += [f"    {table.name!r}: ({_names(table.natural_key)},)," for table in schema.tables]
    lines.append("}")
    lines.append(
        '"""Table name -> the columns that identify a row when syncing (declared as natural_key: in the YAML)."""'
    )
    return "\n".join(lines)
