"""Settings for every posweb node, read from the environment.

The public contract (see shared/DESIGN.md): POS_ROLE, POS_STORE, POS_NODE,
POS_PEERS, POS_HQ_URL, POS_SYNC_KEY, DATABASE_URL, REDIS_URL, POS_DATA_DIR.
Everything is optional so that a fresh clone runs a demo store.
"""

from __future__ import annotations

import socket
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from posweb.env import env_bool, env_choice, env_int, env_list, env_secret, env_str, env_url_list

BASE_DIR = Path(__file__).resolve().parent.parent

POS_ROLE = env_choice("POS_ROLE", ("store", "hq"), "store")
POS_STORE = env_str("POS_STORE", "S001") or "S001"
POS_NODE = env_str("POS_NODE") or f"{socket.gethostname()}-{POS_ROLE}"
POS_PEERS = env_url_list("POS_PEERS")
POS_HQ_URL = (env_url_list("POS_HQ_URL") or [""])[0]
DEMO_SYNC_KEY = "demo-sync-key"
POS_SYNC_KEY = env_secret("POS_SYNC_KEY") or DEMO_SYNC_KEY
POS_DATA_DIR = Path(env_str("POS_DATA_DIR") or BASE_DIR / "var")
POS_DEMO_TOKEN = env_secret("POS_DEMO_TOKEN")
# The lane this node issues ticket numbers from (stores/numbers.py). Optional:
# derived from POS_NODE when unset.
POS_TICKET_LANE = env_str("POS_TICKET_LANE")
# Demo mode hands the demo register token to an unpaired browser so that a fresh
# clone can sell at once; a real store turns it off.
POS_DEMO = env_bool("POS_DEMO", True)
POS_TIME_ZONE = env_str("POS_TIME_ZONE", "Asia/Tokyo") or "Asia/Tokyo"
# The kitchen feed: how long a ticket may stay unacknowledged before the printer
# takes over (kitchen issue), in seconds.
POS_KITCHEN_ACK_TIMEOUT = env_int("POS_KITCHEN_ACK_TIMEOUT", 10, minimum=1)
# The public kiosk / QR order pages (integrations/pages.py): new orders each
# client address, and the store's pages key as a whole, may place per window.
POS_PAGES_ORDERS_PER_CLIENT = env_int("POS_PAGES_ORDERS_PER_CLIENT", 10, minimum=1)
POS_PAGES_ORDERS_PER_KEY = env_int("POS_PAGES_ORDERS_PER_KEY", 300, minimum=1)
POS_PAGES_ORDER_WINDOW_S = env_int("POS_PAGES_ORDER_WINDOW_S", 600, minimum=1)
# A deploy's label, part of the service worker's version (registers/views.py), so
# a deploy reaches the tablets even when no static file changed.
POS_RELEASE = env_str("POS_RELEASE")
# Web Push (runtime/notify/webpush.py): the contact VAPID messages name. The
# keys themselves are POS_VAPID_PRIVATE_KEY/POS_VAPID_PUBLIC_KEY, or made once under
# POS_DATA_DIR/vapid/ by `manage.py vapid_keys`.
POS_VAPID_SUBJECT = env_str("POS_VAPID_SUBJECT")
# Background workers (replication, printer fallback) in the daphne process.
POS_WORKERS = env_bool("POS_WORKERS", True)
# Whether this daphne process also takes the workers done by one process at a
# time (alerts, rollups, webhooks, Web Push). HQ's serving workers set it to 0
# and leave them to `manage.py run_workers`, a process of its own: there they
# use a core of their own instead of the GIL of a process that takes uploads.
POS_WORKERS_ONCE = env_bool("POS_WORKERS_ONCE", True)
# Replication (sync/): a CA bundle to verify https peers with (self-signed
# store certificates), and opt-in LAN discovery of sibling nodes.
POS_SYNC_CA_FILE = env_str("POS_SYNC_CA_FILE")
POS_DISCOVERY = env_bool("POS_DISCOVERY", False)
POS_ADVERTISE_URL = (env_url_list("POS_ADVERTISE_URL") or [""])[0]
# Money on an order and the PIN budget are decided by one sibling (sync/coordinator.py);
# a decider that does not answer within this many seconds is passed over.
POS_DECIDE_TIMEOUT_S = env_int("POS_DECIDE_TIMEOUT_S", 3, minimum=1)
# Threads that serve HTTP requests in one process (runtime/http.py); each keeps
# one database connection once used. ASGI_THREADS is asgiref's and daphne's
# own name for the size of this pool.
HTTP_THREADS = env_int("ASGI_THREADS", 32, minimum=1)
# HQ alerts (hq/alerts.py): a store with no sync contact for this long is
# flagged offline; a backlog older than this is "sync behind".
POS_STORE_SILENT_AFTER = env_int("POS_STORE_SILENT_AFTER", 300, minimum=1)
POS_BACKLOG_ALERT_AFTER = env_int("POS_BACKLOG_ALERT_AFTER", 300, minimum=1)
# A station's tickets unacknowledged this long means no kitchen screen is taking them.
POS_KITCHEN_SCREEN_ALERT_AFTER = env_int("POS_KITCHEN_SCREEN_ALERT_AFTER", 60, minimum=1)
# Channel orders HQ relays to a store (integrations/relay.py): a store none of whose
# nodes pulled from HQ within POS_RELAY_LINK_LIVE_S is unreachable (its nodes pull
# every 1-2 s), and an order its kitchen has not taken within POS_RELAY_DEADLINE_S
# is reported rejected.
POS_RELAY_LINK_LIVE_S = env_int("POS_RELAY_LINK_LIVE_S", 8, minimum=2)
POS_RELAY_DEADLINE_S = env_int("POS_RELAY_DEADLINE_S", 60, minimum=5)
# Health: the journal's hash chain is verified at start and then this often (registers/journal_health.py).
POS_JOURNAL_CHECK_S = env_int("POS_JOURNAL_CHECK_S", 86400, minimum=60)

if not POS_STORE.replace("-", "").replace("_", "").isalnum() or len(POS_STORE) > 16:
    raise ImproperlyConfigured(f"POS_STORE must be a short code of letters and digits, not {POS_STORE!r}")
if POS_ROLE == "store" and POS_STORE == "hq":
    # A store's origins start with its code and a colon (sync/services.py): "hq:" is HQ's.
    raise ImproperlyConfigured("POS_STORE may not be 'hq': that name is HQ's")

POS_DATA_DIR.mkdir(parents=True, exist_ok=True)

DEMO_SECRET_KEY = "posweb-demo-insecure-secret-key-change-me-in-production"
SECRET_KEY = env_secret("SECRET_KEY") or DEMO_SECRET_KEY
# Web Push keys (manager alerts), secrets like the others: env or *_FILE.
POS_VAPID_PRIVATE_KEY = env_secret("POS_VAPID_PRIVATE_KEY")
POS_VAPID_PUBLIC_KEY = env_str("POS_VAPID_PUBLIC_KEY")
# HQ's Ed25519 key pair (sync/signing.py): the private key, at HQ only, signs
# every change HQ records (master data); without it HQ makes one under
# POS_DATA_DIR on first start. Stores verify with the public key (base64 of
# its 32 bytes), pinned from HQ's first authenticated answer when unset.
POS_HQ_SIGNING_KEY = env_secret("POS_HQ_SIGNING_KEY")
POS_HQ_PUBLIC_KEY = env_str("POS_HQ_PUBLIC_KEY")
if not POS_DEMO:
    # The defaults are in the public repository: a real store running on them
    # would let anyone forge PIN digests, demo tokens and sync requests.
    if SECRET_KEY == DEMO_SECRET_KEY:
        raise ImproperlyConfigured("POS_DEMO=0 needs a real SECRET_KEY (or SECRET_KEY_FILE); the demo key is public")
    # HQ authenticates each store with that store's own key (Store.sync_key), never POS_SYNC_KEY.
    if POS_SYNC_KEY == DEMO_SYNC_KEY and POS_ROLE != "hq":
        raise ImproperlyConfigured("POS_DEMO=0 needs a real POS_SYNC_KEY (or POS_SYNC_KEY_FILE); the demo key is public")
DEBUG = env_bool("DEBUG", False)
# Tablets reach a store node by its LAN address, which DHCP may change; a
# deployment with fixed names narrows it (POS_ALLOWED_HOSTS=pos1.store.lan,...).
ALLOWED_HOSTS = env_list("POS_ALLOWED_HOSTS") or ["*"]

INSTALLED_APPS = [
    "daphne",
    "security",  # before django.contrib.auth: its createsuperuser enforces password validators
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "sync",
    "stores",  # shared domain below registers/kitchen/security: stores, devices, staff
    "menu",  # shared domain: the catalogue (may use stores)
    "registers",
    "kitchen",
    "integrations",  # after kitchen: its projectors read the status the kitchen's derived
    "hq",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "security.middleware.SecurityHeadersMiddleware",  # CSP without inline scripts
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "posweb.cors.StoreNodesCorsMiddleware",  # registers fail over to sibling nodes only
    "security.middleware.CardNumberGuardMiddleware",  # no card number reaches the change log
    "security.middleware.AdminLoginThrottleMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Every middleware runs in sync mode, in the request's one call on a
    # thread (runtime/http.py): an async-capable one hops nowhere here.
    "posweb.middleware.StoreLanguageMiddleware",
]

ROOT_URLCONF = "posweb.urls"
ASGI_APPLICATION = "posweb.asgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

_default_db = f"sqlite:///{POS_DATA_DIR / f'posweb-{POS_ROLE}.sqlite3'}"
# Health checks: the threads that serve HTTP keep their connection between
# requests (runtime/http.py), so one that PostgreSQL dropped (a restart, a
# failover) is found by a cheap query before a request uses it, not by the
# request failing. SQLite's check costs nothing.
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL") or _default_db, conn_max_age=0,
                                              conn_health_checks=True)}
# A read-only PostgreSQL replica of HQ's database: chain-wide reports read it
# (hq/rollups.py reports_db); everything else uses the primary.
if env_str("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = {**dj_database_url.parse(env_str("DATABASE_REPLICA_URL"), conn_max_age=0,
                                                    conn_health_checks=True),
                            "TEST": {"MIRROR": "default"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the kitchen feed read while a register writes; IMMEDIATE takes the
    # write lock at BEGIN so two writers queue on busy_timeout instead of failing
    # with "database is locked" when a read transaction tries to upgrade.
    DATABASES["default"]["OPTIONS"] = {
        # synchronous=FULL fsyncs the WAL at every commit, so an order is on
        # disk before the node answers 201 and the register forgets it: with
        # NORMAL a power cut could take back the last acknowledged commits.
        # Group commit pays that fsync once per batch. The log is checkpointed
        # by a worker (runtime/housekeeping.py); a commit only checkpoints by
        # itself past a much larger log than the default.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000; "
        "PRAGMA wal_autocheckpoint=8000;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": f"posweb:{POS_STORE}:{POS_NODE}"},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = POS_TIME_ZONE

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = POS_DATA_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# A whole order is a few KiB; anything far larger is a mistake or an attack.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("POS_MAX_BODY_BYTES", 256 * 1024, minimum=1024)

LOGIN_URL = "/admin/login/"

# Web hardening (security/, SECURITY.md). Always on: no MIME sniffing, no
# referrer beyond this node, no framing, cookies out of reach of scripts.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# POS_TLS=1: the node is reached over https (daphne's own TLS endpoint or a
# proxy in front, POS_TLS_PROXY=1): HSTS, secure cookies, http redirected.
POS_TLS = env_bool("POS_TLS", False)
if POS_TLS:
    SECURE_SSL_REDIRECT = env_bool("POS_TLS_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("POS_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("POS_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("POS_HSTS_PRELOAD", True)
    if env_bool("POS_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO") or "INFO"},
    "loggers": {"django.channels.server": {"level": "WARNING"}, "daphne": {"level": "WARNING"}},
}
