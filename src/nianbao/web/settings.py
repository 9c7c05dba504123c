"""Settings of the portal, from the environment ``nianbao serve`` sets:

    NIANBAO_DATASET         the dataset folder (dataset.yaml, orgs.csv, earlier years)
    NIANBAO_WEB_DATABASE    the portal's own tables: a postgresql:// URL, or an SQLite file
                            (default DATASET/portal/portal.sqlite3)
    NIANBAO_DATABASE        the nianbao store (figures) on PostgreSQL; unset: DATASET/nianbao.duckdb
    NIANBAO_SECRET_KEY      the key signing sessions (``nianbao serve`` keeps one per dataset)
    NIANBAO_ALLOWED_HOSTS   comma-separated host names (default 127.0.0.1,localhost)
"""

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

from nianbao.core import settings as _limits

BASE_DIR = Path(__file__).resolve().parent
DATASET = os.environ.get("NIANBAO_DATASET", "")
WEB_DATABASE = os.environ.get("NIANBAO_WEB_DATABASE", "")
PORTAL_DIR = Path(os.environ.get("NIANBAO_PORTAL_DIR") or (Path(DATASET) / "portal" if DATASET else "portal"))

SECRET_KEY = os.environ.get("NIANBAO_SECRET_KEY") or "nianbao-unset-" + os.urandom(24).hex()
DEBUG = os.environ.get("NIANBAO_DEBUG_WEB") == "1"
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("NIANBAO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]


def database(url: str) -> dict:
    """Django's DATABASES entry for a postgresql:// URL or an SQLite path."""
    if url.startswith(("postgresql://", "postgres://")):
        u = urlparse(url)
        return {"ENGINE": "django.db.backends.postgresql", "NAME": unquote(u.path.lstrip("/")) or "postgres",
                "USER": unquote(u.username or ""), "PASSWORD": unquote(u.password or ""),
                "HOST": u.hostname or "", "PORT": str(u.port or ""), "CONN_MAX_AGE": 60,
                "TEST": {"NAME": os.environ.get("NIANBAO_TEST_DB_NAME") or None}}
    path = url or str(PORTAL_DIR / "portal.sqlite3")
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": path,
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 30,
                        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}}


DATABASES = {"default": database(WEB_DATABASE)}
# the findings of a school's figures, shared by the server's processes (checked once per content)
CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                      "LOCATION": str(PORTAL_DIR / "cache"), "TIMEOUT": 6 * 3600, "OPTIONS": {"MAX_ENTRIES": 20000}}}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "pgtrigger",
    "pghistory",
    "nianbao.web.apps.PortalConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "nianbao.web.middleware.SecurityHeaders",
]

AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "nianbao.web.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
        "django.template.context_processors.i18n",
        "nianbao.web.views.common.portal_context",
    ]},
}]
WSGI_APPLICATION = "nianbao.web.wsgi.application"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = PORTAL_DIR / "static"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = os.environ.get("NIANBAO_HTTPS") == "1"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024  # the form's fields (an upload's file is not counted)
# an upload up to the registry's limit (NIANBAO_MAX_UPLOAD_MB) is held in memory; a larger one goes
# to a temporary file and is refused by its size without being read
FILE_UPLOAD_MAX_MEMORY_SIZE = _limits.mebibytes("max_upload_mb") + 2 ** 20
DATA_UPLOAD_MAX_NUMBER_FIELDS = 3000
AUTH_PASSWORD_VALIDATORS = [{"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
                             "OPTIONS": {"min_length": 8}}]
# Argon2id with OWASP's parameters (web/hashers.py); PBKDF2 hashes of earlier accounts still verify
# and are re-hashed with Argon2id at the next sign-in
PASSWORD_HASHERS = ([
    "django.contrib.auth.hashers.MD5PasswordHasher"] if os.environ.get("NIANBAO_FAST_HASHER") == "1" else []) + [
    "nianbao.web.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_THROTTLE = {"per_user": 5, "per_ip": 30, "minutes": 15}
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "handlers": {"console": {"class": "logging.StreamHandler"}},
           "loggers": {"django": {"handlers": ["console"], "level": "WARNING"}}}
