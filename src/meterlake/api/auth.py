"""API keys and roles: when keys are configured every route but health needs one.

Keys come as ``Authorization: Bearer <key>`` or ``X-API-Key: <key>`` and are never logged. Each
key has a role; ``required_role`` is the one table of what a route needs: ``reader`` for every
read, ``editor`` for VEE edits, ``admin`` for any other write (so a new write route is closed to
readers and editors until it is named here).
"""

from __future__ import annotations

from fastapi import HTTPException, Request

from meterlake.lake.keys import LOCAL, ROLES, KeyRing, Principal, Role

#: Reading methods: a reader may call them on every route.
READS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Writes an editor may make, as (method, route template).
EDITOR_WRITES = frozenset({("POST", "/v1/meters/{meter_id}/edits")})


def required_role(method: str, route: str) -> Role:
    """The least role that may call ``method`` on the route template ``route``."""
    if method.upper() in READS:
        return "reader"
    if (method.upper(), route) in EDITOR_WRITES:
        return "editor"
    return "admin"


def authenticate(request: Request, ring: KeyRing) -> Principal:
    """Whom the request is from: 401 without a valid key, 403 when its role is too low."""
    if not ring.configured:
        return LOCAL
    offered = request.headers.get("x-api-key") or _bearer(request.headers.get("authorization"))
    if not offered:
        raise HTTPException(401, "an API key is required", {"WWW-Authenticate": "Bearer"})
    principal = ring.principal(offered)
    if principal is None:
        raise HTTPException(401, "the API key is not valid", {"WWW-Authenticate": "Bearer"})
    route = getattr(request.scope.get("route"), "path", request.url.path)
    needed = required_role(request.method, route)
    if ROLES.index(principal.role) < ROLES.index(needed):
        detail = (
            f"this request needs the {needed} role; key {principal.name!r} is a {principal.role}"
        )
        raise HTTPException(403, detail)
    return principal


def principal_of(request: Request) -> Principal:
    """The principal ``authenticate`` stored for this request."""
    return getattr(request.state, "principal", LOCAL)


def _bearer(header: str | None) -> str | None:
    if header and header.lower().startswith("bearer "):
        return header[7:].strip()
    return None
