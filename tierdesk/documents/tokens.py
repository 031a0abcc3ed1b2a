"""Signing-link tokens: random, shown once, stored only as their SHA-256.

A database dump therefore holds nothing that opens a signing page, and a forged token
simply matches no row.
"""

import hashlib
import secrets


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_new() -> tuple[str, str]:
    """A fresh token and its SHA-256 (the only part to store)."""
    token = secrets.token_urlsafe(32)
    return token, token_sha256(token)
