"""``meterlake keys add|list|revoke``: named API keys with roles (registered by ``meterlake.cli``).

``add`` prints the new key once, on stdout alone so that a script can capture it; the lake keeps
only its salted hash (``meterlake.lake.keys``), so a lost key is revoked and replaced, not read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from meterlake.cli_output import FormatOption, render
from meterlake.config import load_settings
from meterlake.lake.keys import ROLES, add_key, keys_path, read_records, revoke_key

keys_app = typer.Typer(no_args_is_help=True, help="API keys: named, with a role, stored hashed.")

RootOption = Annotated[
    Path | None, typer.Option("--root", help="lake root (default: MLK_ROOT or the current folder)")
]


def _path(root: Path | None) -> Path:
    return keys_path(load_settings(root=root).root)


@keys_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="who or what holds the key, e.g. billing-etl")],
    role: Annotated[
        str, typer.Option(help=f"{', '.join(ROLES)}: reads; also VEE edits; also every write")
    ] = "reader",
    root: RootOption = None,
) -> None:
    """Make a key, print it once and store only its hash (a running server picks it up)."""
    record, key = add_key(_path(root), name, role)
    typer.echo(key)
    typer.echo(
        f"key {record.name!r} ({record.role}) added; it is shown only now: keep it secret",
        err=True,
    )


@keys_app.command("list")
def list_keys(root: RootOption = None, output: FormatOption = "table") -> None:
    """The keys by name, role and creation time (never the keys themselves)."""
    rows = [
        {"name": r.name, "role": r.role, "key_id": r.key_id, "created_at": r.created_at}
        for r in read_records(_path(root))
    ]
    render(rows, ("name", "role", "key_id", "created_at"), output, f"{len(rows)} keys")


@keys_app.command("revoke")
def revoke(
    name: Annotated[str, typer.Argument(help="the key's name")], root: RootOption = None
) -> None:
    """Delete a key: a running server refuses it from its next request."""
    record = revoke_key(_path(root), name)
    typer.echo(f"key {record.name!r} ({record.role}) revoked")
