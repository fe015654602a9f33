"""Configuration classes. Everything a deployment changes comes from the environment;
the defaults work with zero set-up (SQLite in ./instance)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in {"true", "yes", "on"}:
        return 1
    if value in {"false", "no", "off"}:
        return 0
    try:
        number = int(value)
    except ValueError:
        raise RuntimeError(f"{name} must be a whole number, not {value!r}") from None
    if number < 0:
        raise RuntimeError(f"{name} must be 0 or more, not {number}")
    return number


def _secret_key() -> str:
    """Use SECRET_KEY if set; otherwise keep a generated one in instance/ so sessions
    survive restarts on a developer machine without any set-up."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = BASE_DIR / "instance" / "secret_key"
    path.parent.mkdir(exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()


def _base_url() -> str:
    """The address people reach Ponte at: every link in every message is built on it,
    never on the Host header of the request that caused the message."""
    url = os.environ.get("PONTE_BASE_URL", "").strip().rstrip("/")
    if not url:
        return f"http://127.0.0.1:{os.environ.get('PORT', '5000')}"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RuntimeError(f"PONTE_BASE_URL must look like https://ponte.example.org, not {url!r}")
    return url


def _trusted_hosts(base_url: str) -> list[str]:
    """Host names the app answers to (anything else gets 400 before any view runs):
    PONTE_TRUSTED_HOSTS, or the base URL's host plus the loopback names."""
    listed = [h.strip() for h in os.environ.get("PONTE_TRUSTED_HOSTS", "").split(",")]
    hosts = [h for h in listed if h]
    if not hosts:
        hosts = [urlsplit(base_url).hostname or "localhost", "localhost", "127.0.0.1"]
    return list(dict.fromkeys(hosts))


class Config:
    SECRET_KEY = _secret_key()
    PUBLIC_BASE_URL = _base_url()
    TRUSTED_HOSTS = _trusted_hosts(PUBLIC_BASE_URL)
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'ponte.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    # Over https the cookie is "__Host-" prefixed: the browser then refuses it unless it
    # is Secure, for this exact host and path /, so no sibling domain can set or read it.
    SESSION_COOKIE_NAME = "__Host-ponte-session" if SESSION_COOKIE_SECURE else "ponte-session"
    REMEMBER_COOKIE_HTTPONLY = True
    # The largest request body accepted (413 beyond): the biggest real form, a volunteer's
    # sign-up with every row filled, is under 20 kB; nothing is uploaded.
    MAX_CONTENT_LENGTH = _env_int("PONTE_MAX_REQUEST_BYTES", 1024 * 1024)
    WTF_CSRF_TIME_LIMIT = None  # a phone call can outlast an hour; the token is per session
    BABEL_DEFAULT_LOCALE = os.environ.get("PONTE_DEFAULT_LOCALE", "en")
    BABEL_DEFAULT_TIMEZONE = os.environ.get("PONTE_TIMEZONE", "Europe/Rome")
    LANGUAGES = ("en", "it")
    # Geocoding chain: cache -> gazetteer -> Nominatim (off unless enabled).
    NOMINATIM_ENABLED = _env_bool("PONTE_NOMINATIM", False)
    NOMINATIM_USER_AGENT = os.environ.get("PONTE_NOMINATIM_USER_AGENT", "ponte-deployment")
    NOMINATIM_DOMAIN = os.environ.get("PONTE_NOMINATIM_DOMAIN", "nominatim.openstreetmap.org")
    # http only for a local Nominatim (the tests run a fake one on 127.0.0.1).
    NOMINATIM_SCHEME = os.environ.get("PONTE_NOMINATIM_SCHEME", "https")
    NOMINATIM_TIMEOUT = float(os.environ.get("PONTE_NOMINATIM_TIMEOUT", "5"))
    # The public server allows one request per second; a self-hosted one may allow more.
    NOMINATIM_MIN_DELAY = float(os.environ.get("PONTE_NOMINATIM_MIN_DELAY", "1"))
    # The map where a coordinator places a pin: a tile server URL template ({z}/{x}/{y};
    # {s} for subdomains) and its attribution. Empty: no tiles, the map is a plain
    # background with the town's known addresses as dots (works offline). The public
    # OpenStreetMap server suits light use only (its tile usage policy).
    MAP_TILES = os.environ.get("PONTE_MAP_TILES", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    MAP_ATTRIBUTION = os.environ.get("PONTE_MAP_ATTRIBUTION", "&copy; OpenStreetMap contributors")
    # Behind a reverse proxy: how many proxies to trust for X-Forwarded-For/-Proto/-Host
    # (0 = none). Without it, every client seems to come from the proxy's address and
    # login throttling per address would lock everyone out together.
    PROXY_FIX = _env_int("PONTE_PROXY_FIX", 0)
    # HTTP Strict Transport Security on answers sent over https (max-age, seconds).
    HSTS_SECONDS = _env_int("PONTE_HSTS_SECONDS", 31536000)
    # Server-side session lifetimes, by who is logged in (docs/security.md says why):
    # staff (coordinators, admins) read health notes at a desk; members use a phone.
    SESSION_IDLE_MINUTES_STAFF = _env_int("PONTE_SESSION_IDLE_MINUTES_STAFF", 30)
    SESSION_MAX_HOURS_STAFF = _env_int("PONTE_SESSION_MAX_HOURS_STAFF", 12)
    SESSION_IDLE_MINUTES_MEMBER = _env_int("PONTE_SESSION_IDLE_MINUTES_MEMBER", 7 * 24 * 60)
    SESSION_MAX_HOURS_MEMBER = _env_int("PONTE_SESSION_MAX_HOURS_MEMBER", 30 * 24)
    # Personal API tokens stop working after this many days (a new one is one click).
    API_TOKEN_DAYS = _env_int("PONTE_API_TOKEN_DAYS", 90)
    # Roles that must use a second factor (TOTP) to log in; "" for none.
    SECOND_FACTOR_ROLES = tuple(
        r.strip()
        for r in os.environ.get("PONTE_SECOND_FACTOR_ROLES", "coordinator,admin").split(",")
        if r.strip()
    )
    # Sign-up and "forgot my password" answer after at least this long, whether or not
    # the address has an account (the work for one that has stays well under it).
    ACCOUNT_ANSWER_SECONDS = float(os.environ.get("PONTE_ACCOUNT_ANSWER_SECONDS", "0.6"))
    # Volunteers' boards kept rendered per web worker (shifts/board_cache.py), about
    # 20 KB each; 0: none.
    BOARD_CACHE_ENTRIES = _env_int("PONTE_BOARD_CACHE_ENTRIES", 500)
    # Volunteers' schedule cards kept rendered per web worker (shifts/schedule_cache.py),
    # about 10 KB each; 0: none.
    SCHEDULE_CACHE_ENTRIES = _env_int("PONTE_SCHEDULE_CACHE_ENTRIES", 500)
    # The coordinator's day and week tables kept rendered per web worker
    # (shifts/calendar_cache.py), per organisation, page and filter; 0: none.
    CALENDAR_CACHE_ENTRIES = _env_int("PONTE_CALENDAR_CACHE_ENTRIES", 200)
    # Members' statement pages and give-to lists kept drawn per web worker
    # (timebank/kept.py), about 10 KB each; 0: none.
    TIMEBANK_CACHE_ENTRIES = _env_int("PONTE_TIMEBANK_CACHE_ENTRIES", 500)
    # Match runs one organisation may have queued or running at once.
    MATCH_RUNS_PER_ORGANISATION = _env_int("PONTE_MATCH_RUNS_PER_ORGANISATION", 1)
    # Who solves match runs (docs/deploy.md, "Solve workers"): "local" (a child process
    # of the web server; no other service, the only choice on SQLite) or "procrastinate"
    # (a job on the PostgreSQL task queue, solved by `flask worker solve` processes on
    # any machine). Local unless set: a deployment that never started a solve worker
    # must not see its runs wait forever.
    MATCHRUN_QUEUE = os.environ.get("PONTE_MATCHRUN_QUEUE", "local").strip().lower() or "local"
    # A solve whose worker died (SIGKILL, out of memory, a lost machine) is retried on
    # another worker; after this many tries the run is marked failed instead.
    MATCHRUN_ATTEMPTS = _env_int("PONTE_MATCHRUN_ATTEMPTS", 2)
    # Solve workers: how often each one says it is alive, how long without a word
    # until its jobs count as stalled (retried elsewhere), how often each one sweeps
    # (stalled jobs, runs whose job was lost), and how long a run may stay queued with
    # no job before the sweep queues it again.
    QUEUE_HEARTBEAT_SECONDS = _env_int("PONTE_QUEUE_HEARTBEAT_SECONDS", 10)
    QUEUE_STALLED_SECONDS = _env_int("PONTE_QUEUE_STALLED_SECONDS", 60)
    QUEUE_SWEEP_SECONDS = _env_int("PONTE_QUEUE_SWEEP_SECONDS", 15)
    QUEUE_REQUEUE_SECONDS = _env_int("PONTE_QUEUE_REQUEUE_SECONDS", 30)
    # Login throttling (per account and per client address, stored in the database so
    # it holds across several web workers).
    LOGIN_FREE_FAILURES = int(os.environ.get("PONTE_LOGIN_FREE_FAILURES", "5"))
    LOGIN_MAX_DELAY_SECONDS = int(os.environ.get("PONTE_LOGIN_MAX_DELAY", "900"))
    # How long a "choose a new password" link in an e-mail works, and how many such
    # e-mails one account may be sent per hour (no mail-bombing through the form).
    PASSWORD_RESET_MAX_AGE = _env_int("PONTE_PASSWORD_RESET_MAX_AGE", 3600)
    PASSWORD_RESET_MAILS_PER_HOUR = 3
    # Requests of the form one client address may make before it is asked to wait for an
    # hour without one (stops a script walking through many addresses; a care home's
    # shared connection still has room for several residents).
    PASSWORD_RESET_REQUESTS_PER_ADDRESS = _env_int("PONTE_PASSWORD_RESET_PER_ADDRESS", 10)
    # Referrals from the public form per client address per hour (a pharmacy or a social
    # services office may send several a day; a script may not send hundreds).
    REFERRALS_PER_ADDRESS = _env_int("PONTE_REFERRALS_PER_ADDRESS", 10)
    # Mail
    MAIL_HOST = os.environ.get("SMTP_HOST", "127.0.0.1")
    MAIL_PORT = int(os.environ.get("SMTP_PORT", "25"))
    MAIL_USE_TLS = _env_bool("SMTP_STARTTLS", False)
    MAIL_USE_SSL = _env_bool("SMTP_SSL", False)
    MAIL_USERNAME = os.environ.get("SMTP_USERNAME")
    MAIL_PASSWORD = os.environ.get("SMTP_PASSWORD")
    MAIL_FROM = os.environ.get("MAIL_FROM", "Ponte <ponte@localhost>")
    # Save e-mails as .eml files in this folder instead of sending them (development).
    MAIL_FILE_DIR = os.environ.get("PONTE_MAIL_DIR")
    # "package.module:ClassName" of an SMS provider; None = the logging gateway.
    SMS_GATEWAY = os.environ.get("SMS_GATEWAY")


class TestConfig(Config):
    TESTING = True
    # Empty counts as unset: `make test` runs the SQLite pass with the variable emptied.
    SQLALCHEMY_DATABASE_URI = os.environ.get("PONTE_TEST_DATABASE_URL") or "sqlite://"
    SECRET_KEY = "test-secret-key"
    WTF_CSRF_ENABLED = True
    SERVER_NAME = None
    PUBLIC_BASE_URL = "https://ponte.example.org"
    TRUSTED_HOSTS = ["ponte.example.org", "localhost", "127.0.0.1"]
    # Most tests log coordinators in with a password only; tests/auth/test_two_factor.py
    # and the access matrix switch the production default back on.
    SECOND_FACTOR_ROLES: tuple[str, ...] = ()
    # No padding of sign-up and reset answers (tests/auth/test_account_enumeration.py
    # sets it to prove the floor holds).
    ACCOUNT_ANSWER_SECONDS = 0.0
    MAP_TILES = ""  # no network in tests: the offline map
