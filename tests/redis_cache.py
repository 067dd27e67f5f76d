"""The test settings' cache when REDIS_URL is set: Django's RedisCache, except that ``clear()``
deletes only the keys under this process's KEY_PREFIX.

Django's own ``clear()`` empties the whole Redis database (FLUSHDB), and the suite clears the
cache around every test: parallel workers (pytest-xdist), and anyone else's run on the same Redis,
would wipe each other's keys mid-test.
"""

from django.core.cache.backends.redis import RedisCache

DELETE_BATCH = 500


class PrefixedRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        if not self.key_prefix:
            raise ValueError("PrefixedRedisCache needs a KEY_PREFIX: clear() deletes the keys under it")

    def clear(self):
        client = self._cache.get_client(write=True)
        batch = []
        for key in client.scan_iter(match=f"{self.key_prefix}:*", count=DELETE_BATCH):
            batch.append(key)
            if len(batch) == DELETE_BATCH:
                client.unlink(*batch)
                batch = []
        if batch:
            client.unlink(*batch)
        return True
