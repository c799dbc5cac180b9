"""The original's Python enums (`thoth.storages.graph.enums`), for callers that pass or compare them.

Six of them name the labels of a PostgreSQL ENUM type declared in schema/tables/ (the generated
`Literal` aliases of generated/models.py list the same labels; a test keeps them equal). The other
three are query and Kebechet vocabularies with no database type.
"""

from __future__ import annotations

from enum import Enum


class EnvironmentTypeEnum(Enum):
    """`environment_type`: whether a software environment builds or runs software."""

    RUNTIME = "RUNTIME"
    BUILDTIME = "BUILDTIME"


class SoftwareStackTypeEnum(Enum):
    """`software_stack_type`: why a software stack is stored."""

    USER = "USER"
    INSPECTION = "INSPECTION"
    ADVISED = "ADVISED"


class InspectionSyncStateEnum(Enum):
    """`inspection_sync_state`: whether an inspection's results are synced."""

    PENDING = "PENDING"
    SYNCED = "SYNCED"


class RecommendationTypeEnum(Enum):
    """`recommendation_type`: the kind of recommendation an adviser run was asked for."""

    STABLE = "STABLE"
    TESTING = "TESTING"
    LATEST = "LATEST"
    PERFORMANCE = "PERFORMANCE"
    SECURITY = "SECURITY"


class RequirementsFormatEnum(Enum):
    """`requirements_format`: the format of an adviser run's requirements."""

    PIPENV = "PIPENV"


class MetadataDistutilsTypeEnum(Enum):
    """`distutils_type`: required, provided or obsoleted distribution."""

    REQUIRED = "REQUIRED"
    PROVIDED = "PROVIDED"
    OBSOLETE = "OBSOLETE"


class QuerySortTypeEnum(Enum):
    """Columns a package listing can be sorted by."""

    PACKAGE_NAME = "package_name"
    PACKAGE_VERSION = "package_version"


class PlatformEnum(Enum):
    """Platforms the graph knows packages for."""

    LINUX_X86_64 = "linux-x86_64"


class KebechetManagerEnum(Enum):
    """Kebechet managers, numbered as the original numbered them."""

    INFO_MANAGER = 1
    PIPFILE_REQUIREMENTS_MANAGER = 2
    UPDATE_MANAGER = 3
    VERSION_MANAGER = 4
    THOTH_ADVISE_MANAGER = 5
    THOTH_PROVENANCE_MANAGER = 6


__all__ = [
    "EnvironmentTypeEnum",
    "InspectionSyncStateEnum",
    "KebechetManagerEnum",
    "MetadataDistutilsTypeEnum",
    "PlatformEnum",
    "QuerySortTypeEnum",
    "RecommendationTypeEnum",
    "RequirementsFormatEnum",
    "SoftwareStackTypeEnum",
]
