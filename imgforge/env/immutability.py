"""Does the target registry itself refuse to move a tag? Harbor's rules, ECR's setting, or nothing (distribution).

imgforge re-checks a version tag before and after each write, which catches a race but cannot prevent one:
only the registry can. This module tells `imgforge doctor` what it can learn about that, through the one
registry transport, and says "unknown" (with the reason) wherever it cannot learn it.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from imgforge.env.registry_api import env_transport
from imgforge.errors import RegistryError, RegistryUnavailable, UsageError
from imgforge.printable import printable
from imgforge.registry.transport import Transport
from imgforge.registry.wire import Request

Verdict = Literal["enforced", "not enforced", "unknown"]

RACE = "imgforge re-checks before and after each write, but two concurrent writers can still race (see README)"
HARBOR_NEEDS_CREDENTIALS = "Harbor: immutability rules are per project and need credentials to read"

_HOST = r"(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?"
_TARGET = re.compile(rf"(?P<host>{_HOST})(?:/(?P<repo>[a-z0-9]+(?:[._/-][a-z0-9]+)*))?")

# Hosted registries whose tag immutability is a setting of their own API, not readable through /v2/.
_HOSTED: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\d{12}\.dkr\.ecr(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?(?::443)?"),
     "ECR: imageTagMutability is a repository setting; check with `aws ecr describe-repositories` "
     "(not readable through the registry API)"),
    (re.compile(r"[a-z0-9-]+-docker\.pkg\.dev(?::443)?"),
     "Artifact Registry: immutable tags are a repository setting; check with "
     "`gcloud artifacts repositories describe` (not readable through the registry API)"),
    (re.compile(r"[a-z0-9-]+\.azurecr\.io(?::443)?"),
     "ACR: tag locks (writeEnabled) are a repository and tag setting; check with `az acr repository show` "
     "(not readable through the registry API)"),
    (re.compile(r"(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)(?::443)?"),
     "Docker Hub: check the repository's settings on Docker Hub (not readable through the registry API)"),
)


# Self-hosted products that answer /v2/ like distribution but keep a redeploy/immutability setting of their own,
# told apart by the headers they send on every answer: (header, pattern, what to say).
_PRODUCTS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("Server", re.compile(r"nexus", re.I),
     "Nexus: the repository's deployment policy (\"Disable redeploy\") decides; check it in Nexus "
     "(not readable through the registry API)"),
    ("Server", re.compile(r"artifactory", re.I),
     "Artifactory: overwriting tags depends on the repository's permissions (Delete/Overwrite); check them in "
     "Artifactory (not readable through the registry API)"),
    ("X-Artifactory-Id", re.compile(r"."),
     "Artifactory: overwriting tags depends on the repository's permissions (Delete/Overwrite); check them in "
     "Artifactory (not readable through the registry API)"),
    ("Server", re.compile(r"quay", re.I),
     "Quay: immutable tags are a repository setting; check it in Quay (not readable through the registry API)"),
)


@dataclass(frozen=True)
class Immutability:
    """What the registry at `target` does about moving tags: a verdict and one line saying why."""

    target: str
    verdict: Verdict
    reason: str
    registry: str = ""  # "distribution", "harbor", "ecr"...; "" when it could not be told

    @property
    def detail(self) -> str:
        """One line for doctor's table: target, verdict, reason."""
        said = {"enforced": "enforced by the registry", "not enforced": "not enforced by the registry",
                "unknown": "unknown"}[self.verdict]
        return f"{self.target}: {said}: {self.reason}"


def parse_target(text: str) -> tuple[str, str]:
    """(host, repository) of `HOST[:PORT][/REPOSITORY]`; a one-line UsageError otherwise."""
    found = _TARGET.fullmatch(text.strip())
    if not found:
        raise UsageError(f"reading --registry {printable(text)!r}: expected HOST[:PORT][/REPOSITORY] "
                         "(no scheme, tag or digest)")
    return found["host"], found["repo"] or ""


def tag_immutability(target: str, *, insecure: bool = False, timeout: float = 5.0,
                     transport: Transport | None = None) -> Immutability:
    """Whether the registry at `target` (`HOST[/REPO]`) enforces tag immutability; never raises for a network fault.

    `transport` replaces the one `env_transport` would make (a `MockTransport` in tests).
    """
    host, repo = parse_target(target)
    for pattern, reason in _HOSTED:
        if pattern.fullmatch(host.lower()):
            return Immutability(target, "unknown", reason, reason.split(":", 1)[0].lower())
    transport = transport or env_transport(host, timeout, insecure=insecure)
    try:
        v2 = _get(transport, "/v2/")
        if v2.status not in (200, 401) or v2.headers.get("Docker-Distribution-Api-Version") != "registry/2.0":
            return Immutability(target, "unknown", f"{host} answers /v2/ with {v2.status}, not as a registry")
        ping = _get(transport, "/api/v2.0/ping")
    except (OSError, ValueError) as exc:
        why = str(exc.args[0]) if exc.args else type(exc).__name__
        return Immutability(target, "unknown", f"{host} does not answer ({printable(why)})")
    if ping.status == 200 and ping.body.strip().strip(b'"') == b"Pong":
        return _harbor(transport, target, repo)
    for header, pattern, reason in _PRODUCTS:
        if pattern.search(v2.headers.get(header) or ""):
            return Immutability(target, "unknown", reason, reason.split(":", 1)[0].lower())
    # CNCF distribution (registry:2, zot and the like) has no setting for it: a tag moves on any PUT.
    return Immutability(target, "not enforced", RACE, "distribution")


@dataclass(frozen=True)
class _Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes


def _get(transport: Transport, path: str) -> _Answer:
    """One anonymous GET through the transport's `send()`: the answer as it is, whatever its status."""
    resp = transport.send(Request("GET", transport.base + path))
    body = resp.stream.read(4096)
    resp.close()
    return _Answer(resp.status, resp.headers, body)


def _harbor(transport: Transport, target: str, repo: str) -> Immutability:
    if not repo:
        return Immutability(target, "unknown", "Harbor: immutability rules are per project; name one with "
                            "--registry HOST/PROJECT/REPOSITORY", "harbor")
    project, _, name = repo.partition("/")
    # The list is paged (10 by default); Harbor allows a handful of rules per project, 100 is all of them.
    path = f"/api/v2.0/projects/{urllib.parse.quote(project, safe='')}/immutabletagrules?page=1&page_size=100"
    try:
        resp = transport.request("GET", path, f"reading Harbor project {project}'s immutability rules",
                                 headers={"X-Is-Resource-Name": "true", "Accept": "application/json"})
        rules = resp.json()
    except RegistryError as err:
        if err.status in (401, 403) and (transport.anonymous or transport.credentials() is None):
            return Immutability(target, "unknown", HARBOR_NEEDS_CREDENTIALS, "harbor")
        if err.status in (401, 403):
            refused = "were refused for" if err.status == 401 else "may not read"
            why = f"Harbor: the credentials for {transport.host} {refused} project {project}'s immutability rules"
            return Immutability(target, "unknown", why, "harbor")
        if err.status == 404:
            return Immutability(target, "unknown", f"Harbor: project {project} not found", "harbor")
        return Immutability(target, "unknown", f"Harbor: {printable(str(err))}", "harbor")
    except (RegistryUnavailable, UsageError) as err:  # UsageError: the Docker config the credentials are in
        return Immutability(target, "unknown", f"Harbor: {printable(str(err))}", "harbor")
    except ValueError:
        return Immutability(target, "unknown", f"Harbor: project {project}'s immutability rules are not JSON",
                            "harbor")
    return _judge_rules(target, project, name, rules if isinstance(rules, list) else [])


def _judge_rules(target: str, project: str, name: str, rules: list[Any]) -> Immutability:
    """Enforced when an enabled rule's repository selectors take `name`; the reason names its tag patterns."""
    covering = [r for r in rules if isinstance(r, dict) and not r.get("disabled") and _covers(r, name)]
    if not covering:
        what = f"repository {name}" if name else "every repository"
        return Immutability(target, "not enforced", f"Harbor: no enabled immutability rule of project {project} "
                            f"covers {what}; {RACE}", "harbor")
    tags = sorted({_selector_text(s) for r in covering for s in _list(r.get("tag_selectors"))})
    return Immutability(target, "enforced", f"Harbor: project {project} makes tags {' or '.join(tags) or '**'} "
                        f"immutable ({len(covering)} rule(s))", "harbor")


def _covers(rule: dict[str, Any], name: str) -> bool:
    scopes = rule.get("scope_selectors")
    selectors = _list(scopes.get("repository")) if isinstance(scopes, dict) else []
    if not name:  # no repository named: only a rule for every repository counts
        return all(s.get("decoration") != "repoExcludes" and s.get("pattern") == "**" for s in selectors)
    for s in selectors:
        hit = _doublestar(str(s.get("pattern", "")), name)
        if hit == (s.get("decoration") == "repoExcludes"):
            return False
    return True


def _list(value: object) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _selector_text(selector: dict[str, Any]) -> str:
    verb = "excluding" if selector.get("decoration") == "excludes" else "matching"
    return f"{verb} {printable(str(selector.get('pattern', '')))[:80]!r}"


def _doublestar(pattern: str, name: str) -> bool:
    """Harbor's doublestar match: `**` any path, `*` and `?` within one segment, `{a,b}` alternatives."""
    out: list[str] = []
    i = depth = 0
    while i < len(pattern):
        c = pattern[i]
        i += 1
        if c == "*" and pattern[i:i + 1] == "*":
            out.append(".*")
            i += 1
        elif c in "*?":
            out.append("[^/]*" if c == "*" else "[^/]")
        elif c == "{":
            depth += 1
            out.append("(?:")
        elif c == "}" and depth:
            depth -= 1
            out.append(")")
        elif c == "," and depth:
            out.append("|")
        else:
            out.append(re.escape(c))
    try:
        return re.fullmatch("".join(out), name) is not None
    except re.error:
        return False
