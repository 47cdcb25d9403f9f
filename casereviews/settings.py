"""Settings, read from the environment with strict parsing and safe development defaults.

With no environment at all the application runs on SQLite and local files under ./var, which is what
`make run` uses. Production sets DJANGO_DEBUG=false, DJANGO_SECRET_KEY, PASSWORD_PEPPER, DJANGO_ALLOWED_HOSTS and
DATABASE_URL (PostgreSQL); a production start without a real secret key or password pepper refuses to boot.
"""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from casereviews.core.logging import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from error


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)
_DEV_SECRET = "development-only-secret-key-never-used-in-production"  # noqa: S105 - refused below unless DEBUG
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY or (not DEBUG and SECRET_KEY == _DEV_SECRET):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

VAR_DIR = Path(os.environ.get("CASEREVIEWS_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # a fresh clone has none, and SQLite will not create the folder

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "rules.apps.AutodiscoverRulesConfig",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "crispy_forms",
    "crispy_forms_gds",
    "django_tasks",
    "django_tasks_db",
    "casereviews.core",
    "casereviews.partnerships",
    "casereviews.frameworks",
    "casereviews.referrals",
    "casereviews.library",
    "casereviews.learning",
    "casereviews.reviews",
    "casereviews.actions",
    "casereviews.publication",
    "casereviews.search",
    "casereviews.api",
    "casereviews.retention",
]

MIDDLEWARE = [
    # First, so that every request gets its log line and its request id, and the duration covers the rest.
    "casereviews.core.request_logging.RequestLoggingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "casereviews.core.middleware.CacheControlMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "casereviews.core.middleware.RequestContextMiddleware",
    # Audits every 403 given to someone signed in, whichever middleware, view or API permission refused them.
    "casereviews.core.refusals.RefusalAuditMiddleware",
    "casereviews.core.middleware.SessionLifetimeMiddleware",
    "casereviews.core.middleware.RecentAuthenticationForAdminMiddleware",
    "casereviews.core.middleware.RequireSecondFactorMiddleware",
]

ROOT_URLCONF = "casereviews.urls"
WSGI_APPLICATION = "casereviews.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "casereviews" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "casereviews.core.context_processors.navigation",
            ],
            # Django's `date` filter for the service's own formats, without its per-call translation lookups
            # (ADR 0014); every other format goes to Django's filter.
            "builtins": ["casereviews.core.templatetags.dates"],
        },
    },
]

_DEFAULT_DATABASE_URL = f"sqlite:///{VAR_DIR / 'casereviews.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", _DEFAULT_DATABASE_URL),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        # A kept connection is checked before reuse, so the first request after a database restart does not fail.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the task worker writes; IMMEDIATE transactions take the write
    # lock up front so that two writers queue instead of failing with "database is locked" mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "partnerships.User"

AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "casereviews.core.auth.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    # zxcvbn's estimate, at the score the strength meter on every password form asks for (ASVS 2.1.8, ADR 0016).
    {"NAME": "casereviews.core.passwords.StrengthValidator", "OPTIONS": {"min_score": 3}},
]

# Passwords are hashed with PBKDF2 over an HMAC of the password keyed with a pepper held outside the database
# (ASVS 2.4.5, ADR 0016), so a copy of the database or a backup is not enough to guess them. The others stay after it
# so that a hash made before reads and is re-hashed with the pepper at its owner's next sign-in. PASSWORD_PEPPER is
# comma-separated: the first peppers new hashes, all are tried for checking (rotation: docs/operations.md).
PASSWORD_HASHERS = [
    "casereviews.core.passwords.PepperedPBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
_DEV_PEPPER = "development-only-password-pepper-never-used-in-production"
PASSWORD_PEPPERS = env_list("PASSWORD_PEPPER", [_DEV_PEPPER] if DEBUG else [])
if not PASSWORD_PEPPERS or (not DEBUG and _DEV_PEPPER in PASSWORD_PEPPERS):
    raise ImproperlyConfigured("PASSWORD_PEPPER must be set when DJANGO_DEBUG is false")
if any(len(pepper) < 32 for pepper in PASSWORD_PEPPERS):
    raise ImproperlyConfigured("PASSWORD_PEPPER must be random values of at least 32 characters, comma-separated")

# Sign-in: accounts are provisioned by a partnership (no self sign-up); staff need a second factor.
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_ADAPTER = "casereviews.core.auth.ProvisionedAccountAdapter"
ACCOUNT_FORMS = {"login": "casereviews.core.auth.SignInForm"}
ACCOUNT_EMAIL_VERIFICATION = "none"
# Failed sign-ins are throttled per address and per account (allauth keeps the counts in the cache; the adapter
# counts a username and an email address of the same account together).
ACCOUNT_RATE_LIMITS = {
    "login_failed": os.environ.get("ACCOUNT_LOGIN_FAILED_RATE", "10/m/ip,5/300s/key"),
}
# Behind the reverse proxy the per-address limit must count the client, not the proxy: the address the proxy
# appended to X-Forwarded-For (the last one; earlier ones are whatever the client sent).
ALLAUTH_TRUSTED_PROXY_COUNT = 1 if env_bool("TRUST_X_FORWARDED_FOR", False) else 0
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_PREVENT_ENUMERATION = True
# The account holder is e-mailed when their password is changed or reset and when an authenticator app or recovery
# codes are added or removed, so a change they did not make does not go unnoticed (ASVS 2.2.3, 2.5.5).
ACCOUNT_EMAIL_NOTIFICATIONS = True
# Publishing a review, granting a request for a report, changing someone's roles and changes in the admin need a
# sign-in or a confirmation (the authenticator code, for staff) within this many seconds (ADR 0012).
ACCOUNT_REAUTHENTICATION_TIMEOUT = env_int("ACCOUNT_REAUTHENTICATION_TIMEOUT", 5 * 60)
MFA_FORMS = {
    "authenticate": "casereviews.core.auth.SecondFactorForm",
    "reauthenticate": "casereviews.core.auth.ConfirmWithCodeForm",
    "authenticate_webauthn": "casereviews.core.security_keys.SecurityKeySignInForm",
    "add_webauthn": "casereviews.core.security_keys.AddSecurityKeyForm",
    "edit_webauthn": "casereviews.core.security_keys.RenameSecurityKeyForm",
    "reauthenticate_webauthn": "casereviews.core.security_keys.ConfirmWithSecurityKeyForm",
}
# The second factor is an authenticator app (TOTP) or one or more security keys or passkeys (WebAuthn, ASVS 2.3.2),
# with recovery codes for when neither is at hand (ADR 0015).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
# A key is a second factor after the password, never a way in on its own: no passwordless sign-in with a passkey and
# no sign-up with one (ADR 0015). allauth checks the browser's origin against the address the page was served from;
# it is never switched off (MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN): browsers allow WebAuthn on http://localhost, which
# is all the tests and `make run` need.
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_PASSKEY_SIGNUP_ENABLED = False
# Recovery codes are lookup secrets (ASVS 2.6.2): 34 digits is 112.9 bits each (10**34 > 2**112), so a code resists
# guessing without relying on how it is stored; allauth derives them from a random seed kept encrypted (below) and
# strips spaces and dashes from what is typed, so people may group the digits. Changing the length changes every
# code already issued: after a change, staff must view their codes again.
MFA_RECOVERY_CODE_COUNT = 10
MFA_RECOVERY_CODE_DIGITS = 34
# TOTP secrets and recovery-code seeds are encrypted in the database (casereviews.core.auth.EncryptingMFAAdapter)
# with MFA_ENCRYPTION_KEY: Fernet keys, comma-separated, the first encrypting and all decrypting (to rotate: new key
# first, `manage.py rotate_mfa_secrets`, then drop the old one). Unset, a key derived from DJANGO_SECRET_KEY is used,
# which `manage.py check --deploy` warns about in production (docs/security.md, 2.8.2).
MFA_ADAPTER = "casereviews.core.auth.EncryptingMFAAdapter"
MFA_ENCRYPTION_KEYS = env_list("MFA_ENCRYPTION_KEY", [])
for _key in MFA_ENCRYPTION_KEYS:
    try:
        _valid_key = len(base64.urlsafe_b64decode(_key.encode())) == 32
    except (binascii.Error, ValueError):
        _valid_key = False
    if not _valid_key:
        raise ImproperlyConfigured(
            "MFA_ENCRYPTION_KEY must be Fernet keys (32 bytes in URL-safe base64), comma-separated"
        )
MFA_TOTP_ISSUER = "Case Reviews"
# Everyone can see where they are signed in and sign out their other sessions at /accounts/sessions/ (ASVS 3.3.4).
# A session is listed from its sign-in; tracking every request's time and address would write to the database on
# each request, so the list shows when and where each session started, not when it was last used.
USERSESSIONS_TRACK_ACTIVITY = False
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# A session ends 8 hours after sign-in however busy (SESSION_COOKIE_AGE, enforced from the sign-in time by
# SessionLifetimeMiddleware) and after SESSION_IDLE_TIMEOUT seconds without a request (ADR 0012).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 8)
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# Outside development the cookies carry the __Host- prefix: browsers then accept them only when Secure, with Path=/
# and no Domain, so a neighbouring subdomain cannot set or overwrite them (ASVS 3.4.4). Development serves plain HTTP,
# where browsers refuse a __Host- cookie, so it keeps Django's names.
SESSION_COOKIE_NAME = "sessionid" if DEBUG else "__Host-sessionid"
CSRF_COOKIE_NAME = "csrftoken" if DEBUG else "__Host-csrftoken"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere, so an injected <script> cannot run even if escaping ever failed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_HSTS_SECONDS = 0 if DEBUG else 31536000
# includeSubDomains covers the names under this service's own host name only (casereviews.example.org's, not
# example.org's), and nothing of ours is served over plain HTTP there (ASVS 14.4.5).
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# No preload: it asks browsers to ship HTTPS-only for the whole registrable domain (example.org and every name under
# it, run by others too) and is slow to undo, a commitment for that domain's owner to make, not this application.
SECURE_HSTS_PRELOAD = False
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", False)
# check --deploy's two warnings about decisions, not omissions: W021, preload (above); W008, SECURE_SSL_REDIRECT off,
# because the proxy redirects plain HTTP (deploy/nginx/casereviews.conf) and gunicorn serves no TLS of its own, so
# there is no deployment without a proxy for the warning to catch (a plain-HTTP one could not even sign in: the
# __Host- cookies need HTTPS). Everything else check --deploy finds is to be fixed (tests/core/test_deploy_check.py).
SILENCED_SYSTEM_CHECKS = ["security.W021", "security.W008"]
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)

CACHES = {
    "default": {
        # A database cache so that sign-in throttling and used-TOTP-code tracking hold across processes.
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "cache_entries",
        # Django's default (300 entries, then a third culled) would drop live counts once a few hundred people
        # are signed in: a culled used-code entry would let a one-time code be replayed, a culled throttle count
        # would reset a limit. Expired entries are removed as they are read or culled.
        "OPTIONS": {"MAX_ENTRIES": 200_000},
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j M Y"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "casereviews" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = Path(os.environ.get("CASEREVIEWS_MEDIA_ROOT", VAR_DIR / "files"))
# Uploaded files are stored by content hash and never served directly: views stream them after a check.
FILE_STORE_ROOT = MEDIA_ROOT / "blobs"
SEARCH_INDEX_DIR = Path(os.environ.get("SEARCH_INDEX_DIR", VAR_DIR / "search"))  # derived; see ADR 0008
# Backups are encrypted to these age public keys (ADR 0011); the server holds no key that can read them back.
BACKUP_AGE_RECIPIENTS = env_list("BACKUP_AGE_RECIPIENTS", [])
BACKUP_REQUIRE_ENCRYPTION = env_bool("BACKUP_REQUIRE_ENCRYPTION", False)
# Only where a restore runs: the age identity file that decrypts a backup (kept offline otherwise).
BACKUP_AGE_IDENTITY_FILE = os.environ.get("BACKUP_AGE_IDENTITY_FILE", "")
LIBRARY_MAX_BYTES = env_int("LIBRARY_MAX_BYTES", 50 * 1024 * 1024)
LIBRARY_MAX_PAGES = env_int("LIBRARY_MAX_PAGES", 400)
MAX_ATTACHMENT_BYTES = env_int("MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024)
# Each person's uploads over any 24 hours (ASVS 12.1.3), so one account cannot fill the store. A library batch
# through a page is at most one request under the proxy's 60 MB body limit; larger backfills use `manage.py ingest`,
# which is the system and not counted.
UPLOAD_QUOTA_FILES = env_int("UPLOAD_QUOTA_FILES", 200)
UPLOAD_QUOTA_BYTES = env_int("UPLOAD_QUOTA_BYTES", 2 * 1024 * 1024 * 1024)
# Antivirus (ASVS 12.4.2, casereviews/core/antivirus.py): uploads are scanned by clamd on a unix socket or over TCP.
# Required by default in production, where an upload is refused while clamd cannot answer; off in development
# unless a socket or host is set.
CLAMD_SOCKET = os.environ.get("CLAMD_SOCKET", "")
CLAMD_HOST = os.environ.get("CLAMD_HOST", "")
CLAMD_PORT = env_int("CLAMD_PORT", 3310)
CLAMD_TIMEOUT = env_int("CLAMD_TIMEOUT", 60)  # seconds for one file's scan, or to connect
ANTIVIRUS_REQUIRED = env_bool("ANTIVIRUS_REQUIRED", not DEBUG)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # form fields only: file uploads stream to disk
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "case-reviews@localhost")
# SMTP (used only with the SMTP backend): Django's defaults are a relay on localhost:25 without TLS or login.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")  # for links in e-mails

# The security watch (casereviews/core/security_watch.py, `manage.py security_watch` every 5 minutes): alerts when
# the audit log shows more than these counts in the last SECURITY_WATCH_WINDOW_MINUTES. Alerts are always logged
# (logger casereviews.security) and audited, and e-mailed to SECURITY_ALERT_EMAILS when there are any.
SECURITY_WATCH_WINDOW_MINUTES = env_int("SECURITY_WATCH_WINDOW_MINUTES", 15)
SECURITY_ALERT_FAILED_SIGN_INS = env_int("SECURITY_ALERT_FAILED_SIGN_INS", 10)  # per account and per address
SECURITY_ALERT_REFUSALS = env_int("SECURITY_ALERT_REFUSALS", 10)  # per person
SECURITY_ALERT_RECORD_VIEWS = env_int("SECURITY_ALERT_RECORD_VIEWS", 200)  # distinct records viewed, per person
SECURITY_ALERT_EMAILS = env_list("SECURITY_ALERT_EMAILS", [])

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# How often the task worker runs the scheduled jobs (casereviews/core/schedules.py).
SCHEDULE_INTERVAL_MINUTES = env_int("SCHEDULE_INTERVAL_MINUTES", 60)

# The retention schedule (docs/retention.md, casereviews/retention/): how long each kind of record is kept before the
# scheduled job deletes or anonymises it. RETENTION_PAUSED=true stops every deletion (a moratorium, as an inquiry may
# order); the job then deletes nothing until it is lifted.
RETENTION_PAUSED = env_bool("RETENTION_PAUSED", False)
RETENTION_CLOSED_REFERRAL_YEARS = env_int("RETENTION_CLOSED_REFERRAL_YEARS", 6)
RETENTION_REVIEW_WORKING_PAPERS_YEARS = env_int("RETENTION_REVIEW_WORKING_PAPERS_YEARS", 6)
RETENTION_REPORT_REQUEST_DAYS = env_int("RETENTION_REPORT_REQUEST_DAYS", 365)
RETENTION_UNCONFIRMED_ALERT_DAYS = env_int("RETENTION_UNCONFIRMED_ALERT_DAYS", 30)
RETENTION_STOPPED_ALERT_DAYS = env_int("RETENTION_STOPPED_ALERT_DAYS", 30)
RETENTION_UPLOAD_RECORD_DAYS = env_int("RETENTION_UPLOAD_RECORD_DAYS", 30)
RETENTION_SECURITY_ALERT_DAYS = env_int("RETENTION_SECURITY_ALERT_DAYS", 365)
RETENTION_API_TOKEN_DAYS = env_int("RETENTION_API_TOKEN_DAYS", 90)
RETENTION_TASK_RESULT_DAYS = env_int("RETENTION_TASK_RESULT_DAYS", 30)
for _period in [name for name in dir() if name.startswith("RETENTION_") and name != "RETENTION_PAUSED"]:
    if globals()[_period] < 1:  # a period of 0 would delete a record the moment it is made
        raise ImproperlyConfigured(f"{_period} must be at least 1")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "casereviews.api.authentication.HashedTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "casereviews.api.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "casereviews.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"user": "600/minute", "anon": "60/minute"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Case Reviews API",
    "DESCRIPTION": "Referrals, notifications, screening, recommendations, decisions and deadlines.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI (/api/docs/) from our own static files (drf-spectacular-sidecar), not a CDN (ASVS 14.2.3).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name for each choice set shared by several fields, instead of names made from a hash (Status937Enum) that
    # change when the choices do; check --deploy warns (drf_spectacular.W001) for any set left unnamed.
    "ENUM_NAME_OVERRIDES": {
        "ReportStatusEnum": "casereviews.library.models.ReportStatus",
        "ValueStatusEnum": "casereviews.library.models.ValueStatus",
        "ActionStatusEnum": "casereviews.actions.models.ActionStatus",
        "ReviewStatusEnum": "casereviews.reviews.models.ReviewStatus",
        "YesNoUnknownEnum": "casereviews.referrals.models.YesNoUnknown",
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Logs: one JSON object per line in production, readable text in development (casereviews/core/logging.py).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json").strip().lower()
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}")
LOGGING = logging_config(log_format=LOG_FORMAT, level=os.environ.get("LOG_LEVEL", "INFO"))

# Readiness (/readyz, casereviews/core/health.py): how far behind the change table this node's search index may
# fall, and how long the task worker may be silent beyond its periodic run, before the node reports not ready.
READINESS_SEARCH_STALE_SECONDS = env_int("READINESS_SEARCH_STALE_SECONDS", 300)
READINESS_WORKER_GRACE_MINUTES = env_int("READINESS_WORKER_GRACE_MINUTES", 15)
