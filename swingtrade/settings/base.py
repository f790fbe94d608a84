"""Settings read from the environment.

With nothing set, the embedded default serves: SQLite under ``var/``, Celery tasks
executed eagerly in-process, console e-mail. Every value that differs between
deployments comes from an environment variable (see ``.env.example``).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("SWINGTRADE_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
# A local .env is read only on request: docker compose passes its env_file to the containers itself, and a
# copied .env.example (Docker host names) must not silently redirect `make run` / `make test`.
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def env_fraction(name: str, default: float) -> float:
    """A float in [0, 1] from the environment; a value outside fails loudly at start-up."""
    value = env.float(name, default=default)
    if not 0.0 <= value <= 1.0:
        raise ImproperlyConfigured(f"{name} must be between 0 and 1, got {value}")
    return value


DEBUG = env.bool("DEBUG", default=True)
# The repository's throw-away keys: only a developer (DEBUG on, local hosts) may use them.
BUILTIN_SECRET_KEY = "insecure-embedded-default-key-do-not-use-in-production"
BUILTIN_JWT_SIGNING_KEY = "insecure-embedded-jwt-signing-key-do-not-use-in-production"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "testserver", "::1", "[::1]"})
SECRET_KEY = env.str("SECRET_KEY", default=BUILTIN_SECRET_KEY)
# Access/refresh tokens are signed with their own secret: leaking one key does not forge the other's output.
JWT_SIGNING_KEY = env.str("JWT_SIGNING_KEY", default=BUILTIN_JWT_SIGNING_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])


def refuse_builtin_keys(
    *, secret_key: str, jwt_signing_key: str, debug: bool, allowed_hosts: list[str]
) -> None:
    """Fail at start-up when a key written in the repository would sign anything off a developer's machine.

    Anyone can read the built-in keys, so with them a session cookie or an admin JWT can be forged. They are
    accepted only with DEBUG on and every allowed host local (``make run``, the tests).
    """
    developer = debug and bool(allowed_hosts) and set(allowed_hosts) <= LOCAL_HOSTS
    if developer:
        return
    for name, value, builtin in (
        ("SECRET_KEY", secret_key, BUILTIN_SECRET_KEY),
        ("JWT_SIGNING_KEY", jwt_signing_key, BUILTIN_JWT_SIGNING_KEY),
    ):
        if not value or value == builtin or value.startswith("insecure-"):
            raise ImproperlyConfigured(
                f"{name} must be set in the environment: the built-in key is only for DEBUG on local hosts"
            )


refuse_builtin_keys(
    secret_key=SECRET_KEY, jwt_signing_key=JWT_SIGNING_KEY, debug=DEBUG, allowed_hosts=ALLOWED_HOSTS
)
# Demo logins (published passwords): created by `bootstrap` by default while developing, on request
# (`--demo`) under these settings otherwise, and never under production settings (production.py).
DEMO_ACCOUNTS_ALLOWED = True
DEMO_ACCOUNTS_BY_DEFAULT = DEBUG
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
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "django_celery_beat",
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "swingtrade.accounts",
    "swingtrade.audit",
    "market",
    "mlcore",
    "portfolio",
    "swingtrade.web",
]

MIDDLEWARE = [
    "swingtrade.middleware.RequestLogMiddleware",
    "swingtrade.middleware.NulCharacterGuardMiddleware",
    "swingtrade.middleware.ContentSecurityPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before common: the page language from the cookie, then Accept-Language, else French.
    "swingtrade.web.i18n.SiteLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Makes the request (and so its user, JWT ones included once DRF authenticates) the audit actor.
    "swingtrade.audit.middleware.AuditActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "swingtrade.market_date.MarketDateMiddleware",
    # Last, as django-axes requires: turns a lockout on the login form or admin into the 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "swingtrade.urls"
WSGI_APPLICATION = "swingtrade.wsgi.application"
ASGI_APPLICATION = "swingtrade.asgi.application"

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
                # The prediction gate for templates/_gate_banner.html.
                "mlcore.context_processors.prediction_gate",
                "swingtrade.market_date.market_date_context",
            ],
            # Number formatting filters of the web pages (pct, signed, money), usable without {% load %}.
            "builtins": ["swingtrade.web.templatetags.web"],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the dev server read while an eager task writes; a timeout avoids "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"timeout": 30, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # The web service sets it (docker-compose.yml): the WSGI server kills no request, so a runaway query
    # is cut by PostgreSQL. 0 (the default, and the Celery worker's) is no limit.
    statement_timeout_ms = env.int("DB_STATEMENT_TIMEOUT_MS", default=0)
    if statement_timeout_ms > 0:
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"-c statement_timeout={statement_timeout_ms}"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# AxesStandaloneBackend first: a locked-out (username, IP) pair is refused before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# The site speaks French first (its users are French retail investors) and English on request: the
# switcher in the page header stores the choice in the ``django_language`` cookie. The JSON API keeps
# English unless the client asks otherwise (swingtrade.web.i18n.SiteLocaleMiddleware).
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date format per language (swingtrade/formats/<lang>/formats.py).
FORMAT_MODULE_PATH = ["swingtrade.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
# Trained model artefacts (joblib files) live here, one file per model version.
MODEL_ARTIFACT_DIR = Path(env.str("MODEL_ARTIFACT_DIR", default=str(VAR_DIR / "models")))

# --- Models (mlcore) ------------------------------------------------------------------------
MLCORE_DEFAULT_ALGORITHM = env.str("MLCORE_DEFAULT_ALGORITHM", default="ridge")
MLCORE_HORIZON_DAYS = env.int("MLCORE_HORIZON_DAYS", default=5)  # label horizon, trading days
# Walk-forward: a refit every MLCORE_TEST_DAYS dates, the first once MLCORE_MIN_TRAIN_DAYS exist.
MLCORE_TEST_DAYS = env.int("MLCORE_TEST_DAYS", default=252)
MLCORE_MIN_TRAIN_DAYS = env.int("MLCORE_MIN_TRAIN_DAYS", default=252)
# Promotion policy (mlcore/evaluation/promotion.py): a challenger replaces the champion when the HAC t-stat
# of its per-date rank IC minus the champion's, on the same dates, exceeds this; a model whose own OOS
# rank IC t-stat is below it has "no demonstrated edge" and serves with reliability 0.
MLCORE_PROMOTION_MIN_T = env.float("MLCORE_PROMOTION_MIN_T", default=2.0)
# Share of the universe on each side of the ranking (top = buy, bottom = sell/short).
MLCORE_SIDE_FRACTION = env_fraction("MLCORE_SIDE_FRACTION", 0.2)
# The evaluator's long-short backtest charges the costs of this portfolio.costs preset (commission at
# the typical order size below, spread from each ticker's volatility, borrow on shorts) ...
MLCORE_BACKTEST_COST_PRESET = env.str("MLCORE_BACKTEST_COST_PRESET", default="french-online")
MLCORE_BACKTEST_ORDER_NOTIONAL = env.float("MLCORE_BACKTEST_ORDER_NOTIONAL", default=10_000.0)
# ... unless a flat cost per unit of turnover is forced here (0.001 = 10 bp; then no borrow is charged).
MLCORE_COST_PER_TURNOVER = (
    env_fraction("MLCORE_COST_PER_TURNOVER", 0.001)
    if env.str("MLCORE_COST_PER_TURNOVER", default="")
    else None
)
# Native (OpenMP/BLAS) threads per model fit; 1 avoids OpenMP spin-waiting on a shared small host.
MLCORE_FIT_THREADS = env.int("MLCORE_FIT_THREADS", default=1)

# --- Cache (locks, alert rate limits, rankings, JWT users) -------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # Django's Redis backend, reusing its Redis client (swingtrade/cache.py: measured, per request).
    CACHES = {
        "default": {
            "BACKEND": "swingtrade.cache.RedisCache",
            "LOCATION": REDIS_URL,
            # A dead Redis must cost a request half a second at most (the cache then reads as a miss).
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Brute-force protection (django-axes; swingtrade/accounts/lockout.py explains the back-off) ----
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# Counters live where every web process sees them: Redis when configured, else the database.
AXES_HANDLER = (
    "axes.handlers.cache.AxesCacheHandler" if REDIS_URL else "axes.handlers.database.AxesDatabaseHandler"
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
LOCKOUT_BASE_SECONDS = env.int("LOCKOUT_BASE_SECONDS", default=60)
LOCKOUT_MAX_SECONDS = env.int("LOCKOUT_MAX_SECONDS", default=3600)
AXES_COOLOFF_TIME = "swingtrade.accounts.lockout.cool_off"
AXES_LOCKOUT_CALLABLE = "swingtrade.accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
# The client address is the socket's unless a proxy is declared: a forged X-Forwarded-For must not give
# a guesser a fresh counter per request. Behind a proxy, name its header (e.g. HTTP_X_FORWARDED_FOR).
AXES_IPWARE_META_PRECEDENCE_ORDER = env.list("AXES_IP_HEADERS", default=["REMOTE_ADDR"])
AXES_IPWARE_PROXY_COUNT = env.int("AXES_IPWARE_PROXY_COUNT", default=0) or None

# --- Celery ---------------------------------------------------------------------------
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
else:
    # Embedded default: no broker, every task runs in the calling process.
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# Fault recovery (issue 12): a task is acknowledged only when it ends, so a killed worker's task goes back to
# the queue; Redis hands it out again once the visibility timeout passes, set just above the hard time limit
# (no live task is ever handed out twice). Runs still `running` past the limit + STALE_RUN_GRACE_SECONDS
# are failed by the `market.fail_interrupted_runs` sweep every minute.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
STALE_RUN_GRACE_SECONDS = env.int("STALE_RUN_GRACE_SECONDS", default=60)
# Publishing from a request must fail fast when the broker is down (JSON 503 within 2 s), not retry for ~20 s.
CELERY_BROKER_CONNECTION_TIMEOUT = 1.0
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_TASK_TIME_LIMIT + 30,
    "socket_connect_timeout": 1,
    "socket_timeout": 5,
    "max_retries": 0,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {"max_retries": 0, "interval_start": 0}}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
CELERY_REDIS_SOCKET_TIMEOUT = 5
CELERY_BEAT_SCHEDULE = {
    "fail-interrupted-runs": {"task": "market.fail_interrupted_runs", "schedule": 60.0},
}
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_IMPORTS = ["portfolio.replay.tasks"]  # tasks outside an app's tasks.py (the replay's fan-out)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Market data ingestion ----------------------------------------------------------------
# A one-day move beyond this (split-neutral, as a fraction) is flagged for review, not dropped.
# The market clock (market/clock.py): empty = live; an ISO date pins "today" (demo, replay).
MARKET_CLOCK_DATE = env.str("MARKET_CLOCK_DATE", default="") or None
MARKET_MAX_DAILY_MOVE = env.float("MARKET_MAX_DAILY_MOVE", default=0.5)
# An unconfirmed price break in prices without adjusted closes (flag `unadjusted_break`) keeps its
# ticker out of scoring and optimisation until this many of its bars are stored after it, unless an
# admin confirms it first. 252 = mlcore's longest feature lookback (features.MAX_LOOKBACK).
MARKET_BREAK_HOLD_SESSIONS = env.int("MARKET_BREAK_HOLD_SESSIONS", default=252)
# Rejected/flagged rows stored per run (counts stay exact beyond it): a broken file must not flood the db.
MARKET_MAX_STORED_ISSUES = env.int("MARKET_MAX_STORED_ISSUES", default=5000)
# Tickers per Yahoo download and per fanned-out Celery chunk.
MARKET_YAHOO_CHUNK_SIZE = env.int("MARKET_YAHOO_CHUNK_SIZE", default=50)
MARKET_YAHOO_THREADS = env.int("MARKET_YAHOO_THREADS", default=4)
# The daily update re-reads this many days before each chunk's last bar, to pick up vendor corrections.
MARKET_YAHOO_LOOKBACK_DAYS = env.int("MARKET_YAHOO_LOOKBACK_DAYS", default=7)

# --- Portfolio optimisation ---------------------------------------------------------------
# Daily returns in the shrinkage covariance window, and its estimator ("ledoit_wolf" or "oas").
OPTIMIZE_COVARIANCE_WINDOW = env.int("OPTIMIZE_COVARIANCE_WINDOW", default=252)
OPTIMIZE_COVARIANCE_ESTIMATOR = env.str("OPTIMIZE_COVARIANCE_ESTIMATOR", default="ledoit_wolf")
# λ of mean-variance (horizon units) when the request does not override it; points on the frontier.
OPTIMIZE_RISK_AVERSION = env.float("OPTIMIZE_RISK_AVERSION", default=5.0)
OPTIMIZE_FRONTIER_POINTS = env.int("OPTIMIZE_FRONTIER_POINTS", default=12)
# 0: the exact Ledoit-Wolf Σ (low rank + diagonal, 0.5 s at 500 assets, see bench/optimize.py). K > 0: above
# K assets, solve with its K-factor statistical approximation instead (faster, approximate weights).
OPTIMIZE_MAX_FACTORS = env.int("OPTIMIZE_MAX_FACTORS", default=0)
# The frontier chart re-solves once per point: above this many assets it is traced on this many
# principal factors (the optimum itself stays exact); 0 traces it exactly.
OPTIMIZE_FRONTIER_FACTORS = env.int("OPTIMIZE_FRONTIER_FACTORS", default=60)
# A whole-share trade must add at least this much expected value (money, net of its cost).
OPTIMIZE_MIN_NET_BENEFIT = env.float("OPTIMIZE_MIN_NET_BENEFIT", default=1.0)

# --- French taxes (dated: portfolio.tax.rates applies the row in force on each date) -------------
# Financial transaction tax (TTF) on purchases of French shares of companies above the threshold:
# 0.2 % from its creation on 2012-08-01, 0.3 % from 2017-01-01, 0.4 % from 2025-04-01 (loi de finances 2025).
TAX_FTT_RATES = [("1970-01-01", 0.0), ("2012-08-01", 0.002), ("2017-01-01", 0.003), ("2025-04-01", 0.004)]
TAX_FTT_MARKET_CAP_THRESHOLD_EUR = 1_000_000_000
# Flat tax (PFU) on net realised gains: (from, income tax, social levies). The PFU exists since
# 2018-01-01; before it the tax depended on the household's bracket, which the product does not know, so
# earlier years (replays) are taxed at the 2018 PFU as a stated stand-in (docs/advice.md).
TAX_PFU_RATES = [("1970-01-01", 0.128, 0.172), ("2018-01-01", 0.128, 0.172)]
# A year's net loss offsets the net gains of the next ten years, then expires.
TAX_LOSS_CARRY_YEARS = 10

# --- Default advice (docs/advice.md) ---------------------------------------------------------
# Risk is valued over this many sessions (a year: the advice is a holding, not a 5-day trade), with
# utility = tilt'w - ADVICE_RISK_AVERSION x variance - costs - tax. 2.5 is a textbook mean-variance
# investor (relative risk aversion 5), fixed before any replay, never fitted to one.
ADVICE_RISK_HORIZON_DAYS = env.int("ADVICE_RISK_HORIZON_DAYS", default=252)
ADVICE_RISK_AVERSION = env.float("ADVICE_RISK_AVERSION", default=2.5)
# Daily digest e-mail (opt-in per user), sent after the New York close.
DIGEST_SUBJECT_PREFIX = env.str("DIGEST_SUBJECT_PREFIX", default="[SwingTrade] ")

# --- E-mail -----------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="SwingTrade <alerts@swingtrade.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Model monitoring (docs/monitoring.md explains every default) ---------------------------
# Base URL put in alert e-mails so the report link is clickable outside the site.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# Defaults of the MonitoringThresholds row; administrators edit the row itself (admin or API).
MONITORING_DEFAULTS = {
    "short_window": env.int("MONITORING_SHORT_WINDOW", default=20),
    "long_window": env.int("MONITORING_LONG_WINDOW", default=60),
    "min_dates": env.int("MONITORING_MIN_DATES", default=10),
    "warn_t": env.float("MONITORING_WARN_T", default=2.0),
    "critical_t": env.float("MONITORING_CRITICAL_T", default=2.5),
    "psi_threshold": env.float("MONITORING_PSI_THRESHOLD", default=0.25),
    "drift_share_warn": env_fraction("MONITORING_DRIFT_SHARE_WARN", 0.5),
    "stale_warn_sessions": env.int("MONITORING_STALE_WARN_SESSIONS", default=1),
    "stale_critical_sessions": env.int("MONITORING_STALE_CRITICAL_SESSIONS", default=5),
    "coverage_warn": env_fraction("MONITORING_COVERAGE_WARN", 0.9),
    "coverage_critical": env_fraction("MONITORING_COVERAGE_CRITICAL", 0.5),
    "retrain_on_critical": env.bool("MONITORING_RETRAIN_ON_CRITICAL", default=True),
    "training_window": env.str("MONITORING_TRAINING_WINDOW", default="expanding"),
    "training_window_years": env.int("MONITORING_TRAINING_WINDOW_YEARS", default=3),
    "alert_max_emails": env.int("MONITORING_ALERT_MAX_EMAILS", default=3),
    "alert_window_hours": env.int("MONITORING_ALERT_WINDOW_HOURS", default=24),
    "override_max_hours": env.int("MONITORING_OVERRIDE_MAX_HOURS", default=72),
}

# --- REST API -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # simplejwt's JWTAuthentication with the user row and roles cached (swingtrade/authentication.py).
        "swingtrade.authentication.CachedUserJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "swingtrade.api.Pagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "swingtrade.api.exception_handler",
    # Refuses over-deep JSON and NUL characters with a 400 (see swingtrade.parsers).
    "DEFAULT_PARSER_CLASSES": [
        "swingtrade.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # orjson: the JSON body without the stdlib encoder's per-object Python work (swingtrade/renderers.py).
    "DEFAULT_RENDERER_CLASSES": [
        "swingtrade.renderers.ORJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_THROTTLE_RATES": {"auth": env.str("AUTH_THROTTLE_RATE", default="30/min")},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_SCHEMA_CLASS": "swingtrade.schema.AutoSchema",
}
# OpenAPI 3 at /api/v1/schema/, Swagger UI and ReDoc from the bundled sidecar (nothing fetched elsewhere).
SPECTACULAR_SETTINGS = {
    "TITLE": "SwingTrade API",
    "DESCRIPTION": (
        "Swing-trading decisions from daily closes for retail investors. Authenticate with a JWT from "
        "`POST /api/v1/auth/token/` (`Authorization: Bearer <access>`). Every error is the JSON body "
        "`ErrorBody`. Rankings and proposals are model outputs, not investment advice."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per choice set shared by several fields, so that the schema builds without a warning:
    # tests/security/test_schema.py fails on any warning (a new untyped view, an unresolved field), and so
    # does `check --deploy --fail-level WARNING` (drf-spectacular's deploy check is on again).
    "ENUM_NAME_OVERRIDES": {
        "IngestionSourceEnum": "market.models.IngestionRun.Source",
        "IngestionRunStatusEnum": "market.models.IngestionRun.Status",
        "ModelVersionStatusEnum": "mlcore.models.ModelVersion.Status",
        "TrainingJobStatusEnum": "mlcore.models.TrainingJob.Status",
        "ProposalStatusEnum": "portfolio.models.OrderProposal.Status",
        "TrainingWindowEnum": "mlcore.models.ModelVersion.Window",
        "MonitoringStateEnum": "mlcore.monitoring.models.STATE_CHOICES",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "swingtrade.schema.add_error_responses",
    ],
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "SIGNING_KEY": JWT_SIGNING_KEY,
    "ALGORITHM": "HS256",
}

# --- Logging: one JSON line per record on stdout ------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "swingtrade.logging.RequestContextFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "ts", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
            "filters": ["request_context"],
        },
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        # Replaces Django's own console handler, so an error is logged once, as JSON, with its request id.
        "django": {"handlers": ["stdout"], "level": LOG_LEVEL, "propagate": False},
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        "swingtrade": {"level": LOG_LEVEL},
    },
}

# --- Content-Security-Policy (swingtrade.middleware.ContentSecurityPolicyMiddleware) -----------------
# Nothing external, no inline script; inline style attributes only (style-src-attr).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# /healthz details (each part's state, latency, errors) for staff or callers sending this token in
# the X-Health-Token header; anonymous callers get only up/down.
HEALTHZ_TOKEN = env.str("HEALTHZ_TOKEN", default="")

# Serve static files straight from the apps while developing; production serves collectstatic's output.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
