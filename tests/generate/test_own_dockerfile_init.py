"""A project no recipe fits that brings its own Dockerfile (a Ruby, Java or Rust service, say): init builds it as
written (recipe `dockerfile`), with the manifest's port and probes from its EXPOSE and HEALTHCHECK; the whole
pipeline then passes on the real engine and registry."""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path

import pytest
import yaml

from imgforge.errors import UsageError
from imgforge.generate import generate, load_project
from imgforge.generate.init import plan_init, write_init
from imgforge.generate.owndockerfile import read_own

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pipeline"))
from pipelinehelp import imgforge  # noqa: E402 - the pipeline tests' CLI runner

# Served by busybox httpd, as a Sinatra or Spring service would serve itself: no recipe matches a Gemfile.
DOCKERFILE = """\
FROM imgforge/busybox:1.35
COPY site /www
USER 10001
EXPOSE {expose}
HEALTHCHECK --interval=30s CMD wget -q -O /dev/null http://127.0.0.1:4567/up || exit 1
CMD ["httpd", "-f", "-p", "4567", "-h", "/www"]
"""


def _project(tmp_path: Path, expose: str = "4567/tcp", name: str = "Dockerfile") -> Path:
    root = tmp_path / "svc"
    (root / "site").mkdir(parents=True)
    (root / "site/up").write_text("ok\n")
    (root / "Gemfile").write_text('source "https://rubygems.org"\ngem "sinatra"\n')
    (root / name).write_text(DOCKERFILE.format(expose=expose))
    return root


def _settings(root: Path) -> dict[str, object]:
    data = yaml.safe_load(plan_init(root).text)
    assert isinstance(data, dict)
    return data


def test_the_port_and_probes_come_from_expose_and_healthcheck(tmp_path: Path) -> None:
    data = _settings(_project(tmp_path))
    assert data["recipe"] == "dockerfile" and data["dockerfile"] == "Dockerfile"
    assert data["overrides"] == {"runtime": {"port": 4567}}
    # HEALTHCHECK --interval=30s is the probe's period, at most 10 s (readiness decides when traffic comes).
    assert data["manifest"] == {"liveness": {"type": "tcp"},
                                "readiness": {"type": "http", "path": "/up", "period_seconds": 10}}


@pytest.mark.parametrize(("check", "command"), [
    ('--timeout=5s --retries=4 CMD ["/usr/local/bin/check", "-q"]', ["/usr/local/bin/check", "-q"]),
    ("--interval=1m30s CMD drill @127.0.0.1 example.org || exit 1",
     ["/bin/sh", "-c", "drill @127.0.0.1 example.org || exit 1"]),
    # A URL on another port than the service's is no HTTP probe of the container port: the command runs.
    ("CMD curl -f http://localhost:9090/metrics", ["/bin/sh", "-c", "curl -f http://localhost:9090/metrics"]),
])
def test_a_healthcheck_command_becomes_an_exec_readiness_probe(tmp_path: Path, check: str,
                                                               command: list[str]) -> None:
    root = _project(tmp_path)
    text = (root / "Dockerfile").read_text()
    (root / "Dockerfile").write_text(text.replace(text.split("HEALTHCHECK ", 1)[1].split("\n", 1)[0], check))
    readiness = _settings(root)["manifest"]["readiness"]  # type: ignore[index]
    assert readiness["type"] == "exec" and readiness["command"] == command
    timing = {k: readiness.get(k) for k in ("period_seconds", "timeout_seconds", "failure_threshold")}
    assert timing == {"period_seconds": 10 if "1m30s" in check else None,
                      "timeout_seconds": 5 if "timeout" in check else None,
                      "failure_threshold": 4 if "retries" in check else None}


def test_healthcheck_none_turns_it_off(tmp_path: Path) -> None:
    root = _project(tmp_path)
    with (root / "Dockerfile").open("a") as f:
        f.write("HEALTHCHECK NONE\n")
    assert _settings(root)["manifest"] == {"liveness": {"type": "tcp"}, "readiness": {"type": "tcp"}}


@pytest.mark.parametrize(("expose", "port"), [("8000 9000", 8000), ("53/udp 4567", 4567), ("$PORT", 4567),
                                             ("${HTTP_PORT:-3000}", 3000)])
def test_the_first_tcp_port_wins_and_the_healthcheck_url_fills_in(tmp_path: Path, expose: str, port: int) -> None:
    assert read_own(_project(tmp_path, expose), "Dockerfile").port == port


def test_a_containerfile_counts_and_no_port_is_said_plainly(tmp_path: Path) -> None:
    root = _project(tmp_path, name="Containerfile")
    (root / "Containerfile").write_text('FROM imgforge/busybox:1.35\nCMD ["sleep", "1d"]\n')
    text = plan_init(root).text
    assert "dockerfile: Containerfile" in text and "EXPOSEs no port: the manifest and verify use 8080" in text
    assert 'liveness: {type: "tcp"}' in text


def test_a_project_a_recipe_fits_is_still_generated(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "requirements.txt").write_text("flask\n")
    (root / "app.py").write_text("from flask import Flask\napp = Flask(__name__)\n")
    assert _settings(root)["recipe"] == "python"


def test_the_dockerfile_recipe_needs_a_dockerfile_and_generates_nothing(tmp_path: Path) -> None:
    root = _project(tmp_path)
    with pytest.raises(UsageError, match="has no Dockerfile or Containerfile"):
        plan_init(tmp_path, recipe="dockerfile")
    write_init(plan_init(root))
    with pytest.raises(UsageError, match="recipe 'dockerfile' generates nothing"):
        generate(load_project(root))


def test_a_dockerfile_lint_cannot_parse_states_nothing(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "Dockerfile").write_bytes(b"\xff\xfe EXPOSE \x00 [[[\n" * 3)
    own = read_own(root, "Dockerfile")
    assert own.port is None and own.health_path is None


def test_the_pipeline_builds_it_as_written_and_verifies_it(docker, registry, tmp_path: Path) -> None:
    root = _project(tmp_path)
    write_init(plan_init(root, name=f"imgforge-test/own-{uuid.uuid4().hex[:8]}"))
    res = imgforge("pipeline", root, "--version", "1.0.0", "--dist", tmp_path / "dist", "--json")
    assert res.returncode == 0, res.stderr[-3000:]
    [result] = json.loads(res.stdout)
    stages = {s["name"]: s for s in result["stages"]}
    assert all(s["status"] == "ok" for s in result["stages"]), result["stages"]
    assert "kept the project's own Dockerfile" in stages["generate"]["detail"]
    assert (root / "Dockerfile").read_text() == DOCKERFILE.format(expose="4567/tcp")
    assert not (root / "Dockerfile.imgforge").exists()


def test_the_healthcheck_url_may_come_from_an_env_variable(tmp_path: Path) -> None:
    root = _project(tmp_path)
    text = (root / "Dockerfile").read_text().replace("http://127.0.0.1:4567/up", '"${HEALTH_URL}"')
    (root / "Dockerfile").write_text(text.replace("USER 10001", "ENV HEALTH_URL=http://localhost:4567/up\nUSER 10001"))
    own = read_own(root, "Dockerfile")
    assert own.health_path == "/up" and own.port == 4567 and not own.health_command
