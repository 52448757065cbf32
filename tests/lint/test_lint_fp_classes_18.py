"""False-positive classes found on held-out set 18 (public files never tuned on), each with a nearby true positive.

The Dockerfiles and scripts are written for these tests, modelled on patterns of the projects labelled (Home Assistant
add-ons whose base image the builder passes in, OpenResty images shipping LuaRocks, a workflow image whose entrypoint
pip-installs extra packages at start); none is copied.
"""
from __future__ import annotations

from pathlib import Path

from imgforge.lint import lint
from imgforge.lint.context import FolderContext
from tests.lint._flagged import file_lines
from tests.lint._flagged import lines as _lines

# USR001: FROM names its base only through a build argument without a default (`ARG BUILD_FROM` / `FROM
# $BUILD_FROM`): the user the base runs as is unknown, so "runs as root" cannot be said.

_ADDON = ("ARG BUILD_FROM\n"
          "FROM $BUILD_FROM\n"
          "RUN apk add --no-cache git openssh-client\n"
          "COPY run.sh /\n"
          'CMD ["/run.sh"]\n')


def test_a_base_given_only_by_a_build_argument_is_not_called_root() -> None:
    assert _lines(_ADDON, "USR001") == []
    assert _lines(_ADDON, "USR003") == []
    braced = _ADDON.replace("FROM $BUILD_FROM", "FROM ${BUILD_FROM}:${BUILD_VERSION}")
    assert _lines(braced, "USR001") == []


def test_a_build_argument_with_a_default_base_is_still_judged() -> None:
    defaulted = _ADDON.replace("ARG BUILD_FROM\n", "ARG BASE=alpine:3.20\n").replace("$BUILD_FROM", "$BASE")
    assert _lines(defaulted, "USR001") == [2]
    tagged = _ADDON.replace("ARG BUILD_FROM\nFROM $BUILD_FROM", "ARG TAG=3.20\nFROM alpine:${TAG}")
    assert _lines(tagged, "USR001") == [2]


# USR001: a Home Assistant add-on (its base is the BUILD_FROM argument the builder passes, here with a default for
# local builds) runs as root by the Supervisor's design: said at info, not at the warning gate.

def test_a_home_assistant_addon_with_a_default_base_is_said_at_info() -> None:
    addon = _ADDON.replace("ARG BUILD_FROM\n", "ARG BUILD_FROM=couchdb:3.5\n").replace(
        "FROM $BUILD_FROM", "FROM ${BUILD_FROM}")
    assert _lines(addon, "USR001") == []
    assert [f.severity for f in lint(addon) if f.rule == "USR001"] == ["info"]


def test_a_base_argument_of_another_name_is_still_judged() -> None:
    other = _ADDON.replace("ARG BUILD_FROM\n", "ARG BASE_IMAGE=couchdb:3.5\n").replace(
        "FROM $BUILD_FROM", "FROM ${BASE_IMAGE}")
    assert _lines(other, "USR001") == [2]


# MS001: the entrypoint installs Python packages given at run time (`pip install $EXTRA_PIP_PACKAGES`, also as
# `uv pip install` or `python -m pip install`): a source distribution among them builds with the kept compiler.

_WORKFLOW = ("FROM python:3.12-slim AS build\n"
             "RUN pip wheel --no-cache-dir -w /wheels flowkit==3.1.0\n"
             "FROM python:3.12-slim\n"
             "RUN apt-get update && apt-get install -y --no-install-recommends build-essential tini \\\n"
             "    && rm -rf /var/lib/apt/lists/*\n"
             "COPY --from=build /wheels /wheels\n"
             "RUN pip install --no-cache-dir /wheels/*.whl\n"
             "WORKDIR /opt/flow\n"
             "COPY scripts/entrypoint.sh ./entrypoint.sh\n"
             "USER 10001\n"
             'ENTRYPOINT ["/usr/bin/tini", "-g", "--", "/opt/flow/entrypoint.sh"]\n')


def _workflow(tmp_path: Path, script: str) -> Path:
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "entrypoint.sh").write_text(script)
    (tmp_path / ".gitignore").write_text("")
    path = tmp_path / "Dockerfile"
    path.write_text(_WORKFLOW)
    return path


def test_an_entrypoint_that_pip_installs_at_start_keeps_its_compiler(tmp_path: Path) -> None:
    for install in ("pip install $EXTRA_PIP_PACKAGES", "uv pip install --system $EXTRA_PIP_PACKAGES",
                    "python -m pip install $EXTRA_PIP_PACKAGES"):
        script = f'#!/bin/bash\nset -e\nif [ -n "$EXTRA_PIP_PACKAGES" ]; then\n  {install}\nfi\nexec "$@"\n'
        sub = tmp_path / install.split()[0]
        sub.mkdir()
        assert file_lines(_workflow(sub, script), "MS001") == [], install


def test_an_entrypoint_that_only_runs_the_app_is_still_judged(tmp_path: Path) -> None:
    script = '#!/bin/bash\nset -e\nuv run flow-worker --check\npython -m flowkit serve\nexec "$@"\n'
    assert file_lines(_workflow(tmp_path, script), "MS001") == [4]


def test_pip_install_is_reported_by_name_only(tmp_path: Path) -> None:
    (tmp_path / "start.sh").write_text("#!/bin/sh\npip3 install --index-url https://user:pw@example/simple x\n")
    programs = FolderContext(tmp_path).script_programs("start.sh")
    assert programs is not None and "pip install" in programs
    assert not any("pw" in p or "example" in p for p in programs)


# MS001: an image that ships LuaRocks (built from its release tarball, or the distribution's package) keeps the
# compiler that `luarocks install` of a rock with C modules needs in the images built from it.

_RESTY = ("FROM debian:12-slim\n"
          "ARG LUAROCKS_VERSION=3.11.1\n"
          "RUN apt-get update && apt-get install -y --no-install-recommends build-essential curl unzip \\\n"
          "    && curl -fSL https://luarocks.example/releases/luarocks-${LUAROCKS_VERSION}.tar.gz -o lr.tgz \\\n"
          "    && tar xzf lr.tgz && cd luarocks-${LUAROCKS_VERSION} && ./configure && make build && make install \\\n"
          "    && rm -rf /var/lib/apt/lists/*\n"
          'CMD ["/usr/local/openresty/bin/openresty", "-g", "daemon off;"]\n')


def test_an_image_shipping_luarocks_keeps_its_compiler() -> None:
    assert _lines(_RESTY, "MS001") == []
    packaged = ("FROM debian:12-slim\nRUN apt-get update && apt-get install -y build-essential luarocks \\\n"
                "    && rm -rf /var/lib/apt/lists/*\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\n")
    assert _lines(packaged, "MS001") == []


def test_an_image_that_only_runs_lua_is_still_judged() -> None:
    plain = ("FROM debian:12-slim\nRUN apt-get update && apt-get install -y build-essential lua5.1 \\\n"
             "    && rm -rf /var/lib/apt/lists/*\nCOPY app.lua /app.lua\nCMD [\"lua5.1\", \"/app.lua\"]\n")
    assert _lines(plain, "MS001") == [2]


# USR001: `run` only inside a name of the start command (`run_trial.py`, `/runner`, `remote_runner`) does not make
# an image a service: a training trial, a CI job runner or a pipeline step runs once (USR003, info). `run` as a word
# of its own (`signal run`), a start script named `run.sh`, and a port still do.

_TRIAL = ("FROM python:3.11-slim\n"
          "COPY trial /opt/trial\n"
          "RUN pip install --no-cache-dir -r /opt/trial/requirements.txt\n"
          'ENTRYPOINT ["python3", "/opt/trial/run_trial.py"]\n')


def test_a_job_whose_command_only_contains_run_is_no_service() -> None:
    assert _lines(_TRIAL, "USR001") == []
    assert [f.severity for f in lint(_TRIAL) if f.rule == "USR003"] == ["info"]
    runner = _TRIAL.replace('["python3", "/opt/trial/run_trial.py"]', '["/bin/bash", "/runner"]')
    assert _lines(runner, "USR001") == []


def test_run_as_a_subcommand_or_a_port_is_still_a_service() -> None:
    signal = _TRIAL.replace('["python3", "/opt/trial/run_trial.py"]', '["/usr/bin/signal", "run"]')
    assert _lines(signal, "USR001") == [1]
    script = _TRIAL.replace('["python3", "/opt/trial/run_trial.py"]', '["/run.sh"]')
    assert _lines(script, "USR001") == [1]
    exposed = _TRIAL.replace("ENTRYPOINT", "EXPOSE 8080\nENTRYPOINT")
    assert _lines(exposed, "USR001") == [1]
