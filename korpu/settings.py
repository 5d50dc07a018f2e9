"""The one settings module, driven by KORPU_* environment variables.

Modes (``KORPU_MODE``):

* ``production`` (default) refuses to start with DEBUG on or with a missing or default secret or
  master key;
* ``demo`` keeps a generated secret key and master key under ``KORPU_VAR_DIR`` (``./var``) so the
  embedded SQLite demo works with no configuration at all;
* ``test`` is what the test suite runs in (fast password hashing, locmem mail, generated keys).

See ``docs/deployment.md`` for the full table.
"""

from __future__ import annotations

import base64
import secrets
import sys
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.utils.translation import gettext_lazy as _

from korpu.core.env import ConfigurationError, env_bool, env_choice, env_int, env_list, env_str

# Generic classes (ModelAdmin[User], Page[Any]) may be subscripted at run time, as mypy --strict asks.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent
MODE = env_choice("KORPU_MODE", ("production", "demo", "test", "development"), "production")
PRODUCTION = MODE == "production"
VAR_DIR = Path(env_str("KORPU_VAR_DIR", "var")).resolve()
INSECURE_SECRET_MARKERS = ("change-me", "changeme", "insecure", "secret", "django-insecure")


def _ensure_var_dir() -> Path:
    VAR_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
    return VAR_DIR


def _generated_file(name: str, make: type[str] | None = None) -> str:
    """Read (or create once, mode 0600) a key file under the var directory; demo/test only."""
    path = _ensure_var_dir() / name
    if not path.exists():
        value = base64.b64encode(secrets.token_bytes(32)).decode()
        path.write_text(value + "\n")
        path.chmod(0o600)
    return path.read_text().strip()


# --- core switches -----------------------------------------------------------------------------
DEBUG = env_bool("KORPU_DEBUG", MODE == "development")
SECRET_KEY = env_str("KORPU_SECRET_KEY")
if not SECRET_KEY and not PRODUCTION:
    SECRET_KEY = "demo-" + _generated_file("secret_key") if MODE != "test" else "test-" + "x" * 50

ALLOWED_HOSTS = env_list(
    "KORPU_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if not PRODUCTION else []
)
if MODE == "test":
    ALLOWED_HOSTS = ["*"]
CSRF_TRUSTED_ORIGINS = env_list("KORPU_CSRF_TRUSTED_ORIGINS")

# Master key material for envelope encryption (korpu.core.crypto). Base64 of 32 bytes.
MASTER_KEY = env_str("KORPU_MASTER_KEY")
MASTER_KEY_FILE = env_str("KORPU_MASTER_KEY_FILE")
MASTER_KEY_PREVIOUS = env_list("KORPU_MASTER_KEY_PREVIOUS")
if not MASTER_KEY and not MASTER_KEY_FILE and not PRODUCTION:
    MASTER_KEY_FILE = str(_ensure_var_dir() / "master.key")
    _generated_file("master.key")

def _master_key_problems(text: str, file_name: str) -> list[str]:
    """Refuse at start a master key that cannot be read, is not 32 bytes, or is plainly not random."""
    from korpu.core.crypto import CryptoError, read_master_key  # no Django needed: safe inside settings

    try:
        read_master_key(text, file_name)
    except CryptoError as exc:
        return [str(exc)]
    return []


if PRODUCTION:
    problems = []
    if DEBUG:
        problems.append("KORPU_DEBUG is on; production never runs with DEBUG")
    if not SECRET_KEY or len(SECRET_KEY) < 40 or any(m in SECRET_KEY.lower() for m in INSECURE_SECRET_MARKERS):
        problems.append("KORPU_SECRET_KEY is missing, shorter than 40 characters or a default value")
    if not MASTER_KEY and not MASTER_KEY_FILE:
        problems.append("KORPU_MASTER_KEY or KORPU_MASTER_KEY_FILE must be set")
    else:
        problems += _master_key_problems(MASTER_KEY, MASTER_KEY_FILE)
    if not ALLOWED_HOSTS:
        problems.append("KORPU_ALLOWED_HOSTS must name the host names this server answers to")
    if not env_bool("KORPU_HTTPS", True):
        problems.append("KORPU_HTTPS is off; production serves only over TLS (terminate it at the proxy)")
    if not env_str("KORPU_SITE_URL"):
        problems.append("KORPU_SITE_URL must be the public https:// address (used in e-mailed links)")
    if not env_str("KORPU_DATABASE_URL"):
        problems.append("KORPU_DATABASE_URL must name the production database (postgres://…)")
    if problems:
        raise ConfigurationError(
            "Körpü refuses to start in production mode:\n  - "
            + "\n  - ".join(problems)
            + "\nFor a local demo run `korpu demo`; see docs/deployment.md for production settings."
        )

# --- applications ------------------------------------------------------------------------------
INSTALLED_APPS = [
    "korpu.core",
    "korpu.accounts",
    "korpu.cases",
    "korpu.shelters",
    "korpu.justice",
    "korpu.linkage",
    "korpu.plan",
    "korpu.engagement",
    "korpu.stats",
    "korpu.public",
    "korpu.home",
    "korpu.accounts.admin_site.KorpuAdminConfig",  # django.contrib.admin, read-only and allow-listed
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "ninja",
]
if MODE == "test":
    # The test-only app lives in the source checkout's tests/ folder, which `korpu manage` (run
    # from the console script, not from the checkout) does not have on sys.path by itself.
    if (BASE_DIR.parent / "tests" / "testapp").is_dir() and str(BASE_DIR.parent) not in sys.path:
        sys.path.append(str(BASE_DIR.parent))
    INSTALLED_APPS.append("tests.testapp")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "korpu.core.middleware.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "korpu.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before the idle timeout, which tells the user why they were logged out.
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "korpu.accounts.middleware.IdleTimeoutMiddleware",
    "korpu.core.middleware.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "korpu.core.middleware.RequestContextMiddleware",
    "korpu.core.middleware.ApiMethodNotAllowedMiddleware",
]

ROOT_URLCONF = "korpu.urls"
WSGI_APPLICATION = "korpu.wsgi.application"
ASGI_APPLICATION = "korpu.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "korpu.core.context_processors.korpu",
            ],
        },
    }
]
# Form widgets are rendered with Jinja2 (Django's own widget templates for it): the same HTML, several
# times faster than the Django template engine for pages with many fields (ADR 0022).
FORM_RENDERER = "django.forms.renderers.Jinja2"

# --- database ----------------------------------------------------------------------------------
DATABASE_URL = env_str("KORPU_DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("KORPU_DB_CONN_MAX_AGE", 60))}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(_ensure_var_dir() / "korpu.sqlite3") if MODE != "test" else ":memory:",
            # IMMEDIATE makes every atomic block take the write lock at BEGIN, so two writers can
            # never both read the audit chain head before one of them appends (see ADR 0004).
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
            "TEST": {"NAME": env_str("KORPU_TEST_SQLITE_NAME") or None},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache (throttling counters, sessions when Redis is configured) ----------------------------
REDIS_URL = env_str("KORPU_REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "korpu"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- authentication ----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["korpu.accounts.backends.ThrottledModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if MODE == "test":
    # Tests create many users; argon2 at full cost would dominate the run. Production is argon2.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:home"
LOGOUT_REDIRECT_URL = "accounts:login"
OTP_TOTP_ISSUER = env_str("KORPU_TOTP_ISSUER", "Körpü")
LOCKOUT_THRESHOLD = env_int("KORPU_LOCKOUT_THRESHOLD", 10, minimum=3)
LOCKOUT_MINUTES = env_int("KORPU_LOCKOUT_MINUTES", 30, minimum=1)
ADDRESS_THROTTLE_LIMIT = env_int("KORPU_ADDRESS_THROTTLE_LIMIT", 30, minimum=5)
ADDRESS_THROTTLE_MINUTES = env_int("KORPU_ADDRESS_THROTTLE_MINUTES", 15, minimum=1)
SESSION_IDLE_MINUTES = env_int("KORPU_SESSION_IDLE_MINUTES", 30, minimum=1)
API_TOKEN_MAX_DAYS = env_int("KORPU_API_TOKEN_MAX_DAYS", 365, minimum=1)
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2

# --- security ----------------------------------------------------------------------------------
HTTPS = env_bool("KORPU_HTTPS", PRODUCTION)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 60 * 60 * 12
SECURE_SSL_REDIRECT = HTTPS and env_bool("KORPU_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("KORPU_BEHIND_PROXY", False) else None
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# HSTS preload is a commitment the operator makes with the browser vendors, not a default.
SECURE_HSTS_PRELOAD = env_bool("KORPU_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
if MODE == "test":
    SILENCED_SYSTEM_CHECKS += ["security.W004", "security.W008", "security.W012", "security.W016"]

# --- languages ---------------------------------------------------------------------------------
LANGUAGE_CODE = "az"
LANGUAGES = [("az", _("Azerbaijani")), ("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("KORPU_TIME_ZONE", "Asia/Baku")
LANGUAGE_COOKIE_NAME = "korpu_language"
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- static files ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("KORPU_STATIC_ROOT", str(VAR_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = MODE in ("test", "development")
MEDIA_ROOT = Path(env_str("KORPU_MEDIA_ROOT", str(VAR_DIR / "media")))

# --- the national referral mechanism -------------------------------------------------------------
STATE_ALLOWANCE_AZN = env_int("KORPU_STATE_ALLOWANCE_AZN", 700, minimum=0)
REFERRAL_DECISION_HOURS = env_int("KORPU_REFERRAL_DECISION_HOURS", 24, minimum=1)
DISCLOSURE_THRESHOLD = env_int("KORPU_DISCLOSURE_THRESHOLD", 5, minimum=2)
CASE_NUMBER_PREFIX = env_str("KORPU_CASE_NUMBER_PREFIX", "AZ")
PHOTO_MAX_BYTES = env_int("KORPU_PHOTO_MAX_MB", 15, minimum=1) * 1024 * 1024
PLAN_REMINDER_DAYS = env_int("KORPU_PLAN_REMINDER_DAYS", 14, minimum=0)
ATTACHMENT_MAX_BYTES = env_int("KORPU_ATTACHMENT_MAX_MB", 10, minimum=1) * 1024 * 1024

# --- e-mail ------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "KORPU_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
EMAIL_HOST = env_str("KORPU_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("KORPU_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("KORPU_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("KORPU_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("KORPU_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = env_str("KORPU_EMAIL_FROM", "korpu@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SITE_URL = env_str("KORPU_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
if MODE == "test":
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# --- logging: never personal data; see docs/security.md ----------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("KORPU_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
