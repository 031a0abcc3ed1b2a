"""Test settings: the real settings with a throwaway data directory and fast hashing.

DATABASE_URL still selects the database, so the same suite runs on SQLite and PostgreSQL.
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("TIERDESK_DATA_DIR", tempfile.mkdtemp(prefix="tierdesk-test-"))
os.environ.setdefault("EMAIL_URL", "locmem://")
os.environ.setdefault("TIERDESK_TASKS_IMMEDIATE", "true")
# Mail queued at once, not a second later: tests read the outbox right after the commit.
os.environ.setdefault("TIERDESK_MAIL_BATCH_MS", "0")

from tierdesk.settings import *  # noqa: E402,F403
from tierdesk.settings import DATABASES  # noqa: E402

# Argon2 is the production hasher (checked by a test against tierdesk.settings); tests that
# create hundreds of users would spend minutes hashing with it.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AXES_ENABLED = True
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["TEST"] = {"NAME": "tierdesk_test"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
