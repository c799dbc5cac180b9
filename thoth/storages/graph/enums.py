"""`thoth.storages.graph.enums`: the enums of the knowledge graph and its queries. Re-exports of thoth_storages (one implementation)."""

from thoth_storages.graph.enums import (
    EnvironmentTypeEnum,
    InspectionSyncStateEnum,
    KebechetManagerEnum,
    MetadataDistutilsTypeEnum,
    PlatformEnum,
    QuerySortTypeEnum,
    RecommendationTypeEnum,
    RequirementsFormatEnum,
    SoftwareStackTypeEnum,
)

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
