"""YAML parsing that remembers the line of every key, so errors can point at file:line."""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

Path_ = tuple[str | int, ...]


@dataclass
class Located:
    """Plain data parsed from one YAML file, with the 1-based line of every key path."""

    data: object
    lines: dict[Path_, int] = field(default_factory=dict)
    duplicates: list[tuple[Path_, int]] = field(default_factory=list)

    def line(self, path: Path_) -> int:
        """The line of `path`, or of its closest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return 1


def parse(text: str) -> Located:
    """Parse YAML into plain data; raises yaml.YAMLError (with its own marks) on syntax errors."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    located = Located(data=None)
    if node is not None:
        located.data = _convert(node, (), located)
    return located


def _convert(node: yaml.Node, path: Path_, located: Located) -> object:
    if isinstance(node, yaml.MappingNode):
        mapping: dict[str, object] = {}
        for key_node, value_node in node.value:
            key = str(_scalar(key_node))
            child = (*path, key)
            if key in mapping:
                located.duplicates.append((child, key_node.start_mark.line + 1))
            located.lines[child] = key_node.start_mark.line + 1
            mapping[key] = _convert(value_node, child, located)
        return mapping
    if isinstance(node, yaml.SequenceNode):
        items: list[object] = []
        for index, item in enumerate(node.value):
            child = (*path, index)
            located.lines[child] = item.start_mark.line + 1
            items.append(_convert(item, child, located))
        return items
    return _scalar(node)


def _scalar(node: yaml.Node) -> object:
    if not isinstance(node, yaml.ScalarNode):
        raise yaml.YAMLError(f"line {node.start_mark.line + 1}: a mapping key must be a plain scalar")
    constructor = yaml.SafeLoader("")
    return (
        constructor.construct_scalar(node)
        if node.tag.endswith(":str")
        else constructor.construct_object(node)
    )
