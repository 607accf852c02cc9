"""Typed errors with one root.

The tree::

    MeterlakeError                 root: every error meterlake raises on purpose
    ├── ConfigError                settings that cannot be used
    │   └── MissingExtraError      an optional extra is not installed (names the pip command)
    ├── InputError                 a caller's argument is wrong (bad date range, unknown table)
    │   └── NotFoundError          the thing asked for does not exist (unknown meter or run)
    ├── RejectedFileError          a landing file is not a meter file at all (rejected whole)
    ├── LakeError                  the lake on disk is unusable or inconsistent
    │   └── AccountingError        rows read != clean + duplicates + quarantined
    ├── QueryError                 SQL over the lake failed
    └── PipelineError              a ``meterlake run`` step failed (exit code of its cause)

The CLI prints one line per error and exits with ``exit_code``; ``--debug`` shows the traceback.
"""

from __future__ import annotations

from pathlib import Path


class MeterlakeError(Exception):
    """Root of every error meterlake raises on purpose."""

    exit_code = 1


class ConfigError(MeterlakeError):
    """Settings that cannot be used."""

    exit_code = 2


class MissingExtraError(ConfigError):
    """An optional extra is not installed; the message names the install command."""

    def __init__(self, extra: str, purpose: str) -> None:
        super().__init__(f"{purpose} needs the {extra} extra: pip install 'meterlake[{extra}]'")
        self.extra = extra


class InputError(MeterlakeError):
    """A caller's argument is wrong."""

    exit_code = 2


class NotFoundError(InputError):
    """The thing asked for does not exist."""


class RejectedFileError(MeterlakeError):
    """A landing file that is not a meter file at all; it is rejected whole and left in place."""

    exit_code = 3

    def __init__(self, file: Path, reason: str) -> None:
        super().__init__(f"{file}: rejected: {reason}")
        self.file = file
        self.reason = reason


class LakeError(MeterlakeError):
    """The lake on disk is unusable or inconsistent."""

    exit_code = 4


class AccountingError(LakeError):
    """Rows read do not equal clean + duplicates + quarantined rows for a file."""

    def __init__(self, file: Path, detail: str) -> None:
        super().__init__(f"{file}: row accounting failed: {detail}")
        self.file = file


class QueryError(MeterlakeError):
    """SQL over the lake failed."""

    exit_code = 5


class PipelineError(MeterlakeError):
    """A pipeline step failed; the run stopped there and the next run resumes from it."""

    def __init__(self, run_id: str, step: str, cause: MeterlakeError) -> None:
        super().__init__(f"pipeline run {run_id} stopped at step {step!r}: {cause}")
        self.run_id = run_id
        self.step = step
        self.exit_code = cause.exit_code
