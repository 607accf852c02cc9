"""Hypothesis profiles of the property tests: ``ci`` (the default) and ``long``.

``ci`` is derandomized (a fixed seed: the same examples on every run, so a red build is
reproducible) and sized to keep ``tests/property`` within a few minutes on two cores. ``long``
(``HYPOTHESIS_PROFILE=long``) draws ten times as many random examples, for local hunting.
Example counts in the tests are given for ``ci`` and scaled by ``hostile.scaled``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
if PROFILE not in ("ci", "long"):
    raise ValueError(f"HYPOTHESIS_PROFILE={PROFILE!r}: use ci or long")

_COMMON = {
    "deadline": None,  # an ingest takes a variable fraction of a second on a shared machine
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    "database": None,  # the fixed seed reproduces a failure; no example folder in the tree
    "print_blob": True,
}
settings.register_profile("ci", derandomize=True, **_COMMON)
settings.register_profile("long", derandomize=False, **_COMMON)
settings.load_profile(PROFILE)
