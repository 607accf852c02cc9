import json
from pathlib import Path

from meterlake.api.app import create_app
from meterlake.config import Settings

DOCS = Path(__file__).parents[3] / "docs"


def test_committed_openapi_document_matches_the_code(tmp_path: Path):
    spec = create_app(Settings(root=tmp_path)).openapi()
    committed = json.loads((DOCS / "openapi.json").read_text())
    assert committed == json.loads(json.dumps(spec)), (
        "regenerate docs/openapi.json (see docs/api.md)"
    )
