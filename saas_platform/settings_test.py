"""Test settings: the real settings, with what tests must not do (TLS redirects, slow hashing) turned off."""

from saas_platform.settings import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
# Pool refills are triggered explicitly in tests; nothing is queued behind their back.
TENANT_POOL_SIZE = 0
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
