"""The task queue runs on its embedded SQLite store and, when available, on Redis."""

import os

import pytest
from huey import RedisHuey, SqliteHuey

from tierdesk.core.task_queue import EmbeddedHuey


def _round_trip(queue):
    @queue.task()
    def add(a, b):
        return a + b

    result = add(2, 3)
    task = queue.dequeue()
    queue.execute(task)
    return result.get()


def test_embedded_queue_runs_a_task(tmp_path):
    queue = EmbeddedHuey("tierdesk-test", filename=str(tmp_path / "tasks.sqlite3"))
    assert _round_trip(queue) == 5


def test_the_embedded_queue_is_wal_with_normal_sync_as_the_database(tmp_path):
    # huey's own SqliteHuey leaves synchronous=FULL: an fsync for every queued task.
    plain = SqliteHuey("tierdesk-test", filename=str(tmp_path / "plain.sqlite3"))
    ours = EmbeddedHuey("tierdesk-test", filename=str(tmp_path / "tasks.sqlite3"))
    assert plain.storage.conn.execute("pragma synchronous").fetchone() == (2,)  # FULL
    assert ours.storage.conn.execute("pragma synchronous").fetchone() == (1,)  # NORMAL
    assert ours.storage.conn.execute("pragma journal_mode").fetchone() == ("wal",)
    assert ours.storage.conn.execute("pragma wal_autocheckpoint").fetchone() == (10000,)


def test_the_settings_select_the_embedded_queue_without_redis(tmp_path):
    from django.utils.module_loading import import_string

    from tierdesk.settings import _huey_config

    config = _huey_config()
    if "url" in config:
        pytest.skip("REDIS_URL is set: the settings select Redis")
    assert import_string(config["huey_class"]) is EmbeddedHuey


def test_redis_queue_runs_a_task():
    url = os.environ.get("REDIS_TEST_URL")
    if not url:
        pytest.skip("REDIS_TEST_URL not set; .ci/run sets it to the local Redis")
    queue = RedisHuey("tierdesk-test", url=url)
    queue.flush()
    assert _round_trip(queue) == 5
