"""Secrets shown once and stored as a hash: ``ldr_3f9a1c2b_<43 random characters>``.

The visible prefix (``ldr_3f9a1c2b``) names the secret in lists and finds its row by a unique
index; only the SHA-256 of the whole secret is stored, compared in constant time. 256 bits of
randomness make a slow hash unnecessary (nobody can guess their way to a preimage).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass


@dataclass(frozen=True)
class NewSecret:
    prefix: str
    secret: str  # shown once, never stored
    digest: str  # stored


def new_secret(kind: str) -> NewSecret:
    """A fresh secret of ``kind`` (``ldr`` for API tokens, ``chk`` for check-in links)."""
    prefix = f"{kind}_{secrets.token_hex(4)}"
    secret = f"{prefix}_{secrets.token_urlsafe(32)}"
    return NewSecret(prefix, secret, digest_of(secret))


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def prefix_of(secret: str) -> str | None:
    """The visible prefix of a well-formed secret, or None for anything else."""
    parts = secret.strip().split("_", 2)
    if len(parts) != 3 or not parts[0].isalpha() or len(parts[1]) != 8:
        return None
    return f"{parts[0]}_{parts[1]}"


def matches(secret: str, digest: str) -> bool:
    return hmac.compare_digest(digest_of(secret.strip()), digest)
