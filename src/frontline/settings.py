"""Frontline settings, read from environment variables (12-factor).

Every variable has a safe default for a local install (SQLite file and generated
secret under FRONTLINE_DATA_DIR, in-memory channel layer); a malformed value stops
start-up with an error that names the variable.
"""

import os
import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from frontline.lib import redis_layer
from frontline.lib.sqlite import OPTIONS as SQLITE_OPTIONS

env = environ.Env()


def _read(name, caster, default):
    try:
        return caster(name, default=default)
    except (ValueError, TypeError, ImproperlyConfigured, environ.ImproperlyConfigured) as exc:
        raise ImproperlyConfigured(f"Bad value for environment variable {name}: {exc}") from exc


def _strict_bool(name, default):
    # environ's bool() turns any unknown word into False; a typo must not flip a setting.
    raw = env.str(name, default="")
    if raw == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{raw!r} is not one of true/false/1/0/yes/no/on/off")


def _int_at_least(minimum):
    def read(name, default):
        value = env.int(name, default=default)
        if value < minimum:
            raise ValueError(f"{value} is not a whole number of at least {minimum}")
        return value

    return read


_positive_int = _int_at_least(1)


PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(_read("FRONTLINE_DATA_DIR", env.str, str(Path.cwd() / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = _read("DEBUG", _strict_bool, False)


def _secret_key() -> str:
    key = _read("SECRET_KEY", env.str, "")
    if key:
        return key
    # Local installs: generate once and keep it beside the data, never in the repo.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
# Old keys still accepted while rotating (sessions, reset links, sealed mailbox passwords).
SECRET_KEY_FALLBACKS = _read("SECRET_KEY_FALLBACKS", env.list, [])
ALLOWED_HOSTS = _read("ALLOWED_HOSTS", env.list, ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = _read("CSRF_TRUSTED_ORIGINS", env.list, [])
# Reverse proxies whose X-Forwarded-For/-Proto are believed (addresses or networks, or "*").
FORWARDED_ALLOW_IPS = _read("FORWARDED_ALLOW_IPS", env.list, ["127.0.0.1", "::1"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "ninja",  # /api/docs from its own static files, not a CDN (no network at run time)
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "frontline.accounts",
    "frontline.tickets",
    "frontline.portal",
    "frontline.assistant",
    "frontline.email",
    "frontline.feedback",
    "frontline.people",
    "frontline.knowledge",
    "frontline.chat",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "frontline.api.middleware.ApiBodyLimit",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "frontline.urls"
LOGIN_URL = "sign_in"
LOGIN_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 3600  # reset links work for an hour
ASGI_APPLICATION = "frontline.asgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- database --------------------------------------------------------------
DATABASES = {
    "default": _read("DATABASE_URL", env.db_url, f"sqlite:///{DATA_DIR / 'frontline.sqlite3'}")
}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, keeping connections open across ASGI requests (see the module).
    _db["ENGINE"] = "frontline.lib.sqlite"
    _db.setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
    # Keep the connection (and its page cache) across requests.
    _db.setdefault("CONN_MAX_AGE", 600)
elif _db["ENGINE"] in ("django.db.backends.postgresql", "django.db.backends.postgresql_psycopg2"):
    _db["ENGINE"] = "django.db.backends.postgresql"
    _db.setdefault("CONN_MAX_AGE", 60)
    _db["CONN_HEALTH_CHECKS"] = True
else:
    raise ImproperlyConfigured(
        f"Bad value for environment variable DATABASE_URL: engine {_db['ENGINE']} is not "
        "supported (use sqlite:///path or postgres://user@host:port/name)"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Threads per web process that run Django's sync code (views, ORM); see lib/asgi_handler.
# SQLite has one writer at a time: one thread per process measured best (bench/RESULTS.md).
FRONTLINE_SYNC_THREADS = _read(
    "FRONTLINE_SYNC_THREADS", _positive_int, 1 if _db["ENGINE"] == "frontline.lib.sqlite" else 2
)

# --- cache, channel layer, tasks -------------------------------------------
# Seconds that rows read on every request (a token's owner, a workspace's teams, assistant
# settings and routing rules) may be served from the cache; see lib/cached.py. 0 turns it off.
FRONTLINE_CACHE_SECONDS = _read("FRONTLINE_CACHE_SECONDS", _int_at_least(0), 5)

REDIS_URL = _read("REDIS_URL", env.str, "")
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            "Bad value for environment variable REDIS_URL: expected redis://host:port/db"
        )
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    CHANNEL_LAYERS = {"default": redis_layer.channel_layer(REDIS_URL)}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

TASKS = {
    "default": {
        "BACKEND": _read("FRONTLINE_TASKS_BACKEND", env.str, "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "email", "ai"],
    }
}

# --- files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]  # the stylesheet, scripts and vendored htmx
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise serves from here after collectstatic
MEDIA_ROOT = Path(_read("FRONTLINE_MEDIA_DIR", env.str, str(DATA_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Attachments above this size are refused with a 413 before anything is stored.
FRONTLINE_MAX_ATTACHMENT_BYTES = _read("FRONTLINE_MAX_ATTACHMENT_BYTES", env.int, 25 * 1024 * 1024)
# New chat conversations an hour from one address (the widget's flood guard).
FRONTLINE_CHAT_STARTS_PER_HOUR = _read("FRONTLINE_CHAT_STARTS_PER_HOUR", env.int, 30)
# django-anymail (mail providers' inbound webhooks): signing keys and the optional basic
# auth come as ANYMAIL_<NAME> environment variables, e.g. ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY.
for _name, _value in os.environ.items():
    if _name.startswith("ANYMAIL_"):
        globals()[_name] = _value
# Largest raw email accepted by the inbound webhook (bytes).
FRONTLINE_MAX_EMAIL_BYTES = _read("FRONTLINE_MAX_EMAIL_BYTES", _positive_int, 40 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # JSON bodies; files stream to disk
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- security --------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
# How long a "remember me" sign-in lasts (others end with the browser).
SESSION_COOKIE_AGE = 3600 * _read("FRONTLINE_SESSION_HOURS", _positive_int, 14 * 24)
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if _read("FRONTLINE_HTTPS", _strict_bool, False):
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# --- email -----------------------------------------------------------------
# EMAIL_URL: smtp://user:password@host:port (smtp+tls:// for STARTTLS, smtps:// for TLS),
# consolemail:// to print mail, memorymail:// to keep it in memory, dummymail:// to drop it,
# filemail://DIR to write it to files in DIR (relative to FRONTLINE_DATA_DIR unless it starts
# with /; `scripts/run` uses filemail://sent-mail when no EMAIL_URL is set).
_email = _read("EMAIL_URL", env.email_url, "smtp://localhost:25")
# The folder from the raw URL: django-environ drops the leading / of an absolute one.
_mail_dir = env.str("EMAIL_URL", default="").partition("://")[2]
_EMAIL_BACKENDS = {
    "django.core.mail.backends.smtp.EmailBackend": {
        "host": _email.get("EMAIL_HOST") or "localhost",
        "port": _email.get("EMAIL_PORT") or 25,
        "username": _email.get("EMAIL_HOST_USER") or None,
        "password": _email.get("EMAIL_HOST_PASSWORD") or None,
        "use_tls": bool(_email.get("EMAIL_USE_TLS")),
        "use_ssl": bool(_email.get("EMAIL_USE_SSL")),
        "timeout": 20,
    },
    "django.core.mail.backends.filebased.EmailBackend": {
        "file_path": str(DATA_DIR / (_mail_dir or "sent-mail")),  # an absolute DIR wins
    },
}
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": _EMAIL_BACKENDS.get(_email["EMAIL_BACKEND"], {}),
    }
}
# Or a mail provider's API through django-anymail: FRONTLINE_EMAIL_PROVIDER=postmark
# (sendgrid, mailgun, amazon_ses, brevo, resend, ...) with its credentials in ANYMAIL_*
# variables, e.g. ANYMAIL_POSTMARK_SERVER_TOKEN (anymail's own setting names).
_provider = _read("FRONTLINE_EMAIL_PROVIDER", env.str, "").strip().lower()
if _provider:
    import importlib.util

    if (
        not _provider.isidentifier()
        or importlib.util.find_spec(f"anymail.backends.{_provider}") is None
    ):
        raise ImproperlyConfigured(
            f"Bad value for environment variable FRONTLINE_EMAIL_PROVIDER: {_provider!r} is "
            "not a django-anymail provider (postmark, sendgrid, mailgun, amazon_ses, ...)"
        )
    MAILERS["default"] = {"BACKEND": f"anymail.backends.{_provider}.EmailBackend", "OPTIONS": {}}
    ANYMAIL = {k[len("ANYMAIL_") :]: v for k, v in os.environ.items() if k.startswith("ANYMAIL_")}
# Where people reach this install; used for links in emails.
FRONTLINE_BASE_URL = _read("FRONTLINE_BASE_URL", env.str, "http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = _read("DEFAULT_FROM_EMAIL", env.str, "support@frontline.localhost")

# --- i18n ------------------------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": _read("LOG_LEVEL", env.str, "WARNING")},
}
