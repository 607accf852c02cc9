import json
import re
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


def test_the_document_lists_the_problems_the_api_answers_not_422(tmp_path: Path):
    spec = create_app(Settings(root=tmp_path)).openapi()
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    for path, operations in spec["paths"].items():
        for operation in operations.values():
            responses = operation["responses"]
            assert "422" not in responses, path
            if path not in ("/health", "/v1/health"):
                problem = responses["400"]["content"]["application/problem+json"]
                assert problem["schema"] == {"$ref": "#/components/schemas/Problem"}, path


def test_naive_times_are_documented_as_such():
    # The lake's times carry no offset; "date-time" would make every one of them invalid.
    spec = json.loads((DOCS / "openapi.json").read_text())
    time = spec["components"]["schemas"]["Reading"]["properties"]["time"]
    assert "format" not in time
    assert re.fullmatch(time["pattern"], "2013-01-10T00:30:00")
