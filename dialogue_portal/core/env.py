"""Small typed readers for settings that come from environment variables.

Each raises ImproperlyConfigured on a value it cannot read, so a typo in a
deployment fails at start-up instead of at the first request.
"""

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Required, TypedDict
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off", ""}


class DatabaseSettings(TypedDict, total=False):
    """One entry of settings.DATABASES: what ``parse_database_url`` reads from a URL, and the
    keys settings.py adds to it (connection age, a replica's test mirror). OPTIONS holds the
    URL's query string, then the driver's options settings.py sets (numbers among them)."""

    ENGINE: Required[str]
    NAME: Required[str | Path]
    USER: str
    PASSWORD: str
    HOST: str
    PORT: str
    OPTIONS: Required[dict[str, object]]
    CONN_MAX_AGE: int
    CONN_HEALTH_CHECKS: bool
    TEST: dict[str, str]


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None


def env_list(name: str, default: Iterable[str] = ()) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_site_url(name: str, default: str) -> str:
    """An origin: ``http(s)://host[:port]``, a trailing slash dropped, nothing else after it.

    Absolute links are this followed by a path, so a path, query, fragment or user name here
    would end up in every one of them."""
    raw = os.environ.get(name)
    value = (default if raw is None or raw.strip() == "" else raw.strip()).rstrip("/")
    parts = urlsplit(value)
    try:
        parts.port  # noqa: B018 (raises ValueError on a port that is not a number)
        well_formed = (
            parts.scheme in ("http", "https")
            and bool(parts.hostname)
            and "@" not in parts.netloc
            and not any(mark in value.split("://", 1)[-1] for mark in "/?#")
        )
    except ValueError:
        well_formed = False
    if not well_formed:
        raise ImproperlyConfigured(
            f"{name} must be the site's origin, like https://portal.example.org, not {raw!r}"
        )
    return value


def parse_database_url(url: str, *, base_dir: Path) -> DatabaseSettings:
    """Turn ``sqlite:///path`` or ``postgres://user:pass@host:port/name`` into a DATABASES entry."""
    parts = urlsplit(url)
    options: dict[str, object] = dict(parse_qsl(parts.query))
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        if path in ("", "/"):
            raise ImproperlyConfigured("DATABASE_URL for SQLite needs a file path")
        # sqlite:///name is relative to the project, sqlite:////abs/name is absolute.
        name: str | Path = Path(path[1:]) if path.startswith("//") else base_dir / path.lstrip("/")
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": name, "OPTIONS": options}
    if parts.scheme in ("postgres", "postgresql", "pgsql"):
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured("DATABASE_URL for PostgreSQL needs a database name")
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "OPTIONS": options,
        }
    raise ImproperlyConfigured(
        f"DATABASE_URL scheme {parts.scheme!r} is not supported (use sqlite or postgres)"
    )
