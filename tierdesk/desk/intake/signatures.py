"""Webhook authentication: Twilio's request signature and tierdesk's RMM signature.

Twilio (voice): `X-Twilio-Signature` is base64(HMAC-SHA1(auth token, URL + the POST
parameters sorted by name, each name immediately followed by its value)). The URL is the one
Twilio was configured with, query string included.

RMM alerts: `X-Tierdesk-Signature: sha256=<hex>` where hex = HMAC-SHA256(secret,
`<X-Tierdesk-Timestamp>` + "." + raw body), the timestamp being Unix seconds. A timestamp more
than `RMM_TOLERANCE_SECONDS` away from now (old or in the future) is refused, so a captured
request cannot be replayed later; within the window the alert's dedupe key catches replays.

Secrets come from Django settings or, failing that, the environment:
`TWILIO_AUTH_TOKEN` and `TIERDESK_RMM_SECRET`. With no secret configured every request is
refused (an unauthenticated webhook would let anyone open tickets).
"""

import base64
import hashlib
import hmac
import os
from collections.abc import Iterable
from datetime import datetime

RMM_TOLERANCE_SECONDS = 300


def secret_setting(name: str) -> str:
    """A secret from Django settings or the environment ("" when unset)."""
    from django.conf import settings

    return str(getattr(settings, name, "") or os.environ.get(name, "") or "")


# --- Twilio ----------------------------------------------------------------------------------


def twilio_signature(*, url: str, params: Iterable[tuple[str, str]], token: str) -> str:
    """The X-Twilio-Signature Twilio sends for a POST of `params` to `url`."""
    # Sorted by name; repeated names keep their values' order sorted too, as Twilio does.
    payload = url + "".join(f"{name}{value}" for name, value in sorted(params))
    digest = hmac.new(token.encode(), payload.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def twilio_signature_valid(*, urls: Iterable[str], params: Iterable[tuple[str, str]],
                           signature: str, token: str) -> bool:
    """True when `signature` matches for one of `urls` (the public URL may be known in more
    than one spelling behind a proxy: the configured SITE_URL and the request's own)."""
    if not token or not signature:
        return False
    params = list(params)
    return any(
        hmac.compare_digest(twilio_signature(url=url, params=params, token=token), signature)
        for url in dict.fromkeys(urls)
    )


# --- RMM -------------------------------------------------------------------------------------


class SignatureError(Exception):
    """The request is not authentic or not fresh; `str(exc)` is the recorded reason."""


def rmm_signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """The header value `sha256=<hex>` for `body` sent at `timestamp` (Unix seconds)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def rmm_verify(*, secret: str, timestamp: str, signature: str, body: bytes,
               now: datetime) -> None:
    """Raise SignatureError unless the request is signed with `secret` and fresh."""
    if not secret:
        raise SignatureError("TIERDESK_RMM_SECRET is not configured; alerts are refused")
    if not timestamp:
        raise SignatureError("missing X-Tierdesk-Timestamp header")
    if not signature:
        raise SignatureError("missing X-Tierdesk-Signature header")
    try:
        sent = int(timestamp.strip())
    except ValueError:
        raise SignatureError(
            f"X-Tierdesk-Timestamp {timestamp[:40]!r} is not Unix seconds") from None
    expected = rmm_signature(secret=secret, timestamp=timestamp.strip(), body=body)
    if not hmac.compare_digest(expected, signature.strip()):
        raise SignatureError("bad signature")
    skew = now.timestamp() - sent
    if skew > RMM_TOLERANCE_SECONDS:
        raise SignatureError(f"timestamp too old ({int(skew)} s; the limit is "
                             f"{RMM_TOLERANCE_SECONDS} s)")
    if skew < -RMM_TOLERANCE_SECONDS:
        raise SignatureError(f"timestamp in the future ({int(-skew)} s ahead)")
