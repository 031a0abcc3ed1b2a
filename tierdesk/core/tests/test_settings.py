"""Settings come from the environment and fail loudly, naming the variable."""

import os
import subprocess
import sys

import pytest
from django.conf import settings


def _load_settings(show: str = "s.HUEY['huey_class']", **env):
    """Import tierdesk.settings (as `s`) in a fresh interpreter with `env` and print
    `show`; return (code, stdout + stderr)."""
    full_env = {k: v for k, v in os.environ.items()
                if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY")}
    full_env.update(env)
    result = subprocess.run(
        [sys.executable, "-c", f"import tierdesk.settings as s; print({show})"],
        env=full_env, capture_output=True, text=True, timeout=60,
    )
    return result.returncode, result.stdout + result.stderr


def test_production_hasher_is_argon2():
    import tierdesk.settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_missing_secret_key_is_refused_when_debug_is_off(tmp_path):
    code, output = _load_settings(TIERDESK_DATA_DIR=str(tmp_path))
    assert code != 0 and "SECRET_KEY" in output


@pytest.mark.parametrize(
    ("variable", "value"),
    [("DEBUG", "maybe"), ("DATABASE_URL", "mysql://root@localhost/x"),
     ("REDIS_URL", "http://localhost"), ("AXES_FAILURE_LIMIT", "many"),
     ("TIERDESK_SLA_WARN_FRACTIONS", "0.75,1.5"), ("TIERDESK_DIAL_TIMEOUT", "soon"),
     ("TIERDESK_MAIL_BATCH_MS", "90000")],
)
def test_a_bad_value_names_its_variable(tmp_path, variable, value):
    code, output = _load_settings(
        TIERDESK_DATA_DIR=str(tmp_path), SECRET_KEY="k", **{variable: value}
    )
    assert code != 0
    assert variable in output


def test_redis_url_selects_the_redis_queue(tmp_path):
    code, output = _load_settings(TIERDESK_DATA_DIR=str(tmp_path), SECRET_KEY="k",
                                  REDIS_URL="redis://127.0.0.1:6379/15")
    assert code == 0 and "RedisHuey" in output


def test_embedded_defaults_need_no_server():
    assert settings.DATABASES["default"]["ENGINE"] in ("tierdesk.core.sqlite",
                                                       "django.db.backends.postgresql")
    assert settings.HUEY["huey_class"] in ("tierdesk.core.task_queue.EmbeddedHuey",
                                           "huey.RedisHuey")


@pytest.mark.django_db
def test_sqlite_checkpoints_its_wal_every_10000_pages():
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone() == (10000,)  # SQLite's default: 1,000


@pytest.mark.django_db
def test_sqlite_remembers_each_statements_placeholder_rewrite():
    from django.db import connection

    from tierdesk.core.sqlite import base

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    sql = "SELECT %s || '%%s', %s -- placeholder rewrite test"
    before = base._qmark.cache_info()
    for value in ("a", "b"):
        with connection.cursor() as cursor:
            cursor.execute(sql, [value, 2])
            assert cursor.fetchone() == (value + "%s", 2)  # %% is a literal %, as Django's
    after = base._qmark.cache_info()
    assert after.misses == before.misses + 1 and after.hits >= before.hits + 1
    # Named parameters keep Django's own rewrite.
    with connection.cursor() as cursor:
        cursor.execute("SELECT %(x)s", {"x": 5})
        assert cursor.fetchone() == (5,)


def test_a_sqlite_database_url_gets_the_same_backend(tmp_path):
    code, output = _load_settings("s.DATABASES['default']['ENGINE']",
                                  TIERDESK_DATA_DIR=str(tmp_path), SECRET_KEY="k",
                                  DATABASE_URL=f"sqlite:///{tmp_path}/other.sqlite3")
    assert code == 0 and "tierdesk.core.sqlite" in output
