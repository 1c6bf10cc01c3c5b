"""Settings for the clinic app: one file, behaviour chosen by environment variables.

Every variable is listed with its default in README.md.
"""

import os
from email.utils import formataddr
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
# Databases, outboxes, the broker's folders and the development key live here. Importing
# settings creates nothing: `make` (the `var` step) makes the folders and the key.
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A local .env (written by `make` on first run) holds developer defaults; real environment
# variables always win over it.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)


def _secret_key() -> str:
    if key := env.str("SECRET_KEY", default=""):
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (DEBUG is off, so no "
            "development key is generated)."
        )
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        raise ImproperlyConfigured(
            f"DEBUG is on but {key_file} does not exist: run `make install` once (it writes "
            "a development key there), or set SECRET_KEY."
        )
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_tables2",
    "phonenumber_field",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "clinic.accounts",
    "clinic.core",
    "clinic.notifications",
    "clinic.audit",
    "clinic.documents",
    "intake",
    "consultations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "clinic.core.middleware.StripNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "clinic.accounts.middleware.SecondFactorMiddleware",
    "clinic.audit.middleware.AuditRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "clinic.accounts.middleware.IdleTimeoutMiddleware",
    "clinic.accounts.middleware.BrowserPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Axes last, as its documentation asks: it turns lockouts into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clinic.core.context_processors.clinic",
                "intake.context_processors.urgent_alerts",
                "clinic.notifications.context_processors.failed_count",
            ],
            # Dates, phone numbers and zones read the same on every page and email.
            "builtins": ["clinic.core.templatetags.clinic_formats"],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'clinic.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: WAL lets readers and one writer work together,
    # IMMEDIATE transactions avoid "database is locked" upgrades mid-transaction.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE", "timeout": 20}
    )
    # A file (not :memory:) so a real Celery worker started by the tests can see the rows;
    # one per test process, so two test runs never share (and corrupt) a database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# PostgreSQL plans the busiest pages' fixed statements once a connection (PREPARE, then
# EXECUTE: clinic/core/server_prepared.py). False behind a pooler in transaction mode.
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)
# The audit row of a read (a page showing patient data) is committed without waiting for
# PostgreSQL's disk flush: lost only if the database server crashes within a second after
# (clinic/audit/services.py, _save). True: reads wait for the disk, as changes always do.
AUDIT_READS_WAIT_FOR_DISK = env.bool("AUDIT_READS_WAIT_FOR_DISK", default=True)

# --- Accounts, passwords, login throttling --------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Permissions only, in one query (ModelBackend's two, at once); logs nobody in.
    "clinic.accounts.backends.OneQueryPermissions",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
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
LOGOUT_REDIRECT_URL = "landing"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # a reset or verification link works for a day

# Lock by username and IP together, so one patient's typos never lock out another patient;
# the login name is normalised (NFKC + casefold) exactly as the user lookup does, so a
# lookalike spelling is the same lock. Password spraying (a few guesses at many accounts)
# is stopped by AXES_IP_FAILURE_LIMIT: failures from one address across every account.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_IP_FAILURE_LIMIT = env.int("AXES_IP_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_USERNAME_CALLABLE = "clinic.accounts.access.axes_username"
AXES_USERNAME_FORM_FIELD = "username"  # the login form posts the email as "username"
# The client address behind our own proxies (TRUSTED_PROXY_COUNT, below), never a header
# the client wrote: without it every login behind a load balancer shares one address.
AXES_CLIENT_IP_CALLABLE = "clinic.audit.client.client_ip"

# Second factor (django-otp): every member of staff and the operations superuser, and
# patients who turn it on. The issuer is the name an authenticator app shows.
OTP_TOTP_ISSUER = env.str("CLINIC_NAME", default="Riverside Ketamine Pain Clinic")

# Idle limits: staff see clinical data on shared desks; patients fill in long forms whose
# answers are saved in the database, so their sessions may idle longer.
STAFF_IDLE_SECONDS = env.int("STAFF_IDLE_MINUTES", default=15) * 60
PATIENT_IDLE_SECONDS = env.int("PATIENT_IDLE_MINUTES", default=60) * 60
# However active, a staff session ends this long after logging in (a shift).
STAFF_SESSION_MAX_SECONDS = int(env.float("STAFF_SESSION_HOURS", default=12) * 3600)
SESSION_COOKIE_AGE = PATIENT_IDLE_SECONDS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- HTTPS (on by default whenever DEBUG is off) ----------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies we run in front of the app. The client IP (audit trail) is the
# X-Forwarded-For entry the outermost of them added; 0 means REMOTE_ADDR, and hops a
# client wrote itself are never trusted (clinic/audit/client.py).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Browser policy: scripts and styles from our own static files only ----------------------
# No 'unsafe-inline' anywhere: behaviour lives in clinic/static (clinic.js, intake.js), the
# QR code for a second factor is inline SVG markup (not a resource).
_SELF, _NONE = "'self'", "'none'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF],
        "img-src": [_SELF, "data:"],
        "font-src": [_SELF],
        "connect-src": [_SELF],
        "form-action": [_SELF],
        "frame-ancestors": [_NONE],
        "base-uri": [_NONE],
        "object-src": [_NONE],
    }
}
# Features no page here uses; a script that slipped in still cannot ask for them.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# --- Internationalisation and time --------------------------------------------------------
LANGUAGE_CODE = "en-us"
USE_I18N = True
USE_TZ = True
CLINIC_TIME_ZONE = env.str("CLINIC_TIME_ZONE", default="America/New_York")
TIME_ZONE = CLINIC_TIME_ZONE
# Whose public holidays the schedule pages offer to close on (ISO 3166 country, and a
# subdivision such as "NY" or "CA" for state holidays; empty for national ones only).
CLINIC_HOLIDAYS_COUNTRY = env.str("CLINIC_HOLIDAYS_COUNTRY", default="US")
CLINIC_HOLIDAYS_SUBDIVISION = env.str("CLINIC_HOLIDAYS_SUBDIVISION", default="")

# --- Static files (Bootstrap comes from the npm registry into node_modules) ------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "clinic" / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
]
# --- Patient documents (clinic/documents) ---------------------------------------------------
# Files go through Django's storage API: the filesystem under var/media by default, or any
# S3-compatible bucket when DOCUMENTS_S3_BUCKET is set (django-storages). They are never
# served from MEDIA_URL (no URL pattern serves it): only documents:open, which checks and
# audits, reads them.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "/media-is-not-served/"
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_MB", default=10) * 1024 * 1024
_FILESYSTEM = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    # Owner-only, like the rest of var/.
    "OPTIONS": {"file_permissions_mode": 0o600, "directory_permissions_mode": 0o700},
}
_S3 = {
    "BACKEND": "storages.backends.s3.S3Storage",
    "OPTIONS": {
        "bucket_name": env.str("DOCUMENTS_S3_BUCKET", default=""),
        "endpoint_url": env.str("DOCUMENTS_S3_ENDPOINT_URL", default="") or None,
        "region_name": env.str("DOCUMENTS_S3_REGION", default="") or None,
        "access_key": env.str("DOCUMENTS_S3_ACCESS_KEY_ID", default="") or None,
        "secret_key": env.str("DOCUMENTS_S3_SECRET_ACCESS_KEY", default="") or None,
        "location": env.str("DOCUMENTS_S3_PREFIX", default=""),
        "default_acl": "private",
        "querystring_auth": True,  # never a public URL, should anything ask for one
        "file_overwrite": False,
        # Encryption at rest by the store's own keys; empty for stores without it.
        "object_parameters": (
            {"ServerSideEncryption": sse}
            if (sse := env.str("DOCUMENTS_S3_SSE", default="AES256"))
            else {}
        ),
    },
}
STORAGES = {
    "default": _S3 if env.str("DOCUMENTS_S3_BUCKET", default="") else _FILESYSTEM,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=DEBUG)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
PHONENUMBER_DEFAULT_REGION = env.str("PHONENUMBER_DEFAULT_REGION", default="US")
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"

# --- Email --------------------------------------------------------------------------------
# Development default: each message is a file under var/outbox/ (nothing leaves the machine).
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "outbox" / "email"
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# The sender's display name is the clinic's (CLINIC_NAME below), not "Clinic".
NO_REPLY_ADDRESS = env.str("NO_REPLY_ADDRESS", default="no-reply@clinic.example")
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL",
    default=formataddr(
        (env.str("CLINIC_NAME", default="Riverside Ketamine Pain Clinic"), NO_REPLY_ADDRESS)
    ),
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_MESSAGE_ID_DOMAIN = env.str("EMAIL_MESSAGE_ID_DOMAIN", default="clinic.example")

# --- SMS and the outbox -----------------------------------------------------------------------
SMS_BACKEND = env.str("SMS_BACKEND", default="clinic.notifications.channels.FileSmsBackend")
SMS_FILE_PATH = VAR_DIR / "outbox" / "sms"
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env.str("TWILIO_FROM_NUMBER", default="")
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=300)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=6)
OUTBOX_DISPATCH_SECONDS = env.float("OUTBOX_DISPATCH_SECONDS", default=60.0)
# Where each kind of message is declared (code, label, subject, templates, context): every
# app lists its own in one module with a KINDS list; the outbox only delivers them.
MESSAGE_MODULES = [
    "clinic.accounts.messages",
    "intake.messages",
    "consultations.messages",
    "consultations.outcome_messages",
    "consultations.course_messages",
]

# --- The clinic (shown in the footer and in messages) ----------------------------------------
CLINIC = {
    "name": env.str("CLINIC_NAME", default="Riverside Ketamine Pain Clinic"),
    "phone": env.str("CLINIC_PHONE", default="(555) 010-2000"),
    "email": env.str("CLINIC_EMAIL", default="care@clinic.example"),
    # Lock screens and calendars show this, never the word "ketamine" (.ics titles).
    "short_name": env.str("CLINIC_SHORT_NAME", default="Riverside Clinic"),
    "address": env.str(
        "CLINIC_ADDRESS", default="100 Main Street, Suite 200, Springfield, MA 01103"
    ),
    "hours": env.str("CLINIC_HOURS", default="Monday to Friday, 8 am to 5 pm"),
}
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# --- Celery -------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    # Redis redelivers unacknowledged messages after this long; no task here waits longer.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Beat's crontab entries (the 07:00 digest) are in the clinic's zone, DST included.
CELERY_TIMEZONE = CLINIC_TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Logging: no patient data; request bodies and query strings are never logged -----------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    # One-time tokens in paths (verify / reset links) are masked in every line, including
    # runserver's request lines (django.server has its own handler in Django's defaults).
    "filters": {"mask_tokens": {"()": "clinic.core.logs.MaskTokens"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_tokens"],
        },
        "server": {
            "class": "logging.StreamHandler",
            "formatter": "server",
            "filters": ["mask_tokens"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # WeasyPrint logs each layout step of every printed summary at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Django's default handlers here (console when DEBUG, mail_admins) would print
        # unmasked lines: its records go to the root handler instead.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["server"], "level": "INFO", "propagate": False},
    },
}
