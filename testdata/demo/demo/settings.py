"""Settings for the keysign demo service."""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "insecure-demo-key-do-not-use")
DEBUG = os.environ.get("DJANGO_DEBUG", "0") == "1"
ALLOWED_HOSTS = ["keysign.internal", "localhost"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "accounts.apps.AccountsConfig",
    "signing.apps.SigningConfig",
    "webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Client-certificate login. The legacy middleware is kept for the old
    # ops dashboard until it moves to VerifiedClientCertMiddleware.
    "accounts.middleware.VerifiedClientCertMiddleware",
    "accounts.middleware.ClientCertMiddleware",
    "accounts.middleware.cert_session_middleware",
    "accounts.middleware.RequestLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "accounts.backends.PinnedCertificateBackend",
    "accounts.backends.TrustedProxyXFCCBackend",
    "accounts.backends.EnvoyXFCCBackend",
    "django.contrib.auth.backends.ModelBackend",
]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.VerifiedCertificateAuthentication",
        "accounts.authentication.ClientDNAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}

ROOT_URLCONF = "demo.urls"
WSGI_APPLICATION = "demo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE_DIR / "db.sqlite3",
    }
}

# Addresses of the nginx / Envoy hops that terminate TLS and forward the
# client certificate. Only requests from these may carry certificate headers.
TRUSTED_PROXIES = frozenset(
    os.environ.get("KEYSIGN_TRUSTED_PROXIES", "10.0.0.10,10.0.0.11").split(",")
)

# SHA-256 fingerprints (lower-case hex) of the service certificates allowed in.
PINNED_CLIENT_CERT_SHA256 = frozenset(
    fp.strip().lower()
    for fp in os.environ.get("KEYSIGN_PINNED_CERTS", "").split(",")
    if fp.strip()
)

SIGNER_LIBRARY = os.environ.get("KEYSIGN_SIGNER_LIBRARY", str(BASE_DIR / "native" / "libsigner.so"))
SIGNER_KEY_PATH = os.environ.get("KEYSIGN_KEY_PATH", "/etc/keysign/signing.key")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "file": {
            "class": "logging.handlers.WatchedFileHandler",
            "filename": "/var/log/keysign/app.log",
            "formatter": "plain",
        },
    },
    "loggers": {
        "accounts": {"handlers": ["console", "file"], "level": "DEBUG"},
        "signing": {"handlers": ["console", "file"], "level": "INFO"},
        "webhooks": {"handlers": ["file"], "level": "INFO"},
        "keysign.requests": {"handlers": ["file"], "level": "DEBUG"},
    },
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
