"""Per-adapter LRU caches of the cached GraphDatabase queries (sizes from the adapter's settings, which name
them by the original's environment variables).

The original kept the registry of cached methods in a class-level list (every adapter saw every other
adapter's caches). Here each adapter owns its caches: `stats()` and `cache_clear()` see only its own.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Concatenate, ParamSpec, Protocol, TypedDict, TypeVar

from ..config import DatabaseSettings

P = ParamSpec("P")
R = TypeVar("R")

# Every cached method, in declaration order: name -> (environment variable, default size).
CACHED: dict[str, tuple[str, int]] = {}


class CacheInfo(TypedDict):
    """One cache's figures, as functools reports them."""

    hits: int
    misses: int
    maxsize: int | None
    currsize: int


class _Cache(Protocol):
    def cache_info(self) -> functools._CacheInfo: ...

    def cache_clear(self) -> None: ...


class HasCaches:
    """Mixin state: the adapter's caches, created on first use of each cached method."""

    settings: DatabaseSettings
    __caches: dict[str, _Cache] | None = None

    def _caches(self) -> dict[str, _Cache]:
        if self.__caches is None:
            self.__caches = {}
        return self.__caches


def cached(
    variable: str, default: int
) -> Callable[[Callable[Concatenate[HasCachesT, P], R]], Callable[Concatenate[HasCachesT, P], R]]:
    """Cache a method per adapter in an LRU of `settings.cache_size(variable, default)` entries, keyed by its
    arguments."""

    def decorate(method: Callable[Concatenate[HasCachesT, P], R]) -> Callable[Concatenate[HasCachesT, P], R]:
        name = method.__name__
        CACHED[name] = (variable, default)

        @functools.wraps(method)
        def wrapper(self: HasCachesT, /, *args: P.args, **kwargs: P.kwargs) -> R:
            caches = self._caches()
            cache = caches.get(name)
            if cache is None:
                bound = functools.partial(method, self)
                cache = caches[name] = functools.lru_cache(
                    maxsize=self.settings.cache_size(variable, default)
                )(bound)
            call: Callable[P, R] = cache  # type: ignore[assignment]
            return call(*args, **kwargs)

        return wrapper

    return decorate


HasCachesT = TypeVar("HasCachesT", bound=HasCaches)


def stats(adapter: HasCaches) -> dict[str, dict[str, CacheInfo]]:
    """`{"memory_cache_info": {method: {hits, misses, maxsize, currsize}}}` for every cached method."""
    caches = adapter._caches()
    info: dict[str, CacheInfo] = {}
    for name, (variable, default) in CACHED.items():
        cache = caches.get(name)
        if cache is None:
            info[name] = CacheInfo(
                hits=0, misses=0, maxsize=adapter.settings.cache_size(variable, default), currsize=0
            )
        else:
            found = cache.cache_info()
            info[name] = CacheInfo(
                hits=found.hits, misses=found.misses, maxsize=found.maxsize, currsize=found.currsize
            )
    return {"memory_cache_info": info}


def clear(adapter: HasCaches) -> None:
    """Empty every cache of `adapter`."""
    for cache in adapter._caches().values():
        cache.cache_clear()
