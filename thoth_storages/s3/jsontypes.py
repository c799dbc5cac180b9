"""JSON type aliases used in the signatures of the object-store layer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeAlias

JSONValue: TypeAlias = "bool | int | float | str | list[JSONValue] | dict[str, JSONValue] | None"
"""Any value `json.loads` can return."""

JSONObject: TypeAlias = "dict[str, JSONValue]"
"""A parsed JSON object: what every `retrieve_document` returns."""

Document: TypeAlias = Mapping[str, object]
"""What a store accepts as a document: any mapping that `json.dumps` can serialise."""

__all__ = ["Document", "JSONObject", "JSONValue"]
