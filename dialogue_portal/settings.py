"""Settings for Dialogue Portal, read from environment variables.

A fresh checkout runs with no variables set: SQLite, an in-process cache and
media on disk. Production (DEBUG off) refuses to start with an insecure
SECRET_KEY or no ALLOWED_HOSTS. See docs/configuration.md for every variable.
"""

from pathlib import Path
from urllib.parse import urlsplit

from botocore.config import Config as S3Config
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from dialogue_portal.core.env import (
    env_bool,
    env_int,
    env_list,
    env_site_url,
    env_str,
    parse_database_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent

# Local by default; production sets DEBUG=0 and must then give a real key and hosts.
DEBUG = env_bool("DEBUG", True)
INSECURE_KEY_PREFIX = "django-insecure-"
SECRET_KEY = env_str("SECRET_KEY", INSECURE_KEY_PREFIX + "local-development-only")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
LOCAL_MODE = DEBUG

if not DEBUG:
    if SECRET_KEY.startswith(INSECURE_KEY_PREFIX) or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random value of at least 50 characters when DEBUG is off"
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS must name the site's host names when DEBUG is off"
        )

# The origin of every absolute link (feeds, sitemap, robots.txt, canonical and share links,
# the API, OAI-PMH, mails): never the request's Host header, which the client chooses.
SITE_URL = env_site_url("SITE_URL", "http://127.0.0.1:8000")
if not DEBUG and not env_str("SITE_URL").strip():
    raise ImproperlyConfigured(
        "SITE_URL must be set to the site's origin (https://portal.example.org) when DEBUG is off"
    )
SITE_NAME = env_str("SITE_NAME", "Dialogue Portal")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "django_filters",
    "django_htmx",
    "django_prose_editor",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp_webauthn",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "reversion",
    "django_tasks_db",
    "people",
    "publications",
    "polls",
    "dialogue_portal.audit",
    "dialogue_portal.newsletter",
    "dialogue_portal.pages",
    "dialogue_portal.demo",
    "dialogue_portal",
    "dialogue_portal.api",
    "dialogue_portal.archive",
    "dialogue_portal.staff",
    "dialogue_portal.oai",
    "dialogue_portal.desk",
    # After the desk, whose publication admin it adds preview links to.
    "dialogue_portal.previews",
    # After every app whose admin it extends (the desk re-registers content admins).
    "dialogue_portal.redirects",
    # After staff, whose user admin it extends with "reset the second factor".
    "dialogue_portal.twofactor",
    "dialogue_portal.schedule",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the database (sessions, users): which database reads go to.
    "dialogue_portal.core.replication.ReadYourWritesMiddleware",
    "dialogue_portal.api.middleware.ApiCorsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "dialogue_portal.core.middleware.AdminContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "dialogue_portal.core.middleware.SecurityHeadersMiddleware",
    # The surrogate keys of a page a shared cache may keep, and its s-maxage.
    "dialogue_portal.core.surrogate.SurrogateKeyMiddleware",
    # An ETag on every page; a browser or CDN asking again with If-None-Match gets a 304.
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The request being served, for audit rows written deep inside a service or a signal.
    "dialogue_portal.audit.middleware.AuditRequestMiddleware",
    # Under /admin/: the editor's admin language, not the site's (after the user is known).
    "dialogue_portal.staff.middleware.AdminLanguageMiddleware",
    # Which second factor verified this session (request.user.is_verified()).
    "django_otp.middleware.OTPMiddleware",
    # Staff sessions: idle and lifetime limits, ended sessions, and no admin without a
    # verified second factor (dialogue_portal/twofactor).
    "dialogue_portal.twofactor.middleware.StaffSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "dialogue_portal.core.middleware.DatabaseUnavailableMiddleware",
    # Last, so first to see a 404 on the way out: an old address answers 301 or 410.
    "dialogue_portal.redirects.middleware.OldAddressesMiddleware",
]

ROOT_URLCONF = "dialogue_portal.urls"
WSGI_APPLICATION = "dialogue_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dialogue_portal.context_processors.site",
            ],
        },
    },
]

# The primary, and read replicas (DATABASE_REPLICA_URLS, comma-separated) as replica_1, ...;
# dialogue_portal.core.routers sends reads to the replicas, writes and migrations to the primary.
DATABASES = {
    "default": parse_database_url(
        env_str("DATABASE_URL", "sqlite:///db.sqlite3"), base_dir=BASE_DIR
    )
}
DATABASE_REPLICAS = []
for number, url in enumerate(env_list("DATABASE_REPLICA_URLS"), start=1):
    DATABASE_REPLICAS.append(f"replica_{number}")
    DATABASES[f"replica_{number}"] = parse_database_url(url, base_dir=BASE_DIR) | {
        "TEST": {"MIRROR": "default"}
    }
if DATABASE_REPLICAS:
    DATABASE_ROUTERS = ["dialogue_portal.core.routers.PrimaryReplicaRouter"]
# With replicas: how long a client that wrote (any POST) reads from the primary, and how
# long a replica that failed is left alone (dialogue_portal/core/replication.py).
READ_PRIMARY_SECONDS = env_int("READ_PRIMARY_SECONDS", 10)
REPLICA_RETRY_SECONDS = env_int("REPLICA_RETRY_SECONDS", 5)
# DATABASE_POOL=1: a psycopg connection pool in each process (Django then needs CONN_MAX_AGE=0).
DATABASE_POOL = env_bool("DATABASE_POOL", False)
for database in DATABASES.values():
    if database["ENGINE"] == "django.db.backends.postgresql":
        database["CONN_HEALTH_CHECKS"] = True
        database["OPTIONS"].setdefault("connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 2))
        # No JIT: it spends hundreds of milliseconds compiling the facet counts' plan, which
        # runs in tens without it. A web page's queries are short; JIT is for reports.
        database["OPTIONS"].setdefault("options", "-c jit=off")
        if DATABASE_POOL:
            database["CONN_MAX_AGE"] = 0
            database["OPTIONS"]["pool"] = {
                "min_size": env_int("DATABASE_POOL_MIN_SIZE", 1),
                "max_size": env_int("DATABASE_POOL_MAX_SIZE", 4),
                "timeout": env_int("DATABASE_POOL_TIMEOUT", 5),
            }
        else:
            database["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60)
    else:
        database["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
        database["OPTIONS"].setdefault("timeout", 20)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (INCLUDE) are PostgreSQL's; SQLite builds them without the extra columns.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, with an unreachable Redis counted as a miss.
            "BACKEND": "dialogue_portal.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "dp"),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Internationalisation: English at /..., Russian at /ru/...
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["dialogue_portal.formats"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# whitenoise serves hashed names (site.3f2a1b9c4d5e.css) as immutable for ten years (its test
# for a hashed name is the default); the few unhashed files are cached for an hour.
WHITENOISE_MAX_AGE = 0 if DEBUG else 3600
# OAI-PMH at /oai/: records per page, how long a resumption token lasts, who harvesters write to.
OAI_PAGE_SIZE = env_int("OAI_PAGE_SIZE", 100)
OAI_TOKEN_SECONDS = env_int("OAI_TOKEN_SECONDS", 48 * 3600)
OAI_ADMIN_EMAIL = env_str(
    "OAI_ADMIN_EMAIL", f"webmaster@{urlsplit(SITE_URL).hostname or 'localhost.localdomain'}"
)
if OAI_PAGE_SIZE < 1 or OAI_TOKEN_SECONDS < 24 * 3600:
    raise ImproperlyConfigured("OAI_PAGE_SIZE must be ≥ 1 and OAI_TOKEN_SECONDS ≥ 86400.")

# A reviewer may not approve what they submitted or proposed themselves; a one-person desk
# sets REVIEW_ALLOW_SELF_APPROVAL=1.
REVIEW_ALLOW_SELF_APPROVAL = env_bool("REVIEW_ALLOW_SELF_APPROVAL", False)


STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Where pages' images come from when media are not on this site (S3): its origin joins the
# Content Security Policy's img-src. MEDIA_ORIGIN names it (a CDN in front of the bucket);
# by default it is AWS_S3_ENDPOINT_URL's origin.
MEDIA_ORIGIN = ""
if env_str("AWS_STORAGE_BUCKET_NAME"):
    _endpoint = urlsplit(env_str("AWS_S3_ENDPOINT_URL"))
    MEDIA_ORIGIN = env_str(
        "MEDIA_ORIGIN", f"{_endpoint.scheme}://{_endpoint.netloc}" if _endpoint.netloc else ""
    )
    # Media on S3-compatible object storage (django-storages reads AWS_* variables itself).
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            # Fail fast when the store is away: an upload gets a form error in seconds,
            # and /health/ answers within Varnish's probe timeout. "path" addressing
            # (bucket in the path) suits stores addressed by IP or one host name
            # (SeaweedFS, MinIO); AWS_S3_ADDRESSING_STYLE=virtual suits AWS.
            "client_config": S3Config(
                signature_version="s3v4",
                s3={"addressing_style": env_str("AWS_S3_ADDRESSING_STYLE", "path")},
                connect_timeout=1,
                read_timeout=20,
                retries={"max_attempts": 2, "mode": "standard"},
            ),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

# Media on disk in production: the web server passes /media/ to Django, which refuses the
# files of publications not live yet (publications.files) and, with MEDIA_ACCEL_REDIRECT
# (e.g. "/protected-media/", an nginx `internal` location aliasing MEDIA_ROOT), lets the
# web server send the rest. See docs/deploying.md.
MEDIA_SERVED_BY_DJANGO = env_bool("MEDIA_SERVED_BY_DJANGO", False)
MEDIA_ACCEL_REDIRECT = env_str("MEDIA_ACCEL_REDIRECT", "")
# How long browsers and shared caches may keep a file served at /media/.
MEDIA_CACHE_SECONDS = env_int("MEDIA_CACHE_SECONDS", 300)

# Archives uploaded in the admin wait here for the task worker: private (never served, not
# under MEDIA_ROOT), and on object storage a private prefix of the bucket, so the worker
# finds them on any machine.
ARCHIVE_UPLOAD_ROOT = Path(env_str("ARCHIVE_UPLOAD_ROOT", str(BASE_DIR / "private")))
STORAGES["archive-uploads"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": ARCHIVE_UPLOAD_ROOT, "base_url": None},
}
if env_str("AWS_STORAGE_BUCKET_NAME"):
    STORAGES["archive-uploads"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**STORAGES["default"]["OPTIONS"], "location": "private"},
    }

# Background tasks (Django's django.tasks): archive dry runs and imports, newsletter
# confirmation mails. "database" (the default) queues them in the database for
# `manage.py db_worker` (django-tasks-db), which `make run` starts beside the server;
# "immediate" runs each inside the request that asks for it (no worker needed, but mail
# then leaves inside the request: not for production). Purges of the shared cache have a
# queue of their own, so that none waits behind a newsletter or an import (a worker of its
# own takes it: `db_worker --queue-name purge`).
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
TASKS_BACKEND = env_str("TASKS_BACKEND", "database")
if TASKS_BACKEND not in TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be one of {', '.join(TASK_BACKENDS)}, not {TASKS_BACKEND!r}"
    )
TASK_QUEUES = ["default", "purge"]
TASKS = {"default": {"BACKEND": TASK_BACKENDS[TASKS_BACKEND], "QUEUES": TASK_QUEUES}}

FILE_UPLOAD_PERMISSIONS = 0o644
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Uploads that editors may attach.
BANNER_MAX_BYTES = env_int("BANNER_MAX_BYTES", 10 * 1024 * 1024)
BANNER_MAX_PIXELS = env_int("BANNER_MAX_PIXELS", 40_000_000)
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 50 * 1024 * 1024)

LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

# Staff sign-in (dialogue_portal/twofactor): a second factor for every member of staff, a TOTP
# code or a passkey. Staff sessions end after STAFF_SESSION_IDLE_MINUTES without a request
# and STAFF_SESSION_MAX_HOURS after signing in.
STAFF_SESSION_IDLE_MINUTES = env_int("STAFF_SESSION_IDLE_MINUTES", 8 * 60)
STAFF_SESSION_MAX_HOURS = env_int("STAFF_SESSION_MAX_HOURS", 24)
if STAFF_SESSION_IDLE_MINUTES < 1 or STAFF_SESSION_MAX_HOURS < 1:
    raise ImproperlyConfigured(
        "STAFF_SESSION_IDLE_MINUTES and STAFF_SESSION_MAX_HOURS must be ≥ 1."
    )
# The name authenticator apps show beside the code.
OTP_TOTP_ISSUER = SITE_NAME
# Passkeys belong to one host name (the relying party), taken from SITE_URL. Browsers refuse
# an IP address there, so a local run on 127.0.0.1 offers passkeys at http://localhost:PORT.
_site = urlsplit(SITE_URL)
if _site.hostname in ("127.0.0.1", "::1", "localhost"):
    OTP_WEBAUTHN_RP_ID = "localhost"
    OTP_WEBAUTHN_ALLOWED_ORIGINS = [f"http://localhost:{_site.port or 80}"]
else:
    OTP_WEBAUTHN_RP_ID = _site.hostname
    OTP_WEBAUTHN_ALLOWED_ORIGINS = [f"{_site.scheme}://{_site.netloc}"]
OTP_WEBAUTHN_RP_NAME = SITE_NAME
# A passkey is a second factor here, after the password, never a way in on its own.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False

# Security. Production values by default; a local run relaxes only what needs HTTPS.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if LOCAL_MODE else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not LOCAL_MODE)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not LOCAL_MODE)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not LOCAL_MODE)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not LOCAL_MODE)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not LOCAL_MODE)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^health/$"]

# Content Security Policy (Django's own): no inline script or style without a nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:", *([MEDIA_ORIGIN] if MEDIA_ORIGIN else [])],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    # The proof-of-work widget's SHA-256 worker, a static file of this site (no blob: URLs).
    "worker-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
# The admin's rich-text editor (Tiptap, inside django-prose-editor) injects one <style>
# element with its base CSS and offers no way to give it a nonce. The admin allows exactly
# that stylesheet by its hash, and nothing else inline; public pages keep SECURE_CSP. A new
# editor version changes the hash: the e2e editor test then fails and names the new one.
PROSE_EDITOR_STYLE_HASH = "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"
SECURE_CSP_ADMIN = {
    **SECURE_CSP,
    "style-src": [*SECURE_CSP["style-src"], PROSE_EDITOR_STYLE_HASH],
}
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)

# How many proxies in front of the app set X-Forwarded-For (0: trust REMOTE_ADDR only).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# django-axes: AXES_FAILURE_LIMIT wrong admin passwords lock out the pair (username,
# address), and also the username whatever the address (guessing one account from many
# addresses) and the address whatever the username (one password tried on many accounts).
# A lockout lasts AXES_COOLOFF_MINUTES; each further lockout of the same address or username
# within AXES_BACKOFF_WINDOW_HOURS doubles it, up to AXES_COOLOFF_MAX_MINUTES
# (dialogue_portal/audit/lockout.py counts them in the audit trail).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_MINUTES = env_int("AXES_COOLOFF_MINUTES", 15)
AXES_COOLOFF_MAX_MINUTES = env_int("AXES_COOLOFF_MAX_MINUTES", 24 * 60)
AXES_BACKOFF_WINDOW_HOURS = env_int("AXES_BACKOFF_WINDOW_HOURS", 24)
AXES_COOLOFF_TIME = "dialogue_portal.audit.lockout.cool_off"
# Each attempt expires by the cool-off in force when it was made, so a later, shorter one
# (another client's) does not clear a longer lockout.
AXES_USE_ATTEMPT_EXPIRATION = True
# Attempts made while locked out are refused without extending the lockout (or counting as
# another): the back-off above lengthens the next one instead.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "dialogue_portal.core.clientip.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# Views and downloads gather in the cache and reach the database in batches of this size
# (publications/counting.py); `manage.py flush_counts` writes what is left.
COUNT_FLUSH_EVERY = env_int("COUNT_FLUSH_EVERY", 1 if DEBUG else 20)

# Ratings and polls: the anonymous reader's signed cookie, a random id the server issues on
# the never-cached rating and vote widgets (dialogue_portal/core/readers.py).
READER_COOKIE_NAME = "dp_reader"
READER_COOKIE_MAX_AGE = 2 * 365 * 24 * 60 * 60

# Whole pages cached for anonymous readers, in seconds (0: off; off by default when DEBUG,
# so local edits show at once). See dialogue_portal/core/pagecache.py.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 0 if DEBUG else 60)
# The oldest totals (ratings, poll counts) a cached page may show, in seconds: they are
# filled into cached pages from fragments kept this long at most.
PAGE_TOTALS_SECONDS = env_int("PAGE_TOTALS_SECONDS", 5)
# A shared cache in front (Varnish, a CDN) keeps a public page as long as the page cache
# (s-maxage), purged by surrogate key after each editorial commit
# (dialogue_portal/core/surrogate.py); browsers, which no purge reaches, keep it
# BROWSER_CACHE_SECONDS at most.
BROWSER_CACHE_SECONDS = env_int("BROWSER_CACHE_SECONDS", 60)
# The header naming the keys: xkey (Varnish), Surrogate-Key (Fastly), Cache-Tag (Cloudflare).
SURROGATE_KEY_HEADER = env_str("SURROGATE_KEY_HEADER", "xkey")
# Where the task worker sends PURGE requests (Varnish's address); none: no purge.
PURGE_URLS = env_list("PURGE_URLS")
if any(urlsplit(url).scheme not in ("http", "https") for url in PURGE_URLS):
    raise ImproperlyConfigured("PURGE_URLS must be http:// or https:// addresses")
# Facet counts (publications/facets.py): counts that took longer than COUNTS_INLINE_MS to
# count are, once stale, served as they were while `manage.py refresh_counts` counts them
# again; none is kept longer than COUNTS_STALE_SECONDS.
COUNTS_INLINE_MS = env_int("COUNTS_INLINE_MS", 500)
COUNTS_STALE_SECONDS = env_int("COUNTS_STALE_SECONDS", 3600)
# How long counts wait for the refresher before a reader counts them (none is running).
COUNTS_PENDING_SECONDS = env_int("COUNTS_PENDING_SECONDS", 300)
# Ranked search results (publications/ranked.py) that took longer than RANK_INLINE_MS to rank
# are, once stale, served as they were while the same refresher ranks them again.
RANK_INLINE_MS = env_int("RANK_INLINE_MS", 100)

# Full-text search index on PostgreSQL: "auto" (RUM when its index exists, else GIN) or
# "gin" (never RUM). See publications/search.py.
SEARCH_INDEX = env_str("SEARCH_INDEX", "auto")
if SEARCH_INDEX not in ("auto", "gin"):
    raise ImproperlyConfigured('SEARCH_INDEX must be "auto" or "gin"')

# The audit trail (dialogue_portal/audit): rows older than this many days are deleted by
# `manage.py prune_audit` (0: keep every row).
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 365)

# Flood limit on ratings and votes: writes per client address per window (0: no limit).
WRITE_RATE_LIMIT = env_int("WRITE_RATE_LIMIT", 30)
WRITE_RATE_WINDOW = env_int("WRITE_RATE_WINDOW", 60)
# Caps on what one client address adds in one UTC day, as new anonymous votes in one poll
# and new anonymous ratings of one publication (0: no cap). A script can ask the widget for
# as many readers as it likes; these bound what it gains to this many a day per address.
# 20, not 1: a university, an office or a mobile carrier puts many readers behind one
# address, and a seminar or a team reading the same report is the audience a think tank
# wants. 20 such readers of one poll in a day from one network is plausible; beyond that the
# 21st is told so (429) and can still see the results. See docs/features.md.
VOTES_PER_ADDRESS_PER_POLL_PER_DAY = env_int("VOTES_PER_ADDRESS_PER_POLL_PER_DAY", 20)
RATINGS_PER_ADDRESS_PER_PUBLICATION_PER_DAY = env_int(
    "RATINGS_PER_ADDRESS_PER_PUBLICATION_PER_DAY", 20
)
# The proof-of-work check (ALTCHA, dialogue_portal/core/proofofwork.py) asked of anonymous voters
# when a poll is busy: more than POLL_BUSY_VOTES_PER_MINUTE votes in it in the last minute
# (0: never busy for this reason), or when their address has cast
# VOTES_WITHOUT_CHALLENGE_PER_ADDRESS_PER_POLL_PER_DAY votes in the poll today. That is also
# the stricter cap of a reader without JavaScript (who cannot solve the check): a third of
# the daily cap by default. With the check solved, an address goes on to the daily cap.
POLL_BUSY_VOTES_PER_MINUTE = env_int("POLL_BUSY_VOTES_PER_MINUTE", 30)
VOTES_WITHOUT_CHALLENGE_PER_ADDRESS_PER_POLL_PER_DAY = env_int(
    "VOTES_WITHOUT_CHALLENGE_PER_ADDRESS_PER_POLL_PER_DAY", VOTES_PER_ADDRESS_PER_POLL_PER_DAY // 3
)
# The same for anonymous ratings of one publication.
PUBLICATION_BUSY_RATINGS_PER_MINUTE = env_int("PUBLICATION_BUSY_RATINGS_PER_MINUTE", 30)
RATINGS_WITHOUT_CHALLENGE_PER_ADDRESS_PER_PUBLICATION_PER_DAY = env_int(
    "RATINGS_WITHOUT_CHALLENGE_PER_ADDRESS_PER_PUBLICATION_PER_DAY",
    RATINGS_PER_ADDRESS_PER_PUBLICATION_PER_DAY // 3,
)
# The challenge: signed with ALTCHA_HMAC_KEY (empty: a key derived from SECRET_KEY), valid
# for ALTCHA_EXPIRES_SECONDS, its answer a number below ALTCHA_MAX_NUMBER that the reader's
# browser searches for (about ALTCHA_MAX_NUMBER / 2 SHA-256 hashes on average).
ALTCHA_HMAC_KEY = env_str("ALTCHA_HMAC_KEY", "")
ALTCHA_EXPIRES_SECONDS = env_int("ALTCHA_EXPIRES_SECONDS", 600)
ALTCHA_MAX_NUMBER = env_int("ALTCHA_MAX_NUMBER", 50_000)
if ALTCHA_MAX_NUMBER < 1:
    raise ImproperlyConfigured("ALTCHA_MAX_NUMBER must be at least 1")
# The reviewers' view of bursts (admin: Polls › Votes › Bursts): minutes in which one poll,
# or one address in one poll, took at least BURST_MIN_VOTES votes, over the last BURST_DAYS.
BURST_MIN_VOTES = env_int("BURST_MIN_VOTES", 5)
BURST_DAYS = env_int("BURST_DAYS", 7)

# The read-only JSON API at /api/ (dialogue_portal/api): anonymous, JSON only, throttled per
# client address (API_THROTTLE_RATE such as "120/minute"; "0" switches it off), answers
# cacheable for API_CACHE_SECONDS.
API_THROTTLE_RATE = env_str("API_THROTTLE_RATE", "120/minute")
API_CACHE_SECONDS = env_int("API_CACHE_SECONDS", 60)
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_THROTTLE_CLASSES": ["dialogue_portal.api.throttling.ClientThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": None if API_THROTTLE_RATE in ("", "0") else API_THROTTLE_RATE
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_VERSIONING_CLASS": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{SITE_NAME} API",
    "DESCRIPTION": "Read-only JSON: published publications, people, institutions, topics, "
    "regions, audiences, projects and polls with their results.",
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/",
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "ENUM_NAME_OVERRIDES": {"LanguageEnum": "publications.models.LANGUAGE_CHOICES"},
}

# Archive import (dialogue_portal/archive): limits on what a zip may expand to. Each file
# is also held to the upload limits above (BANNER_MAX_BYTES, ATTACHMENT_MAX_BYTES).
ARCHIVE_MAX_BYTES = env_int("ARCHIVE_MAX_BYTES", 2 * 1024 * 1024 * 1024)
ARCHIVE_MAX_ENTRIES = env_int("ARCHIVE_MAX_ENTRIES", 100_000)
ARCHIVE_MAX_RATIO = env_int("ARCHIVE_MAX_RATIO", 200)
ARCHIVE_MANIFEST_MAX_BYTES = env_int("ARCHIVE_MANIFEST_MAX_BYTES", 200 * 1024 * 1024)
# Each manifest, RIS or BibTeX file: at most this many records, JSON nested this deep at most.
ARCHIVE_MAX_RECORDS = env_int("ARCHIVE_MAX_RECORDS", 100_000)
ARCHIVE_MAX_NESTING = env_int("ARCHIVE_MAX_NESTING", 32)

# Mail, with Django 6.1's MAILERS (the EMAIL_* settings are deprecated). SMTP_HOST set: SMTP
# (production). Unset: a local run writes each mail into MAIL_FILE_PATH (./mail/), where a
# person can read it; production without SMTP_HOST uses an MTA on localhost:25.
SMTP_HOST = env_str("SMTP_HOST", "")
if SMTP_HOST or not DEBUG:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": SMTP_HOST or "localhost",
                "port": env_int("SMTP_PORT", 587 if SMTP_HOST else 25),
                "username": env_str("SMTP_USER", "") or None,
                "password": env_str("SMTP_PASSWORD", "") or None,
                "use_tls": env_bool("SMTP_STARTTLS", bool(SMTP_HOST)),
                "use_ssl": env_bool("SMTP_SSL", False),
                "timeout": env_int("SMTP_TIMEOUT", 20),
            },
        }
    }
else:
    MAIL_FILE_PATH = Path(env_str("MAIL_FILE_PATH", str(BASE_DIR / "mail")))
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(MAIL_FILE_PATH)},
        }
    }
# Confirmation mails (newsletter/tasks.py), sent by the task worker: at most this many an
# hour to one address, and this many an hour from the whole site; beyond them nothing is
# sent (the form answers as always; the site's cap being reached is logged). A client
# address may ask SUBSCRIBE_REQUESTS_PER_CLIENT_PER_HOUR times an hour as it likes (0: no
# cap); past that, a request counts only with a solved proof-of-work check, and never past
# SUBSCRIBE_REQUESTS_WITH_CHECK_PER_CLIENT_PER_HOUR in all (the hard cap: at or below the
# first, the check is not offered and the next request is simply refused).
CONFIRMATIONS_PER_ADDRESS_PER_HOUR = env_int("CONFIRMATIONS_PER_ADDRESS_PER_HOUR", 3)
CONFIRMATIONS_PER_HOUR = env_int("CONFIRMATIONS_PER_HOUR", 300)
SUBSCRIBE_REQUESTS_PER_CLIENT_PER_HOUR = env_int("SUBSCRIBE_REQUESTS_PER_CLIENT_PER_HOUR", 10)
SUBSCRIBE_REQUESTS_WITH_CHECK_PER_CLIENT_PER_HOUR = env_int(
    "SUBSCRIBE_REQUESTS_WITH_CHECK_PER_CLIENT_PER_HOUR", 3 * SUBSCRIBE_REQUESTS_PER_CLIENT_PER_HOUR
)
# Past this many confirmation mails from the site in the last hour (requests from many
# networks at once), every request needs the check, from any client (0: never).
SUBSCRIBE_CHECK_FOR_ALL_PER_HOUR = env_int(
    "SUBSCRIBE_CHECK_FOR_ALL_PER_HOUR", CONFIRMATIONS_PER_HOUR // 2
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <newsletter@localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# Django's 403 page, but the footer's subscribe form sent without JavaScript (so without a
# CSRF token) lands on the newsletter page to be sent once more.
CSRF_FAILURE_VIEW = "dialogue_portal.newsletter.views.csrf_failure"
