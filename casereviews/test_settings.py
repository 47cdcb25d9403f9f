"""Settings for the test suite: the real settings, with throwaway file storage and fast password hashing.

The database is whatever DATABASE_URL says (SQLite by default; `make test` runs again on PostgreSQL).
"""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("CASEREVIEWS_VAR_DIR", tempfile.mkdtemp(prefix="casereviews-test-"))

from casereviews.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(os.environ["CASEREVIEWS_VAR_DIR"]) / "files"
FILE_STORE_ROOT = MEDIA_ROOT / "blobs"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not the in-memory default: two writers must wait for each other as in production (WAL,
    # IMMEDIATE transactions), which the concurrency tests rely on.
    test_database = str(Path(os.environ["CASEREVIEWS_VAR_DIR"]) / "test.sqlite3")
    DATABASES["default"]["TEST"] = {"NAME": test_database}  # noqa: F405
