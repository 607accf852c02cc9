from pathlib import Path

from meterlake.lake.ledger import Ledger, LedgerEntry, fingerprint


def test_fingerprint_hashes_content_not_names(tmp_path: Path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_bytes(b"h\n1\n2")
    b.write_bytes(b"h\n1\n2")
    fa, fb = fingerprint(a), fingerprint(b)
    assert (fa.sha, fa.size) == (fb.sha, 5)
    b.write_bytes(b"h\n1\n3")
    assert fingerprint(b).sha != fa.sha


def test_ledger_round_trip_and_rejected_files_are_not_ingested(tmp_path: Path):
    ledger = Ledger({})
    ledger.add(LedgerEntry("s1", "a.csv", 3, "ingested", "r1", "london", rows_read=2))
    ledger.add(LedgerEntry("s2", "b.csv", 3, "rejected", "r1", "", reason="empty file"))
    path = tmp_path / "ledger.json"
    path.write_text(__import__("json").dumps(ledger.to_json()))
    loaded = Ledger.load(path)
    assert loaded.ingested("s1") is not None
    assert loaded.ingested("s2") is None
