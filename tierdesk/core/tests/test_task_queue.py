"""The task queue runs on its embedded SQLite store and, when available, on Redis."""

import os

import pytest
from huey import RedisHuey, SqliteHuey


def _round_trip(queue):
    @queue.task()
    def add(a, b):
        return a + b

    result = add(2, 3)
    task = queue.dequeue()
    queue.execute(task)
    return result.get()


def test_embedded_queue_runs_a_task(tmp_path):
    queue = SqliteHuey("tierdesk-test", filename=str(tmp_path / "tasks.sqlite3"))
    assert _round_trip(queue) == 5


def test_redis_queue_runs_a_task():
    url = os.environ.get("REDIS_TEST_URL")
    if not url:
        pytest.skip("REDIS_TEST_URL not set; .ci/run sets it to the local Redis")
    queue = RedisHuey("tierdesk-test", url=url)
    queue.flush()
    assert _round_trip(queue) == 5
