"""Secrets carried in links: capability tokens for roles and personal resume links."""

import hashlib
import hmac
import secrets


def new_token():
    """Return a fresh URL-safe secret of 144 random bits."""
    return secrets.token_urlsafe(18)


def digest(token):
    """Return the SHA-256 hex digest stored in place of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def matches(token, stored_digest):
    """Tell, in constant time, whether a token is the one whose digest is stored."""
    if not token or not stored_digest:
        return False
    return hmac.compare_digest(digest(token), stored_digest)
