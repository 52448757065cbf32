"""`doctor`'s tag-immutability row: the real local registry, Harbor and ECR through the transport's mock,
an unreachable host, and the CLI's exit codes (issue 17)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from imgforge.env.immutability import HARBOR_NEEDS_CREDENTIALS, RACE, parse_target, tag_immutability
from imgforge.errors import UsageError
from imgforge.registry import Credentials, MockTransport, Request, Response
from imgforge.registry.memory import MemoryRegistry

ROOT = Path(__file__).resolve().parents[2]
SECRET = "harbor-pw-that-must-not-leak"
EVERY_REPO = {"repository": [{"kind": "doublestar", "decoration": "repoMatches", "pattern": "**"}]}


def _rule(tags: str = "**", repos: dict[str, Any] | None = None, disabled: bool = False) -> dict[str, Any]:
    """One rule shaped as Harbor's /api/v2.0/projects/{p}/immutabletagrules lists it."""
    return {"id": 1, "priority": 0, "disabled": disabled, "action": "immutable", "template": "immutable_template",
            "tag_selectors": [{"kind": "doublestar", "decoration": "matches", "pattern": tags}],
            "scope_selectors": repos or EVERY_REPO}


def _harbor(rules: dict[str, list[dict[str, Any]]], seen: list[Request]) -> Callable[[Request], Response]:
    """A Harbor in front of the in-memory registry: anonymous ping, rules only with Basic credentials."""
    reg = MemoryRegistry(host="harbor.test", auth="basic", password=SECRET)
    good = Credentials("ci", SECRET).basic()

    def handle(request: Request) -> Response:
        seen.append(request)
        path = urllib.parse.urlsplit(request.url).path
        if path == "/api/v2.0/ping":
            return Response(200, {"Content-Type": "text/plain"}, b"Pong")
        if path.startswith("/api/v2.0/projects/"):
            if request.headers.get("Authorization") != good:
                body = b'{"errors":[{"code":"UNAUTHORIZED","message":"unauthorized"}]}'
                return Response(401, {"Content-Type": "application/json"}, body)
            project = urllib.parse.unquote(path.split("/")[4])
            if project not in rules:
                return Response(404, {}, b'{"errors":[{"code":"NOT_FOUND","message":"project not found"}]}')
            return Response(200, {"Content-Type": "application/json"}, json.dumps(rules[project]).encode())
        return reg(request)

    return handle


def _ask(target: str, rules: dict[str, list[dict[str, Any]]], credentials: Credentials | None = None):
    seen: list[Request] = []
    transport = MockTransport(_harbor(rules, seen), host="harbor.test", credentials=credentials)
    return tag_immutability(target, transport=transport), seen


def test_harbor_rule_for_every_repository_is_enforced() -> None:
    found, seen = _ask("harbor.test/library/app", {"library": [_rule("v*")]}, Credentials("ci", SECRET))
    assert (found.verdict, found.registry) == ("enforced", "harbor")
    assert "project library" in found.reason and "matching 'v*'" in found.reason
    rules_call = [r for r in seen if "immutabletagrules" in r.url]
    assert rules_call and rules_call[-1].headers["X-Is-Resource-Name"] == "true"
    assert "page_size=100" in rules_call[-1].url  # the list is paged, 10 rules by default
    assert SECRET not in found.detail


@pytest.mark.parametrize("rules", [
    [],
    [_rule(disabled=True)],
    [_rule(repos={"repository": [{"kind": "doublestar", "decoration": "repoMatches", "pattern": "web-*"}]})],
    [_rule(repos={"repository": [{"kind": "doublestar", "decoration": "repoExcludes", "pattern": "{app,api}"}]})],
])
def test_harbor_without_a_rule_for_the_repository_is_not_enforced(rules: list[dict[str, Any]]) -> None:
    found, _ = _ask("harbor.test/library/app", {"library": rules}, Credentials("ci", SECRET))
    assert found.verdict == "not enforced" and "covers repository app" in found.reason and RACE in found.reason


def test_harbor_repository_pattern_that_matches_is_enforced() -> None:
    repos = {"repository": [{"kind": "doublestar", "decoration": "repoMatches", "pattern": "team/{app,api}"}]}
    found, _ = _ask("harbor.test/library/team/app", {"library": [_rule(repos=repos)]}, Credentials("ci", SECRET))
    assert found.verdict == "enforced"


def test_harbor_without_credentials_says_they_are_needed(no_registry_credentials: None) -> None:
    found, seen = _ask("harbor.test/library/app", {"library": [_rule()]})
    assert (found.verdict, found.reason) == ("unknown", HARBOR_NEEDS_CREDENTIALS)
    assert any("immutabletagrules" in r.url for r in seen)  # it asked, through the transport


def test_harbor_with_a_broken_docker_config_is_unknown_not_a_crash(no_registry_credentials: None, tmp_path) -> None:
    (tmp_path / "config.json").write_text("{not json")
    found, _ = _ask("harbor.test/library/app", {"library": [_rule()]})
    assert found.verdict == "unknown" and "reading Docker config" in found.reason


def test_harbor_wrong_credentials_never_leak() -> None:
    found, _ = _ask("harbor.test/library/app", {"library": [_rule()]}, Credentials("ci", "wrong-secret-xyz"))
    assert found.verdict == "unknown" and "wrong-secret-xyz" not in found.detail
    assert found.reason == ("Harbor: the credentials for harbor.test were refused for project library's "
                            "immutability rules")


def test_harbor_unknown_project_and_no_project() -> None:
    creds = Credentials("ci", SECRET)
    assert "project nope not found" in _ask("harbor.test/nope/app", {}, creds)[0].reason
    found, seen = _ask("harbor.test", {"library": [_rule()]}, creds)
    assert found.verdict == "unknown" and "HOST/PROJECT/REPOSITORY" in found.reason
    assert not any("immutabletagrules" in r.url for r in seen)


@pytest.mark.parametrize("host", ["123456789012.dkr.ecr.eu-west-1.amazonaws.com",
                                  "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn"])
def test_ecr_is_unknown_and_says_where_to_look_without_asking_the_registry(host: str) -> None:
    seen: list[Request] = []
    found = tag_immutability(f"{host}/team/app", transport=MockTransport(_harbor({}, seen), host=host))
    assert (found.verdict, found.registry) == ("unknown", "ecr")
    assert "imageTagMutability" in found.reason and "aws ecr describe-repositories" in found.reason
    assert seen == []


def test_distribution_in_memory_is_not_enforced() -> None:
    found = tag_immutability("registry.test/app", transport=MockTransport(MemoryRegistry()))
    assert (found.verdict, found.reason, found.registry) == ("not enforced", RACE, "distribution")


@pytest.mark.parametrize(("headers", "product"), [
    ({"Server": "Nexus/3.68.1-02 (OSS)"}, "nexus"),
    ({"Server": "Artifactory/7.90.10"}, "artifactory"),
    ({"X-Artifactory-Id": "a1b2c3"}, "artifactory"),
    ({"Server": "quay"}, "quay"),
])
def test_products_with_their_own_setting_are_unknown_not_unenforced(headers: dict[str, str], product: str) -> None:
    def answer(request: Request) -> Response:
        if request.url.endswith("/v2/"):
            return Response(401, {"Docker-Distribution-Api-Version": "registry/2.0", **headers}, b"")
        return Response(404, headers, b"")

    found = tag_immutability("registry.test/app", transport=MockTransport(answer, host="registry.test"))
    assert (found.verdict, found.registry) == ("unknown", product)
    assert "not readable through the registry API" in found.reason


def test_something_that_is_not_a_registry_is_unknown() -> None:
    transport = MockTransport(lambda _r: Response(404, {"Content-Type": "text/html"}, b"<html>"), host="web.test")
    found = tag_immutability("web.test", transport=transport)
    assert found.verdict == "unknown" and "answers /v2/ with 404, not as a registry" in found.reason


@pytest.mark.parametrize("text", ["", "http://h/app", "h/App", "h/app:1.0", "h/app@sha256:00", "h//app", "h:port"])
def test_bad_targets_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError, match="expected HOST"):
        parse_target(text)


def test_good_targets_split_host_and_repository() -> None:
    assert parse_target("127.0.0.1:5000/doctorimm/app") == ("127.0.0.1:5000", "doctorimm/app")
    assert parse_target("[::1]:5000") == ("[::1]:5000", "")


# -- real parts ------------------------------------------------------------------------------------


@pytest.mark.integration
def test_real_local_registry_is_not_enforced(registry) -> None:
    found = tag_immutability(f"{registry.address}/doctorimm/app")
    assert (found.verdict, found.registry) == ("not enforced", "distribution")
    assert found.detail == f"{registry.address}/doctorimm/app: not enforced by the registry: {RACE}"


def test_unreachable_host_is_one_line_unknown() -> None:
    found = tag_immutability("127.0.0.1:1/doctorimm/app", timeout=2)
    assert found.verdict == "unknown" and "does not answer (connection refused)" in found.reason
    assert "\n" not in found.detail


def _imgforge(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "250"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    return subprocess.run([sys.executable, "-m", "imgforge", *args], capture_output=True, text=True, env=env,
                          timeout=300, cwd=cwd)


@pytest.mark.integration
@pytest.mark.parametrize(("target", "verdict", "words"), [
    (None, "not enforced", "concurrent writers can still race"),
    ("127.0.0.1:1/doctorimm/app", "unknown", "does not answer (connection refused)"),
    ("123456789012.dkr.ecr.us-east-1.amazonaws.com/doctorimm/app", "unknown", "aws ecr describe-repositories"),
])
def test_cli_reports_the_row_and_never_fails_for_it(registry, target: str | None, verdict: str, words: str) -> None:
    args = ("doctor", "--json") + (("--registry", target) if target else ())
    res = _imgforge(*args)
    assert res.returncode == 0, (res.stdout, res.stderr)  # information only: every other check is green
    assert "Traceback" not in res.stdout + res.stderr
    data = json.loads(res.stdout)
    row = next(c for c in data["checks"] if c["name"] == "tag immutability")
    assert row["ok"] and row["info"] and words in row["detail"]
    assert data["tag_immutability"]["verdict"] == verdict
    assert data["tag_immutability"]["target"] == (target or registry.address)


@pytest.mark.integration
def test_cli_table_names_the_verdict(registry) -> None:
    res = _imgforge("doctor", "--registry", f"{registry.address}/doctorimm/app")
    assert res.returncode == 0 and "Traceback" not in res.stdout + res.stderr
    assert "tag immutability" in res.stdout and "not enforced by the registry" in res.stdout


def test_cli_bad_target_is_a_one_line_exit_2() -> None:
    res = _imgforge("doctor", "--registry", "https://registry.example/app:1.0")
    assert res.returncode == 2 and "Traceback" not in res.stdout + res.stderr
    assert res.stderr.strip().count("\n") == 0 and "expected HOST[:PORT][/REPOSITORY]" in res.stderr


@pytest.mark.integration
def test_cli_takes_the_repository_from_the_project_as_pipeline_does(registry, tmp_path: Path) -> None:
    res = _imgforge("doctor", "--json", "--registry", registry.address, cwd=ROOT / "samples" / "kuard-go")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["tag_immutability"]["target"] == f"{registry.address}/imgforge-samples/kuard-go"

    (tmp_path / "imgforge.yaml").write_text("recipe: no-such-recipe\n")  # does not load: the host as given
    res = _imgforge("doctor", "--json", "--registry", registry.address, cwd=tmp_path)
    assert res.returncode == 0 and "Traceback" not in res.stderr, res.stderr
    assert json.loads(res.stdout)["tag_immutability"]["target"] == registry.address
