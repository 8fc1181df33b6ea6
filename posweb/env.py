"""Typed readers for environment variables that fail loudly on a bad value.

Modelled on healthchecks' ``envbool``/``envint``: a typo in a deployment's
environment must stop the node at start-up, not surface as odd behaviour at
lunch time.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str) -> list[str]:
    """Comma-separated values, blanks dropped."""
    return [part.strip() for part in os.environ.get(name, "").split(",") if part.strip()]


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    value = env_str(name, default) or default
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def env_url_list(name: str) -> list[str]:
    """Base URLs, validated and without a trailing slash."""
    urls = []
    for url in env_list(name):
        if not url.startswith(("http://", "https://")):
            raise ImproperlyConfigured(f"{name}: {url!r} is not an http(s) base URL")
        urls.append(url.rstrip("/"))
    return urls


def env_secret(name: str, default: str = "") -> str:
    """A secret from NAME, or from the file named by NAME_FILE (Docker/systemd
    credentials), so that it never has to sit in a committed file or a process
    listing. Setting both is a mistake and stops the node."""
    path = os.environ.get(f"{name}_FILE", "").strip()
    if path and os.environ.get(name, "").strip():
        raise ImproperlyConfigured(f"set {name} or {name}_FILE, not both")
    if not path:
        return env_str(name, default)
    try:
        with open(path, encoding="utf-8") as fh:
            value = fh.read().strip()
    except OSError as exc:
        raise ImproperlyConfigured(f"{name}_FILE: cannot read {path!r} ({exc.strerror})") from None
    if not value:
        raise ImproperlyConfigured(f"{name}_FILE: {path!r} is empty")
    return value
