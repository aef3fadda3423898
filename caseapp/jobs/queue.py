"""The job queue: Huey, on an embedded SQLite file by default, on Redis for several machines.

`make run` needs nothing but the SQLite file next to the database; with
CASEAPP_REDIS_URL set every app server and worker shares one Redis. The test
suite runs jobs at once inside the request (Huey's immediate mode) unless a test
starts a real consumer.
"""
import redis
from huey import MemoryHuey, RedisHuey, SqliteHuey


def make_queue(config: dict):
    mode, name = config["JOB_QUEUE"], config["JOB_QUEUE_NAME"]
    if mode == "immediate":
        return MemoryHuey(name, immediate=True, results=False)
    if mode == "redis":
        # Timeouts: an unreachable Redis fails a page or /readyz in seconds, not never.
        pool = redis.ConnectionPool.from_url(config["REDIS_URL"], socket_connect_timeout=3,
                                             socket_timeout=10)
        return RedisHuey(name, connection_pool=pool, results=False)
    return SqliteHuey(name, filename=config["JOB_QUEUE_FILE"], results=False)
