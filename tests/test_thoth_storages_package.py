"""`thoth.storages`: the original's import path over thoth_storages, in a PEP 420 namespace `thoth`."""

from __future__ import annotations

import typing

import thoth
import thoth.storages
import thoth_storages
from generated import models
from thoth.storages.graph import enums


def test_thoth_is_a_namespace_package() -> None:
    assert getattr(thoth, "__file__", None) is None
    assert type(thoth.__path__).__name__ == "_NamespacePath"


def test_every_name_of_thoth_storages_is_the_object_of_thoth_storages() -> None:
    for name in thoth.storages.__all__:
        assert getattr(thoth.storages, name) is getattr(thoth_storages, name), name


def test_database_enums_list_the_labels_of_their_database_types() -> None:
    pairs = {
        enums.EnvironmentTypeEnum: models.EnvironmentType,
        enums.InspectionSyncStateEnum: models.InspectionSyncState,
        enums.MetadataDistutilsTypeEnum: models.DistutilsType,
        enums.RecommendationTypeEnum: models.RecommendationType,
        enums.RequirementsFormatEnum: models.RequirementsFormat,
        enums.SoftwareStackTypeEnum: models.SoftwareStackType,
    }
    for enum, labels in pairs.items():
        assert {member.value for member in enum} == set(typing.get_args(labels)), enum.__name__
