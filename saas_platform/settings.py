"""Settings, all read from the environment in this one module.

Secrets have no default: a process without ``DJANGO_SECRET_KEY`` fails at start.
``make run`` / ``make test`` provide development values (see ``devservices``).
"""

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

SECRET_KEY = env("DJANGO_SECRET_KEY")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
BASE_DOMAIN = env("BASE_DOMAIN", default="localhost")
# Port shown in links built for other hosts (workspace switcher, console); empty in production.
PUBLIC_PORT = env("PUBLIC_PORT", default="")
PUBLIC_SCHEME = env("PUBLIC_SCHEME", default="http" if DEBUG else "https")
ALLOWED_HOSTS = [BASE_DOMAIN, f".{BASE_DOMAIN}"]


def _database_from_url(url: str) -> dict:
    """Parse postgresql://user:pass@host:port/name?host=/socket/dir (socket form included)."""
    parts = urlparse(url)
    query = parse_qs(parts.query)
    return {
        "ENGINE": "saas_platform.db",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": query.get("host", [parts.hostname or ""])[0],
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": env.int("DB_CONN_MAX_AGE", default=60),
        "CONN_HEALTH_CHECKS": True,
        # Lets several test runs share one server (default: test_<NAME>).
        "TEST": {"NAME": env("DATABASE_TEST_NAME", default=None)},
    }


DATABASES = {"default": _database_from_url(env("DATABASE_URL"))}
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
REDIS_URL = env("REDIS_URL")

SHARED_APPS = [
    "django_tenants",
    "saas_platform",
    "tenants",
    "billing",
    "onboarding",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "django.contrib.postgres",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "modules.audit",
    "modules.parties",
    "modules.crm",
    "modules.events",
    "modules.erp.catalog",
    "modules.erp.common",
    "modules.erp.inventory",
    "modules.erp.sales",
    "modules.erp.purchasing",
    "modules.erp.accounting",
    "modules.erp.invoicing",
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_URLCONF = "saas_platform.urls_public"
ROOT_URLCONF = "saas_platform.urls_tenant"
TENANT_HOST_CACHE_SECONDS = env.int("TENANT_HOST_CACHE_SECONDS", default=5)
TENANT_POOL_SIZE = env.int("TENANT_POOL_SIZE", default=3)
# With the wrapper in saas_platform/db, a connection re-issues SET search_path only when it changes.
TENANT_LIMIT_SET_CALLS = True

MIDDLEWARE = [
    "tenants.middleware.TenantMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "saas_platform.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tenants.middleware.AccessGuardMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "saas_platform" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "saas_platform.context_processors.shell",
                "onboarding.context_processors.email_verification",
            ],
        },
    }
]
WSGI_APPLICATION = "saas_platform.wsgi.application"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_ADAPTER = "tenants.adapters.AccountAdapter"
LOGIN_REDIRECT_URL = "/"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "platform"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # Keys carry the schema name: a key written in one workspace is never read in another.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    },
    # Platform-wide keys (sign-in hops, rate limits) that must read the same on every host.
    "platform": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "platform",
    },
}

STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
MEDIA_URL = "/media/"
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
STATIC_URL = "/static/"
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "var" / "static"))
STATICFILES_DIRS = [BASE_DIR / "saas_platform" / "static"]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
# Our own strings, then Vietnamese for third-party screens we show (allauth ships no Vietnamese).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "saas_platform" / "locale_vendor"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default=f"no-reply@{BASE_DOMAIN}")

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE = {
    "usage-snapshot-nightly": {
        "task": "tenants.tasks.usage_snapshot_all",
        "schedule": 24 * 60 * 60,
    },
    "billing-dunning-daily": {
        "task": "billing.tasks.dunning_daily",
        "schedule": 24 * 60 * 60,
    },
    "crm-activity-reminders": {
        "task": "modules.crm.tasks.activity_reminders_all",
        "schedule": 5 * 60,
    },
    "crm-sla-breach-scan": {
        "task": "modules.crm.tasks.sla_breach_scan_all",
        "schedule": 5 * 60,
    },
    "outbox-sweep": {
        "task": "modules.events.tasks.outbox_sweep_all",
        "schedule": 60,
    },
    "tenant-pool-refill": {
        "task": "tenants.tasks.pool_refill",
        "schedule": 5 * 60,
    },
}

# Billing. Stripe stays off (bank transfer only) until both keys are set.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
# The vendor's bank account shown on payment orders and encoded in their VietQR codes.
VENDOR_BANK_BIN = env("VENDOR_BANK_BIN", default="970436")  # NAPAS BIN (970436: Vietcombank)
VENDOR_BANK_NAME = env("VENDOR_BANK_NAME", default="Vietcombank")
VENDOR_BANK_ACCOUNT = env("VENDOR_BANK_ACCOUNT", default="0011004299999")
VENDOR_BANK_ACCOUNT_NAME = env("VENDOR_BANK_ACCOUNT_NAME", default="CONG TY ERP CRM")
# Shared secret of the bank-notification service posting to /billing/bank-feed/ ("Authorization: Apikey ...").
BANK_FEED_SECRET = env("BANK_FEED_SECRET", default="")

SENTRY_DSN = env("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env("SENTRY_ENVIRONMENT", default="development" if DEBUG else "production")

# Behind a TLS-terminating proxy in production (infra/): these make `check --deploy` clean.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
CSRF_TRUSTED_ORIGINS = [
    f"{PUBLIC_SCHEME}://{BASE_DOMAIN}{':' + PUBLIC_PORT if PUBLIC_PORT else ''}",
    f"{PUBLIC_SCHEME}://*.{BASE_DOMAIN}{':' + PUBLIC_PORT if PUBLIC_PORT else ''}",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

from saas_platform.sentry import sentry_init  # noqa: E402  (needs the values above)

sentry_init(dsn=SENTRY_DSN, environment=SENTRY_ENVIRONMENT)
