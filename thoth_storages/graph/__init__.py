"""The PostgreSQL side: the GraphDatabase adapter and its migration glue."""

from .database import GraphDatabase

__all__ = ["GraphDatabase"]
