import json
from pathlib import Path

from meterlake.lake.layout import LakeLayout
from meterlake.lake.transaction import MANIFEST, Transaction, recover


def _stage(txn: Transaction, final: Path, text: str) -> None:
    staged = txn.stage(final)
    staged.parent.mkdir(parents=True, exist_ok=True)
    staged.write_text(text)


def test_commit_moves_staged_files_over_final_paths(tmp_path: Path):
    layout = LakeLayout(tmp_path)
    target = tmp_path / "business" / "daily" / "x" / "part-0.parquet"
    target.parent.mkdir(parents=True)
    target.write_text("old")
    txn = Transaction(layout, "run1")
    _stage(txn, target, "new")
    assert txn.commit() == 1
    assert target.read_text() == "new"
    assert not (layout.transactions / "run1").exists()


def test_uncommitted_staging_is_discarded_on_recovery(tmp_path: Path):
    layout = LakeLayout(tmp_path)
    target = tmp_path / "a.txt"
    txn = Transaction(layout, "run1")
    _stage(txn, target, "new")
    assert recover(layout) == []
    assert not target.exists()
    assert not txn.folder.exists()


def test_half_applied_commit_is_rolled_forward(tmp_path: Path):
    layout = LakeLayout(tmp_path)
    first, second = tmp_path / "t" / "1.txt", tmp_path / "t" / "2.txt"
    txn = Transaction(layout, "run1")
    _stage(txn, first, "one")
    _stage(txn, second, "two")
    (txn.folder / MANIFEST).write_text(json.dumps(["t/1.txt", "t/2.txt"]))
    first.parent.mkdir()
    txn.stage(first).replace(first)  # the crash happened after the first rename
    assert recover(layout) == ["run1"]
    assert (first.read_text(), second.read_text()) == ("one", "two")
