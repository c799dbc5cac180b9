"""thoth-storages: typed, code-generated storage layer of the Thoth knowledge graph."""

from .graph import GraphDatabase

__version__ = "0.75.0"

__all__ = ["GraphDatabase", "__version__"]
