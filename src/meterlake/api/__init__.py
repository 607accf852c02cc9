"""HTTP API: the reference's four endpoints (exact response shapes) served by FastAPI.

Needs the ``api`` extra: ``pip install 'meterlake[api]'``.
"""
