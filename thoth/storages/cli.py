"""`thoth.storages.cli`: the console script. Re-exports of thoth_storages (one implementation)."""

from thoth_storages import __version__ as thoth_storages_version
from thoth_storages.cli import cli
from thoth_storages.cli_schema import generate_schema

__all__ = ["cli", "generate_schema", "thoth_storages_version"]
