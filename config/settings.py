"""fugong settings: one module, driven by the environment.

Every value has a default that runs the demo on a fresh machine (SQLite under var/); production sets
DATABASE_URL, FUGONG_SECRET_KEY, FUGONG_DATA_KEY, FUGONG_DEBUG=0 and FUGONG_ALLOWED_HOSTS.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("FUGONG_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


def _secret_from_env_or_file(env_name: str, filename: str, nbytes: int) -> str:
    """A secret from the environment, else from var/<filename>, created on first use (demo only).

    Production must set the environment variable; the file fallback keeps `make demo` one command.
    """
    value = os.environ.get(env_name)
    if value:
        return value
    path = VAR_DIR / filename
    if not path.exists():
        path.write_text(secrets.token_urlsafe(nbytes))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_from_env_or_file("FUGONG_SECRET_KEY", "secret.key", 50)
# Master key for personal-data encryption (AES-256-GCM) and keyed hashes. Kept outside the database.
FUGONG_DATA_KEY = _secret_from_env_or_file("FUGONG_DATA_KEY", "data.key", 32)

DEBUG = _env_bool("FUGONG_DEBUG", True)
ALLOWED_HOSTS = os.environ.get("FUGONG_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("FUGONG_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # serves the API docs' Swagger UI from static files instead of a CDN (offline intranets)
    "fugong.core",
    "fugong.accounts",
    "fugong.regions",
    "fugong.enterprises",
    "fugong.workforce",
    "fugong.screening",
    "fugong.resumption",
    "fugong.supplies",
    "fugong.liaison",
    "fugong.outreach",
    "fugong.finance",
    "fugong.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "fugong.accounts.middleware.RequireOTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "fugong.core.middleware.RequestContextMiddleware",
    "axes.middleware.AxesMiddleware",
]
# The public self-declaration page behind each enterprise's QR code (扫码自主申报) has no accounts: it is served
# by a handler with only what it needs (fugong/core/handlers.py; config/wsgi.py routes these paths to it). No
# session, login, two-factor, messages or lock-out middleware — at 8 a.m. it is the platform's busiest page.
# Security headers, language, CSRF, clickjacking and the request's audit context stay as on every page.
PUBLIC_PATH_PREFIXES = ("/screening/d/",)
PUBLIC_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "fugong.core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fugong.core.context_processors.shell",
            ],
        },
    },
]

# --- database ---------------------------------------------------------------------------------
# DATABASE_URL selects the database; the default is SQLite in WAL mode under var/.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'fugong.sqlite3'}"),
        conn_max_age=int(os.environ.get("FUGONG_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server and the task worker read while the other writes.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- auth ---------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AXES_FAILURE_LIMIT = int(os.environ.get("FUGONG_AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_ENABLED = _env_bool("FUGONG_AXES_ENABLED", True)
AXES_LOCKOUT_CALLABLE = "fugong.accounts.views.lockout_response"
# Staff roles must verify a TOTP token after signing in (off by default so the demo runs without phones).
FUGONG_REQUIRE_OTP = _env_bool("FUGONG_REQUIRE_OTP", False)
OTP_TOTP_ISSUER = "fugong"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_SECURE = _env_bool("FUGONG_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- i18n ---------------------------------------------------------------------------------------
# Source strings are Chinese, the users' language; English comes from locale/en.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- static and uploads -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("FUGONG_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Serve from the app and project static dirs too, so a server started without collectstatic (tests, a first
# run) still has its CSS and scripts; production serves the collected files.
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = Path(os.environ.get("FUGONG_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
# Uploads above this are refused with a message, not streamed into memory.
FUGONG_MAX_UPLOAD_BYTES = int(os.environ.get("FUGONG_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FUGONG_MAX_IMPORT_ROWS = int(os.environ.get("FUGONG_MAX_IMPORT_ROWS", "200000"))

# --- background work ----------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get("FUGONG_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Figure snapshots (fugong/core/figure_store.py): a snapshot older than this is recounted; one that took at most
# FUGONG_FIGURES_INLINE_MS to count is recounted on the spot when dirty, a slower one by the task worker.
FUGONG_FIGURES_MAX_AGE = int(os.environ.get("FUGONG_FIGURES_MAX_AGE", "300"))
FUGONG_FIGURES_INLINE_MS = int(os.environ.get("FUGONG_FIGURES_INLINE_MS", "200"))

# --- the district this installation serves ------------------------------------------------------
FUGONG_DISTRICT_CODE = os.environ.get("FUGONG_DISTRICT_CODE", "431003")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("FUGONG_LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 500
