"""Optional API keys: when keys are configured every route but health needs one.

Keys come as ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``, are compared in constant
time and never logged.
"""

from __future__ import annotations

import hmac

from fastapi import HTTPException, Request


def check_key(request: Request, keys: tuple[str, ...]) -> None:
    """Raise 401 without a key and 403 with a wrong one (no-op when no keys are configured)."""
    if not keys:
        return
    offered = request.headers.get("x-api-key") or _bearer(request.headers.get("authorization"))
    if not offered:
        raise HTTPException(401, "an API key is required", {"WWW-Authenticate": "Bearer"})
    if not any(hmac.compare_digest(offered.encode(), key.encode()) for key in keys):
        raise HTTPException(403, "the API key is not valid")


def _bearer(header: str | None) -> str | None:
    if header and header.lower().startswith("bearer "):
        return header[7:].strip()
    return None
