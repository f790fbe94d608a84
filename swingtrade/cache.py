"""Django's Redis cache backend with one Redis client per connection pool instead of one per call.

Django builds a ``redis.Redis`` object for every cache operation; its constructor fills a table of
~170 response callbacks each time, which profiled at more than half of the client-side cost of a
``cache.get`` (the JWT user lookup and the ranking make one to three per request). A client only
wraps its pool (thread-safe; the pool reconnects after a fork), so one per pool is reused.
"""

from __future__ import annotations

import logging
from typing import Any

import redis.exceptions
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient

logger = logging.getLogger("swingtrade.cache")
REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient


def _degrades(method_name: str, fallback: Any) -> Any:
    """A cache method that answers like a miss when Redis does not answer.

    The cache only saves work (the JWT user row, the ranking): with Redis down the request falls back
    to the database and the broker check answers its JSON 503 instead of every request crashing on a
    ``ConnectionError``. The outage is logged once per call site at WARNING.
    """
    parent = getattr(DjangoRedisCache, method_name)

    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return parent(self, *args, **kwargs)
        except REDIS_DOWN as error:
            logger.warning(
                "cache unavailable, treated as a miss", extra={"op": method_name, "error": str(error)}
            )
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    method.__name__ = method_name
    return method


for _name, _fallback in {
    "get": lambda key, default=None, version=None: default,
    "get_many": lambda keys, version=None: {},
    "set": None,
    "set_many": lambda data, timeout=None, version=None: [],
    "add": False,
    "delete": False,
    "delete_many": None,
    "touch": False,
    "has_key": False,
    "incr": None,
}.items():
    setattr(RedisCache, _name, _degrades(_name, _fallback))
