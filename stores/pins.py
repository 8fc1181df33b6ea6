"""Staff PINs: salted, slow hashes (Django's PBKDF2 hasher), checked on the node.

A PIN hash is made once where the PIN is set (HQ's admin, or a manager's reset
at the store) and travels to the store's nodes inside a signed or store-bound
change; the PIN itself never leaves the request that set it, and nothing shows
it again.

A 4-digit PIN falls to an offline search whatever the hash, so the slow hash
guards a leaked database or change log only against cheap bulk guessing; the
live defence stays the wrong-PIN throttle (security/throttle.py). The
iteration count is far below a password's so that checking a PIN against
every active staff member of a store answers a tablet in well under a second;
a PIN that matched once is remembered per process (keyed by a keyed digest,
never the PIN) so the next login costs one hash.

Rows from before PINs were hashed this way held ``HMAC(SECRET_KEY, store:pin)``;
the migration wrapped that digest in the slow hash (``pin_hmac_pbkdf2_sha256``),
so those PINs keep working on the node that made them.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher

PIN_MIN, PIN_MAX = 4, 8


class PinHasher(PBKDF2PasswordHasher):
    algorithm = "pin_pbkdf2_sha256"
    iterations = 20_000


class LegacyPinHasher(PinHasher):
    """The slow hash of an old HMAC digest of the PIN (see the module docstring)."""

    algorithm = "pin_hmac_pbkdf2_sha256"


_HASHERS = {h.algorithm: h() for h in (PinHasher, LegacyPinHasher)}


class BadPin(ValueError):
    """Not a PIN: 4 to 8 digits."""


def pin_valid(pin: str) -> str:
    """``pin`` when it is 4 to 8 ASCII digits, else BadPin."""
    if not (PIN_MIN <= len(pin) <= PIN_MAX and pin.isascii() and pin.isdigit()):
        raise BadPin(f"a PIN is {PIN_MIN} to {PIN_MAX} digits")
    return pin


def pin_make(pin: str) -> str:
    """The salted slow hash to store for ``pin`` (validated)."""
    hasher = _HASHERS[PinHasher.algorithm]
    return hasher.encode(pin_valid(pin), hasher.salt())


def legacy_digest(store: str, pin: str) -> str:
    """The digest rows held before PINs were hashed (keyed by this node's SECRET_KEY)."""
    return hmac.new(settings.SECRET_KEY.encode(), f"{store}:{pin}".encode(), hashlib.sha256).hexdigest()


def legacy_wrap(digest: str) -> str:
    """An old row's digest, wrapped in the slow hash (the migration)."""
    hasher = _HASHERS[LegacyPinHasher.algorithm]
    return hasher.encode(digest, hasher.salt())


def pin_matches(*, store: str, pin: str, encoded: str) -> bool:
    """Whether ``pin`` is the PIN hashed in ``encoded`` (False for an empty or unknown hash)."""
    hasher = _HASHERS.get(encoded.split("$", 1)[0]) if encoded else None
    if hasher is None:
        return False
    secret = legacy_digest(store, pin) if isinstance(hasher, LegacyPinHasher) else pin
    return hasher.verify(secret, encoded)


def pin_memo_key(store: str, pin: str) -> str:
    """The per-process memo's key for a PIN that matched: keyed, so a memory dump does not list PINs."""
    return hmac.new(settings.SECRET_KEY.encode(), f"pin memo:{store}:{pin}".encode(), hashlib.sha256).hexdigest()
