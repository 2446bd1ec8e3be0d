"""The OpenAPI document is complete (issue 24) and the service says which code and rules answered.

The document must validate (openapi-spec-validator), declare the bearer scheme when a token is set,
type every parameter as it is read, give every route a response model, keep stable operation ids
and ASCII tags, and say everything in French. The response models are checked against real answers.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

from fundrules import Engine  # noqa: E402
from fundrules.provenance import code_identity  # noqa: E402

from .conftest import ROOT, RULESETS  # noqa: E402
from .http_support import Server, example  # noqa: E402

TOKEN = "jeton-openapi-5d1e"
OPERATIONS = {
    ("/v1/evaluate", "post"): "evaluate",
    ("/v1/evaluate/batch", "post"): "evaluate_batch",
    ("/v1/plan", "post"): "plan",
    ("/v1/questions", "post"): "questions",
    ("/v1/rulesets", "get"): "list_rulesets",
    ("/v1/rulesets/{funder}", "get"): "show_ruleset",
    ("/v1/schema/{kind}", "get"): "get_schema",
    ("/healthz", "get"): "healthz",
    ("/readyz", "get"): "readyz",
}
ENGLISH = re.compile(r"\b(the|The|when|which|with|is|are|and|of|one|One|per|answer|[Ii]ssue \d+)\b")


@pytest.fixture(scope="module")
def engine():
    return Engine(RULESETS, backend="python")


@pytest.fixture(scope="module")
def server(engine):
    from fundrules.http import create_app

    running = Server(create_app(engine, token=None))
    yield running
    running.stop()


def _spec(engine, token):
    from fundrules.http import create_app

    return create_app(engine, token=token).openapi()


@pytest.mark.parametrize("token", [None, TOKEN])
def test_the_document_validates(engine, token):
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(json.loads(json.dumps(_spec(engine, token))))


def test_the_bearer_scheme_is_declared_when_a_token_is_set(engine):
    spec = _spec(engine, TOKEN)
    assert spec["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "le jeton FUNDRULES_API_TOKEN du service",
    }
    for (path, method), _ in OPERATIONS.items():
        operation = spec["paths"][path][method]
        if path in ("/healthz", "/readyz"):
            assert "security" not in operation
        else:
            assert operation["security"] == [{"bearer": []}] and "401" in operation["responses"]
    open_spec = _spec(engine, None)
    assert "securitySchemes" not in open_spec["components"]
    assert all("security" not in op for ops in open_spec["paths"].values() for op in ops.values())


def test_operations_have_stable_ids_ascii_tags_and_a_response_model(engine):
    spec = _spec(engine, TOKEN)
    found = {(path, method): op["operationId"] for path, ops in spec["paths"].items() for method, op in ops.items()}
    assert found == OPERATIONS
    tags = {tag for ops in spec["paths"].values() for op in ops.values() for tag in op["tags"]}
    assert tags == {t["name"] for t in spec["tags"]} == {"evaluation", "regles", "schemas", "exploitation"}
    assert all(tag.isascii() for tag in tags)
    for (path, method), _ in OPERATIONS.items():
        ok = spec["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
        assert set(ok) & {"$ref", "type", "anyOf"}, (path, ok)  # never the empty schema {}
        if "$ref" in ok:
            target = spec["components"]["schemas"][ok["$ref"].rsplit("/", 1)[1]]
            assert target.get("properties") or target.get("additionalProperties"), path


def test_parameters_are_typed_as_they_are_read(engine):
    spec = _spec(engine, None)
    dates = [
        p["schema"]
        for ops in spec["paths"].values()
        for op in ops.values()
        for p in op.get("parameters", ())
        if p["name"] == "as_of"
    ]
    assert len(dates) == 6  # evaluate, batch, plan, questions, the two rulesets routes
    assert all(s["anyOf"][0]["format"] == "date" for s in dates)
    kind = spec["paths"]["/v1/schema/{kind}"]["get"]["parameters"][0]["schema"]
    assert kind == {"type": "string", "enum": ["case", "evaluation", "plan"]}
    region = spec["components"]["schemas"]["CaseInput"]["properties"]["region"]
    assert {"type": "string"} in region["anyOf"] and {"type": "integer"} in region["anyOf"]


def test_an_integer_region_is_accepted_as_the_document_says(server):
    case = {**example("ancien-cdd-2018"), "region": 24}
    assert server.request("POST", "/v1/evaluate", case)[0] == 200


def test_every_description_is_in_french(engine):
    spec = _spec(engine, TOKEN)
    english = []

    def walk(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("description", "summary") and isinstance(value, str) and ENGLISH.search(value):
                    english.append((path, value))
                walk(value, f"{path}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{path}[{index}]")

    walk(spec, "")
    assert english == []


def test_the_response_models_describe_the_real_answers(server, engine):
    from fundrules.http.models import Health, Ready, RulesetList, RulesetShow

    Health.model_validate(server.request("GET", "/healthz")[2])
    Ready.model_validate(server.request("GET", "/readyz")[2])
    RulesetList.model_validate(server.request("GET", "/v1/rulesets")[2])
    RulesetList.model_validate(server.request("GET", "/v1/rulesets?as_of=2019-06-01")[2])
    for funder in sorted(engine.catalog.funders):
        RulesetShow.model_validate(server.request("GET", f"/v1/rulesets/{funder}?as_of=2019-06-01")[2])


# --- which code and which rules answered ------------------------------------------------------------


def test_answers_and_headers_name_the_code_and_the_rules(server, engine):
    status, headers, data = server.request("POST", "/v1/evaluate", example("ancien-cdd-2018"))
    assert status == 200
    assert data["provenance"]["code_digest"] == code_identity()
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", code_identity())
    rules = engine.provenance.rulesets_digest
    assert headers["fundrules-digests"] == f"code={code_identity()}, rulesets={rules}"
    _, headers, _ = server.request("GET", "/v1/rulesets/inconnu")  # errors too
    assert headers["fundrules-digests"] == f"code={code_identity()}, rulesets={rules}"
    ready = server.request("GET", "/readyz")[2]
    assert (ready["code_digest"], ready["rulesets_digest"]) == (code_identity(), rules)


def test_the_code_digest_changes_with_the_code(tmp_path):
    """Two copies of the same version whose code differs by one line say so."""
    shutil.copytree(ROOT / "fundrules", tmp_path / "fundrules", ignore=shutil.ignore_patterns("__pycache__"))
    script = "from fundrules.provenance import code_identity; print(code_identity())"

    def digest():
        env = {"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"}
        return subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True)

    same = digest()
    assert same.stdout.strip() == code_identity(), same.stderr
    with open(tmp_path / "fundrules" / "french.py", "a", encoding="utf-8") as source:
        source.write("\n# one more line\n")
    assert digest().stdout.strip() not in ("", code_identity())


def test_rulesets_give_each_version_its_file_digest(server, engine):
    listed = server.request("GET", "/v1/rulesets")[2]
    cpf = next(f for f in listed["funders"] if f["id"] == "cpf")
    version = next(v for v in cpf["tracks"][0]["versions"] if v["valid_from"] == "2019-01-01")
    raw = (RULESETS / "cpf" / "2019-01-01.yaml").read_bytes()
    assert version["file"] == "cpf/2019-01-01.yaml"
    assert version["digest"] == "sha256:" + hashlib.sha256(raw).hexdigest()
    shown = server.request("GET", "/v1/rulesets/cpf?as_of=2019-06-17")[2]
    assert shown["tracks"][0]["version"]["digest"] == version["digest"]
    evaluated = server.request("POST", "/v1/evaluate", example("salarie-cdi-2019"))[2]
    result = next(r for r in evaluated["results"] if r["funder"] == "cpf")
    assert (result["ruleset_file"], result["ruleset_digest"]) == (version["file"], version["digest"])
    every = [v for f in listed["funders"] for t in f["tracks"] for v in t["versions"]]
    assert all(v["digest"] == engine.ruleset_files[v["file"]] for v in every)
