"""Settings, all from the environment.

DEBUG=true is the development configuration; `make run`, `make test` and the other
`python -m atensi.dev` commands set it when the environment does not. Without it the
configuration is production (the default, so that an image run on its own is never in debug):
it refuses to start without SECRET_KEY and ALLOWED_HOSTS and switches on the HTTPS-only
protections that `check --deploy` asks for.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("ATENSI_TESTING", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is false (the default). On a developer's "
            "machine use `make run` / `python -m atensi.dev exec …`, or set DEBUG=true."
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS must be set when DEBUG is false (the default). On a developer's "
        "machine use `make run` / `python -m atensi.dev exec …`, or set DEBUG=true."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "pgtrigger",
    "pghistory",
    "atensi.regions",
    "atensi.accounts",
    "atensi.audit",
    "atensi.summaries",
    "atensi.dashboard",
    "cases",
    "assessments",
    "aid",
    "rehab",
    "prevention",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "atensi.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "atensi.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "atensi.middleware.AdminStaffOnlyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "atensi.middleware.TwoFactorEnrolmentMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "atensi.urls"
WSGI_APPLICATION = "atensi.wsgi.application"

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
                "atensi.accounts.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/atensi"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# Optional streaming replica for reads that may lag (atensi/db.py); tests mirror the primary.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["atensi.db.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions end after two idle hours and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(2 * 60 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Login throttling: lock a username + IP pair after five failures for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_USERNAME_FORM_FIELD = "username"
# Behind a reverse proxy set AXES_IPWARE_PROXY_COUNT to the number of trusted proxies.
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("AXES_IPWARE_PROXY_COUNT", "0")) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

OTP_TOTP_ISSUER = "ATENSI"
# Roles whose API tokens need the second factor even before they enabled it (they get none
# until they set up an authenticator on the two-factor page); users who enabled it always do.
TWO_FACTOR_REQUIRED_ROLES = env_list("TWO_FACTOR_REQUIRED_ROLES", "admin,supervisor")

# API tokens (django-rest-knox, stored as SHA-512 digests) live this many seconds; a password
# change, switching two-factor login on, an API logout or an administrator revokes them.
API_TOKEN_TTL = int(os.environ.get("API_TOKEN_TTL", str(8 * 60 * 60)))
REST_KNOX = {"AUTH_HEADER_PREFIX": "Token", "AUTO_REFRESH": False}

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "atensi" / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / ".data" / "media"))
MEDIA_URL = "/media/"  # never served directly: attachments go through an audited view
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", str(5 * 1024 * 1024)))
# A DTSEN register extract of 2,000,000 rows is ~236 MB as CSV (the import also reads gzip).
REGISTER_UPLOAD_MAX_BYTES = int(os.environ.get("REGISTER_UPLOAD_MAX_BYTES", str(300 * 1024 * 1024)))
# Batch screening's matcher: "fellegi_sunter" (weights estimated from each batch, issue 8)
# or "rules" (the hand-set rules of assessments/linkage.py). A batch keeps the parameters
# it was estimated with; one of fewer than ELIGIBILITY_ESTIMATE_MIN_ROWS rows borrows the
# latest ones of its organisation and snapshot, or uses the rules when there are none.
ELIGIBILITY_MATCHER = os.environ.get("ELIGIBILITY_MATCHER", "fellegi_sunter")
ELIGIBILITY_ESTIMATE_MIN_ROWS = int(os.environ.get("ELIGIBILITY_ESTIMATE_MIN_ROWS", "500"))
# Uploaded files stream to a temporary file once past 2.5 MB instead of staying in memory;
# FILE_UPLOAD_TEMP_DIR puts them on a disk with room for the largest (default: the system's).
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_TEMP_DIR = os.environ.get("FILE_UPLOAD_TEMP_DIR") or None
# The rest of a request body (form fields, JSON such as a list of client ids); files excluded.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "atensi.accounts.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "atensi.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "atensi.api_schema.AutoSchema",
    "EXCEPTION_HANDLER": "atensi.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.ScopedRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": "10/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ATENSI API",
    "DESCRIPTION": "Case management for ATENSI social rehabilitation (KPN).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Bodies are JSON; the uploads say multipart themselves. The form encodings DRF also
    # parses cannot carry the nested and list inputs, so they are not offered.
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
    "ENUM_NAME_OVERRIDES": {
        "StageEnum": "cases.models.Stage",
        "ReferralStatusEnum": "cases.models.Referral.Status",
        "ReferralSourceEnum": "cases.models.Referral.Source",
        "ComponentEnum": "assessments.models.assessment.Component",
        "ModalityEnum": "assessments.models.assessment.Modality",
        "AssessmentStatusEnum": "assessments.models.assessment.Assessment.Status",
        "VerdictEnum": "assessments.models.eligibility.Verdict",
        "BatchStatusEnum": "assessments.models.eligibility.EligibilityBatch.Status",
        "BatchSourceEnum": "assessments.models.eligibility.EligibilityBatch.Source",
        "SnapshotStatusEnum": "assessments.models.register.RegisterSnapshot.Status",
        "SubstanceEnum": "cases.choices.Substance",
        "ReferralUrineTestEnum": "cases.models.Referral.UrineTest",
        "EpisodeModalityEnum": "rehab.models.episodes.Modality",
        "SessionKindEnum": "rehab.models.episodes.SessionKind",
        "DecreeDocumentKindEnum": "aid.models.DecreeDocument.Kind",
        "AftercareUrineTestEnum": "rehab.models.episodes.AftercareFollowUp.UrineTest",
        "VulnerabilityEnum": "prevention.models.Vulnerability",
    },
}

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
    }
}

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A job whose worker dies is delivered again; after this many deliveries it is failed
# instead (atensi.tasks.RecordTask): a job that kills its worker every time must not loop.
TASK_MAX_DELIVERIES = int(os.environ.get("TASK_MAX_DELIVERIES", "3"))
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Expired sessions hold saved search terms: clear them every night.
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {"task": "atensi.tasks.clear_sessions", "schedule": 24 * 60 * 60},
    "refresh-dashboard-summaries": {
        "task": "atensi.dashboard.tasks.refresh_summaries",
        "schedule": int(os.environ.get("DASHBOARD_REFRESH_SECONDS", str(10 * 60))),
    },
    # The triggers mark every change; counting everything once a day also covers what no
    # trigger sees (a TRUNCATE, a restore with the triggers off).
    "count-summaries-again": {"task": "atensi.summaries.tasks.rebuild", "schedule": 24 * 60 * 60},
}
# How many kinds of the summary tables a full count counts side by side (connections).
SUMMARY_WORKERS = int(os.environ.get("SUMMARY_WORKERS", "2"))
# How long a dashboard snapshot is shown before the page counts again (seconds).
DASHBOARD_SNAPSHOT_MAX_AGE = int(os.environ.get("DASHBOARD_SNAPSHOT_MAX_AGE", str(15 * 60)))

# Content Security Policy: everything is served from this site, nothing inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 60 * 60)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "atensi.logs.RedactPersonalData"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["personal_data"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Request logs carry only the path, and paths carry only UUIDs: no names or NIKs.
        "django.db.backends": {"level": "WARNING"},
    },
}

# Row history of personal-data tables (database triggers); `obj.history` lists the versions.
PGHISTORY_OBJ_FIELD = __import__("pghistory").ObjForeignKey(related_name="history")

# Retention (UU 27/2022; `manage.py apply_retention`): a client whose cases have all been closed
# this many years is anonymised; survey suggestions are cleared after this many months.
RETENTION_CLOSED_CASE_YEARS = int(os.environ.get("RETENTION_CLOSED_CASE_YEARS", "10"))
RETENTION_SURVEY_TEXT_MONTHS = int(os.environ.get("RETENTION_SURVEY_TEXT_MONTHS", "24"))
