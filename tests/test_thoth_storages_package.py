"""`thoth.storages`: the original's import path over thoth_storages, in a PEP 420 namespace `thoth`."""

from __future__ import annotations

import datetime
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


def test_models_offer_the_originals_to_dict_and_attribute_names() -> None:
    from thoth.storages.graph.models import CVETimestamp, PythonPackageIndex

    assert PythonPackageIndex.attribute_names() == [
        column.name for column in PythonPackageIndex.__table__.columns
    ]
    index = PythonPackageIndex(id=7, url="https://example.org/simple", verify_ssl=True, enabled=False)
    record = index.to_dict()
    assert "id" not in record and record["url"] == "https://example.org/simple" and record["enabled"] is False
    assert set(record) == set(PythonPackageIndex.attribute_names()) - {"id"}
    assert index.to_dict(without_id=False)["id"] == 7
    stamp = CVETimestamp(timestamp=datetime.datetime(2024, 1, 2, 3, 4, 5))
    assert stamp.to_dict()["timestamp"] == "2024-01-02 03:04:05"  # dates as strings, as the original
