"""What the model store's names look like: versions it makes and aliases it accepts.

A name is checked against these before it becomes part of a path: the API once joined any
``ml_endpoint_name`` into one, and a 300-character name failed in ``open()`` with
``File name too long`` (issue 20). Versions are ``model-<UTC time>-<8 hex>``; aliases are short
words of letters, digits, ``_``, ``.`` and ``-`` that do not start like a version.
"""

from __future__ import annotations

import re

#: Any name the store can hold (a version or an alias), as a regular expression.
MODEL_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"
#: The names ``ModelStore.save`` gives versions.
VERSION = r"^model-\d{14}-[0-9a-f]{8}$"

_NAME = re.compile(MODEL_NAME)
_VERSION = re.compile(VERSION)


def is_model_name(name: str) -> bool:
    """Whether ``name`` could name a version or an alias (checked before any path is built)."""
    return _NAME.fullmatch(name) is not None


def is_version(name: str) -> bool:
    """Whether ``name`` has the form of a stored version (a folder of the store)."""
    return _VERSION.fullmatch(name) is not None


def is_alias(name: str) -> bool:
    """Whether ``name`` may be used as an alias: a model name that is not version-like."""
    return is_model_name(name) and not name.startswith("model-")


def shown(name: str) -> str:
    """``name`` quoted for a message, cut short (a hostile name may be long)."""
    return repr(name if len(name) <= 64 else f"{name[:64]}...")
