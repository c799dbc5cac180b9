"""What generation does not fit: GraphDatabase methods written by hand on top of the generated queries.

`QueriesRuntime` adds the cache (`stats()`, `cache_clear()`, stats logged on disconnect), the
normalisation helpers, `get_depends_on` (its `extras` set, and NotFoundError from a second statement),
the platform checks (static, no database) and `get_entity_count` (a table named by a model class).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from sqlalchemy import text

from generated.models import Base
from generated.queries import dependencies
from generated.queries.graph_methods import GeneratedQueries

from ..config import DatabaseSettings
from ..exceptions import NotFoundError
from . import cache, normalize
from .enums import PlatformEnum

_LOGGER = logging.getLogger(__name__)

_PLATFORMS = frozenset(platform.value for platform in PlatformEnum)


def _index_url(index_url: str | None, aliases: Sequence[tuple[str, str]]) -> str | None:
    return None if index_url is None else normalize.index_url(index_url, aliases)


def normalize_python_index_url(index_url: str | None) -> str | None:
    """An index URL with the index aliases of the environment applied (THOTH_STORAGES_INDEX_ALIASES)."""
    return _index_url(index_url, DatabaseSettings.from_env().index_aliases)


if TYPE_CHECKING:
    _StaticIndexUrl = staticmethod[[str | None], str | None]
else:
    _StaticIndexUrl = staticmethod  # not subscriptable at run time


class IndexUrlNormalizer(_StaticIndexUrl):
    """The original's staticmethod `normalize_python_index_url(index_url)`, same signature: called on an
    adapter it applies the index aliases of the adapter's settings (`DatabaseSettings.index_aliases`),
    on the class those of the environment."""

    def __init__(self) -> None:
        super().__init__(normalize_python_index_url)

    def __get__(self, adapter: object, owner: type | None = None, /) -> Callable[[str | None], str | None]:
        if not isinstance(adapter, QueriesRuntime):
            return self.__func__
        aliases = adapter.settings.index_aliases

        def normalize_python_index_url(index_url: str | None) -> str | None:
            """An index URL with the index aliases of this adapter's settings applied."""
            return _index_url(index_url, aliases)

        return normalize_python_index_url


class QueriesRuntime(GeneratedQueries):
    """Hand-written query methods of GraphDatabase (the generated ones come from GeneratedQueries)."""

    def log_stats(self) -> None:
        """Log `stats()` as JSON when the settings ask for it (THOTH_STORAGES_LOG_STATS); called on disconnect()."""
        if self.settings.log_stats:
            _LOGGER.info("GraphDatabase adapter statistics:\n%s", json.dumps(self.stats(), indent=2))

    # Cache ---------------------------------------------------------------------------------------

    def stats(self) -> dict[str, dict[str, cache.CacheInfo]]:
        """`{"memory_cache_info": {method: {hits, misses, maxsize, currsize}}}` of this adapter's caches."""
        return cache.stats(self)

    def cache_clear(self) -> None:
        """Empty this adapter's query caches."""
        cache.clear(self)

    # Normalisation -------------------------------------------------------------------------------

    @staticmethod
    def normalize_python_package_name(package_name: str) -> str:
        """PEP 503 normalised package name."""
        return normalize.package_name(package_name)

    @staticmethod
    def normalize_python_package_version(package_version: str) -> str:
        """PEP 440 normalised version (kept as is when PEP 440 cannot parse it)."""
        return normalize.package_version(package_version) or package_version

    normalize_python_index_url = IndexUrlNormalizer()

    # Queries that need Python around the generated SQL -------------------------------------------

    @cache.cached("THOTH_STORAGE_GET_DEPENDS_ON_CACHE_SIZE", 8192)
    def get_depends_on(
        self,
        package_name: str,
        package_version: str | None = None,
        index_url: str | None = None,
        *,
        os_name: str | None = None,
        os_version: str | None = None,
        python_version: str | None = None,
        extras: frozenset[str | None] | None = None,
        marker_evaluation_result: bool | None = None,
        is_missing: bool | None = None,
    ) -> dict[str | None, list[tuple[str, str | None]]]:
        """Direct dependencies by extra; `extras` keeps only those extras (a None member: "no extra").

        NotFoundError when the package version itself was never solved in that environment.
        """
        package_name = normalize.package_name(package_name)
        package_version = normalize.package_version(package_version)
        index_url = self.normalize_python_index_url(index_url)
        os_name, os_version = normalize.os_filter(os_name, os_version)
        with self._connection() as connection:
            found = dependencies.get_depends_on(
                connection,
                package_name,
                package_version,
                index_url,
                os_name=os_name,
                os_version=os_version,
                python_version=python_version,
                marker_evaluation_result=marker_evaluation_result,
                is_missing=is_missing,
            )
        if not found and not self._solved(
            package_name, package_version, index_url, os_name, os_version, python_version, is_missing
        ):
            raise NotFoundError(
                f"no package {package_name!r} in version {package_version!r} from {index_url!r} solved for "
                f"{os_name!r} {os_version!r} Python {python_version!r}"
            )
        if extras is not None:
            found = {extra: deps for extra, deps in found.items() if extra in extras}
        return found

    def _solved(
        self,
        package_name: str,
        package_version: str | None,
        index_url: str | None,
        os_name: str | None,
        os_version: str | None,
        python_version: str | None,
        is_missing: bool | None,
    ) -> bool:
        with self._connection() as connection:
            return bool(
                connection.execute(
                    text(
                        "SELECT EXISTS (SELECT 1 FROM python_package_version v LEFT JOIN python_package_index i "
                        "ON v.python_package_index_id = i.id WHERE v.package_name = :n "
                        "AND (:v IS NULL OR v.package_version = :v) AND (:u IS NULL OR i.url = :u) "
                        "AND (:o IS NULL OR v.os_name = :o) AND (:ov IS NULL OR v.os_version = :ov) "
                        "AND (:p IS NULL OR v.python_version = :p) "
                        "AND (CAST(:m AS boolean) IS NULL OR v.is_missing = :m))"
                    ),
                    {
                        "n": package_name,
                        "v": package_version,
                        "u": index_url,
                        "o": os_name,
                        "ov": os_version,
                        "p": python_version,
                        "m": is_missing,
                    },
                ).scalar_one()
            )

    @staticmethod
    def python_package_version_depends_on_platform_exists(platform: str) -> bool:
        """Whether the platform is one the graph knows (the original checked its PlatformEnum only)."""
        return platform in _PLATFORMS

    @staticmethod
    def get_python_package_version_platform_all() -> list[str]:
        """The platforms the graph knows."""
        return sorted(_PLATFORMS)

    # Statistics (the others are generated: schema/queries/statistics.yaml) --------------------------

    def get_entity_count(self, entity: type[Base]) -> int:
        """Number of rows of the table of the model class `entity`."""
        with self._connection() as connection:
            return int(
                connection.execute(text(f'SELECT count(*) FROM "{entity.__tablename__}"')).scalar_one()
            )


__all__ = ["QueriesRuntime"]
