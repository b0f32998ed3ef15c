"""Parcours settings: one file, driven by environment variables.

With no environment at all Parcours runs embedded: SQLite, a real Celery worker on kombu's filesystem
broker under var/celery (started with the web server by `make run`), e-mail printed to the console, files
on local disk. `DATABASE_URL` and `REDIS_URL` switch to PostgreSQL and Redis (Celery worker
and beat, Redis cache and sessions). Production is the same file with production values.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY") or "parcours-insecure-dev-key-change-me"
if not DEBUG and SECRET_KEY.startswith("parcours-insecure"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SECRET_KEY doit être défini quand DEBUG=0.")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
# Links in e-mails and PDFs; by default the address `make run PORT=…` serves (scripts/run exports PORT to the
# web server, the worker and the beat alike).
SITE_URL = (os.environ.get("SITE_URL") or f"http://127.0.0.1:{envint('PORT', 8000)}").rstrip("/")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS") or [SITE_URL]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_filters",
    "django_htmx",
    "programme",
    "prospects",
    "projects",
    "evaluation",
]

MIDDLEWARE = [
    "programme.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "programme.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "programme.middleware.RequireMFAMiddleware",
]

ROOT_URLCONF = "programme.urls"
WSGI_APPLICATION = "programme.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "programme.context_processors.navigation",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
# Either one DATABASE_URL (its password URL-encoded: `p%40ss%2Fword`), or — what docker-compose does — the
# PostgreSQL parts apart (POSTGRES_HOST and the variables the postgres image reads), so that no character of
# the password can break a URL. Neither: the SQLite file of the embedded default.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
POSTGRES_HOST = os.environ.get("POSTGRES_HOST", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=envint("CONN_MAX_AGE", 60))}
elif POSTGRES_HOST:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": POSTGRES_HOST,
            "PORT": envint("POSTGRES_PORT", 5432),
            "NAME": os.environ.get("POSTGRES_DB") or "parcours",
            "USER": os.environ.get("POSTGRES_USER") or "parcours",
            "PASSWORD": os.environ.get("POSTGRES_PASSWORD", ""),
            "CONN_MAX_AGE": envint("CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
        }
    }
else:
    DATABASES = {"default": dj_database_url.parse(f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The web server and `make run`'s worker share the file: write-ahead logging lets one read while the
    # other writes (an in-memory test database ignores it).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # PostgreSQL's JIT compiles a query whose estimated cost passes `jit_above_cost`: the inbox's count (on
    # every staff page) and the dashboard's figures are estimated high for their subqueries and spent
    # 300–450 ms compiling for a 150 ms execution. Off for Parcours's own connections. A random read is
    # priced as on an SSD or from memory (1.1, not the spinning disk's 4): a filtered list then reads its
    # few hundred rows by index instead of scanning every organisation (docs/operations.md). A
    # DATABASE_URL with its own `?options=` keeps them.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off -c random_page_cost=1.1")
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ.get("TEST_DATABASE_NAME")
    if not DATABASES["default"]["TEST"]["NAME"]:
        del DATABASES["default"]["TEST"]["NAME"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, sessions, Celery ---------------------------------------------------------
# Redis is never a single point of failure for people: sessions live in the database (Redis only keeps
# a cached copy), and the cache fails open — while Redis is down it answers like an empty cache, with a
# logged warning, so rate limits let people through instead of answering 500 (programme/cache.py).
REDIS_URL = os.environ.get("REDIS_URL", "")


def redis_cache(url: str) -> dict:
    """The cache on Redis at `url` (a function so the Redis outage test configures exactly this)."""
    return {
        "BACKEND": "programme.cache.FailOpenRedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "parcours",
        # A dead or unreachable Redis costs one short timeout, then is left alone a few seconds.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }


# Sessions in the database, cached in Redis; safe when Redis comes back after an outage with an older
# copy (programme/sessions.py).
REDIS_SESSION_ENGINE = "programme.sessions"
if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL)}
    SESSION_ENGINE = REDIS_SESSION_ENGINE
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "programme.db_sessions"  # Django's database sessions, read by a compiled statement

# The director dashboard's figures are cached (keyed on the data version, programme.dataversion, so a
# write shows on the next request); an entry lives at most this long. 0 computes them on every request.
DASHBOARD_CACHE_SECONDS = envint("DASHBOARD_CACHE_SECONDS", 3600)

# --- Celery -------------------------------------------------------------------------------------
# Work always leaves the request: with REDIS_URL on Redis, otherwise on kombu's filesystem transport (no
# server; messages are files under CELERY_DATA_DIR, var/celery by default), where the worker and the one beat
# that `make run` starts beside the web server (scripts/run) take them. CELERY_TASK_ALWAYS_EAGER=1 runs
# tasks inside the caller instead (the tests set it, tests/conftest.py).
CELERY_DATA_DIR = Path(os.environ.get("CELERY_DATA_DIR") or BASE_DIR / "var" / "celery")


def filesystem_broker_options(folder: Path) -> dict:
    """kombu's filesystem transport under `folder`: the web process and the worker share one message folder
    (a function so the embedded-worker test points a broker at a folder of its own). programme/celery.py
    creates the folders."""
    return {
        "data_folder_in": str(folder / "messages"),
        "data_folder_out": str(folder / "messages"),
        "control_folder": str(folder / "control"),
        "polling_interval": 0.5,  # seconds between two looks at the folder: progress starts promptly
    }


CELERY_BROKER_URL = REDIS_URL or "filesystem://localhost//"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", 600)
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_TASK_SOFT_TIME_LIMIT", 540)
CELERY_WORKER_MAX_TASKS_PER_CHILD = envint("CELERY_WORKER_MAX_TASKS_PER_CHILD", 50)
# PDF rendering can grow a process: recycle it past this resident size (KiB) as well.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = envint("CELERY_WORKER_MAX_MEMORY_PER_CHILD", 500_000)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Europe/Paris"
# A dead Redis must not hang a request that enqueues work: short socket timeouts, few retries.
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
REDIS_BROKER_OPTIONS = {
    "socket_timeout": 3,
    "socket_connect_timeout": 3,
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
    "visibility_timeout": 3600,
}
CELERY_BROKER_TRANSPORT_OPTIONS = (
    REDIS_BROKER_OPTIONS if REDIS_URL else filesystem_broker_options(CELERY_DATA_DIR)
)
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}

# --- Auth and accounts ----------------------------------------------------------------------
AUTH_USER_MODEL = "programme.User"
AUTHENTICATION_BACKENDS = [
    "programme.adapters.ModelBackend",  # Django's, the member read by a compiled statement
    "programme.adapters.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "programme.adapters.AccountAdapter"
ACCOUNT_FORMS = {"login": "programme.forms.LoginForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
# A new login address is added unverified, mailed a link, and replaces the old one only once verified.
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Parcours] "
# Rate limits live in the cache: Redis when configured, so every web process shares them (they fail
# open while Redis is down, see programme/cache.py). Failed logins count per account (key) and per client
# address (ip, read behind PARCOURS_TRUSTED_PROXIES proxies): a wrong password typed from the office
# never locks the whole organisation out. Two-factor codes have their own budget (programme/adapters.py).
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "20/5m/ip,5/5m/key",
    "mfa_code_failed": "30/5m/ip,5/5m/key",
    "reset_password": "5/m/ip,3/m/key",
    "reset_password_from_key": "20/m/ip",
}
# How many reverse proxies of ours stand in front of Parcours (0: gunicorn answers directly; docker-compose: 1,
# its Caddy; 1 behind one nginx/Traefik/load balancer). The client address is then read from X-Forwarded-For;
# with 0 that header is never trusted (anyone can send it).
PARCOURS_TRUSTED_PROXIES = envint("PARCOURS_TRUSTED_PROXIES", 0)
ALLAUTH_TRUSTED_PROXY_COUNT = PARCOURS_TRUSTED_PROXIES
MFA_FORMS = {
    "authenticate": "programme.adapters.MFAAuthenticateForm",
    "reauthenticate": "programme.adapters.MFAReauthenticateForm",
    "activate_totp": "programme.adapters.MFAActivateTOTPForm",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Parcours"
PARCOURS_REQUIRE_MFA = envbool("PARCOURS_REQUIRE_MFA", False)
PARCOURS_INVITATION_DAYS = envint("PARCOURS_INVITATION_DAYS", 7)
# Registrations one client address may send from the events' public pages in 10 minutes (docs/events.md).
PARCOURS_EVENT_REGISTRATION_LIMIT = envint("PARCOURS_EVENT_REGISTRATION_LIMIT", 10)

# --- I18N -------------------------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Files ------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Private uploads live outside any public path and are only served by permission-checked views.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "private"))
# Never routed: private files are only served by permission-checked views (Django needs a value).
MEDIA_URL = "/_private-not-served/"


def s3_storage(bucket: str) -> dict:
    """Private files in the bucket `bucket` of an S3-compatible store (AWS, Scaleway, OVH, MinIO, Garage…),
    read from the S3_* variables (a function so the storage test points it at a server of its own). Objects
    stay private: downloads still go through the permission-checked views, which stream them."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            # A folder inside the bucket, when Parcours shares it.
            "location": os.environ.get("S3_PREFIX", "").strip("/"),
            # "path" for MinIO and most self-hosted stores; unset lets boto3 choose.
            "addressing_style": os.environ.get("S3_ADDRESSING_STYLE") or None,
            "signature_version": "s3v4",
            "default_acl": None,  # the bucket's own: private
            "file_overwrite": False,  # a name already taken gets a suffix, as on disk
            "querystring_expire": 300,  # were a signed URL ever made, it would expire in 5 minutes
            # A download larger than this is spooled to a temporary file rather than held in memory.
            "max_memory_size": 5 * 1024 * 1024,
        },
    }


# Private files on local disk under MEDIA_ROOT, or in an S3-compatible bucket when S3_BUCKET is set.
S3_BUCKET = os.environ.get("S3_BUCKET", "")
STORAGES = {
    "default": (
        s3_storage(S3_BUCKET)
        if S3_BUCKET
        else {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
        }
    ),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Where `manage.py backup` writes its archives unless told otherwise (docker-compose: the `backups` volume).
PARCOURS_BACKUP_DIR = Path(os.environ.get("PARCOURS_BACKUP_DIR") or BASE_DIR / "var" / "backups")
PARCOURS_MAX_UPLOAD_MB = envint("PARCOURS_MAX_UPLOAD_MB", 20)
PARCOURS_MAX_IMPORT_MB = envint("PARCOURS_MAX_IMPORT_MB", 5)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- E-mail -----------------------------------------------------------------------------------
# Django 6.1 mailers. Without EMAIL_HOST, mail is printed to the console (embedded default); with it, SMTP.
# EMAIL_BACKEND replaces the class either way; the SMTP options go only to an SMTP backend. Port 465 speaks
# TLS from the first byte (EMAIL_USE_SSL, on by default there); other ports upgrade with STARTTLS (EMAIL_USE_TLS).
_EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
_SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
_MAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    _SMTP_BACKEND if _EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
_MAIL_PORT = envint("EMAIL_PORT", 587)
_MAIL_SSL = envbool("EMAIL_USE_SSL", _MAIL_PORT == 465)
_MAIL_STARTTLS = envbool("EMAIL_USE_TLS", not _MAIL_SSL)
if _MAIL_SSL and _MAIL_STARTTLS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "EMAIL_USE_SSL (TLS implicite, port 465) et EMAIL_USE_TLS (STARTTLS) s’excluent : n’en activez qu’un."
    )
MAILERS: dict[str, dict] = {"default": {"BACKEND": _MAIL_BACKEND}}
if _EMAIL_HOST and "smtp" in _MAIL_BACKEND.lower():
    MAILERS["default"]["OPTIONS"] = {
        "host": _EMAIL_HOST,
        "port": _MAIL_PORT,
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": _MAIL_STARTTLS,
        "use_ssl": _MAIL_SSL,
        "timeout": envint("EMAIL_TIMEOUT", 10),
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL") or "Parcours <parcours@localhost>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL


def sender_domain(address: str) -> str:
    """The domain of a sender, `Parcours <parcours@exemple.fr>` or `parcours@exemple.fr`; empty if none."""
    address = address.strip()
    if address.endswith(">") and "<" in address:
        address = address[address.rindex("<") + 1 : -1]
    local, at, domain = address.strip().rpartition("@")
    return domain.lower().rstrip(".") if at and local and " " not in domain else ""


# In production every e-mail would leave from a dead address without a real sender: refuse to start.
_LOCAL_DOMAINS = (".localhost", ".local", ".invalid", ".test", ".internal", ".lan", ".home.arpa")
if not DEBUG:
    _domain = sender_domain(DEFAULT_FROM_EMAIL)
    if "." not in _domain or _domain.endswith(_LOCAL_DOMAINS):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "DEFAULT_FROM_EMAIL doit être une vraie adresse d’expéditeur quand DEBUG=0 "
            f"(par exemple « Parcours <parcours@votre-structure.fr> ») ; reçu : « {DEFAULT_FROM_EMAIL} »."
        )

# --- Security -----------------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_HTTPONLY = False
if not DEBUG:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # container health checks speak plain HTTP
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Logs: to stdout, one line per event (a traceback's line breaks written as « ⏎ »), in UTC whatever the
# process's time zone, each carrying the request id (X-Request-ID, from Caddy when it stands in front) or the
# Celery task id (programme/observability.py). Celery keeps this configuration (no root logger hijack).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "programme.observability.RequestIdFilter"}},
    "formatters": {"line": {"()": "programme.observability.OneLineFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "line",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint reports every CSS property it ignores, fontTools every font it subsets: errors only.
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
    },
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# django-filter: an empty choice reads "Tous" (all), not dashes.
FILTERS_EMPTY_CHOICE_LABEL = _("Tous")
FILTERS_NULL_CHOICE_LABEL = _("Non renseigné")

# --- Parcours -----------------------------------------------------------------------------------
PARCOURS_DEFAULT_REMINDER_OFFSETS = [14, 7, 1]
# The SIRENE register (docs/sourcing.md): the départements whose establishments the import keeps (INSEE
# codes, comma-separated; empty: all) and the legal categories it keeps besides ESS-flagged units (empty:
# the associations, cooperatives, mutuelles and foundations of prospects/sirene/columns.py).
SIRENE_DEPARTEMENTS = envlist("SIRENE_DEPARTEMENTS")
SIRENE_LEGAL_CATEGORIES = envlist("SIRENE_LEGAL_CATEGORIES")
