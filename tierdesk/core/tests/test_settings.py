"""Settings come from the environment and fail loudly, naming the variable."""

import os
import subprocess
import sys

import pytest
from django.conf import settings


def _load_settings(**env):
    """Import tierdesk.settings in a fresh interpreter with `env`; return (code, stderr)."""
    full_env = {k: v for k, v in os.environ.items()
                if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY")}
    full_env.update(env)
    result = subprocess.run(
        [sys.executable, "-c", "import tierdesk.settings as s; print(s.HUEY['huey_class'])"],
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
     ("TIERDESK_SLA_WARN_FRACTIONS", "0.75,1.5"), ("TIERDESK_DIAL_TIMEOUT", "soon")],
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
    assert settings.DATABASES["default"]["ENGINE"].endswith(("sqlite3", "postgresql"))
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
