"""False-positive classes found on held-out set 12 (public files never tuned on), each with a nearby true positive."""
from __future__ import annotations

from pathlib import Path

from imgforge.lint import lint, lint_file
from tests.lint._flagged import lines as _lines


# LO001/LO002: what a COPY brings in before an install is not always the source tree.

def test_stem_globs_copy_one_files_variants_not_the_tree() -> None:
    # `composer.*` is composer.json and composer.lock, `flex.*` a lock beside them: manifests, not the sources.
    text = ("FROM php:8.3-cli\nWORKDIR /srv\nCOPY composer.* flex.* ./\n"
            "RUN composer install --no-dev --no-scripts\nCOPY . ./\nRUN composer dump-autoload\n")
    assert _lines(text, "LO001") == []


def test_extension_globs_are_still_source() -> None:
    text = "FROM php:8.3-cli\nWORKDIR /srv\nCOPY *.php ./\nRUN composer install --no-dev\n"
    assert _lines(text, "LO001") == [3]


def test_setup_script_copied_and_run_at_once_is_not_the_source_tree() -> None:
    text = ("FROM ruby:3.3\nCOPY build/steps/bootstrap /steps/\nRUN /steps/bootstrap\n"
            "WORKDIR /app\nCOPY Gemfile Gemfile.lock ./\nRUN bundle install\nCOPY . .\n")
    assert _lines(text, "LO001") == []
    via_shell = text.replace("RUN /steps/bootstrap", "RUN bash /steps/bootstrap --quiet")
    assert _lines(via_shell, "LO001") == []


def test_source_folder_copied_before_the_install_is_still_flagged() -> None:
    text = ("FROM ruby:3.3\nCOPY build/steps/bootstrap /steps/\nRUN /steps/bootstrap\n"
            "WORKDIR /app\nCOPY . .\nRUN bundle install\n")
    assert _lines(text, "LO001") == [5]
    # a folder copied and then run from is still the tree
    folder = ("FROM python:3.12\nCOPY app/ /srv/app/\nRUN /srv/app/setup.sh\nRUN pip install -r /srv/app/req.txt\n")
    assert _lines(folder, "LO001") == [2]


def test_config_file_to_a_dot_file_under_a_variable_is_not_source() -> None:
    text = ('FROM python:3.12\nENV CONDA_DIR=/opt/conda\nCOPY base-condarc "${CONDA_DIR}/.condarc"\n'
            "RUN pip install --no-cache-dir numpy==2.1.0\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*\n")
    assert _lines(text, "LO001") == []
    assert _lines(text, "LO002") == []


def test_vendored_dependency_folders_are_not_source() -> None:
    text = ("FROM ruby:3.3\nWORKDIR /app\nCOPY Gemfile Gemfile.lock ./\nCOPY vendor/engines/ /app/vendor/engines/\n"
            "RUN bundle install\nCOPY . .\n")
    assert _lines(text, "LO001") == []


# MS001: build tools in the final image that are its run-time needs.

_TOOLS = ("FROM debian:12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends build-essential "
          "cmake && rm -rf /var/lib/apt/lists/*\n")


def test_empty_entrypoint_names_no_program() -> None:
    # `ENTRYPOINT [""]` with no CMD: a CLI image the user runs a command in (`docker run img rails new app`)
    assert _lines(_TOOLS + 'WORKDIR /work\nENTRYPOINT [""]\n', "MS001") == []


def test_service_with_build_tools_is_still_flagged() -> None:
    assert _lines(_TOOLS + 'EXPOSE 8080\nCMD ["/usr/local/bin/api"]\n', "MS001") == [2]


def test_entrypoint_shell_string_that_builds_at_start_needs_its_toolchain() -> None:
    text = _TOOLS + ('WORKDIR /src\nEXPOSE 4000\n'
                     'ENTRYPOINT ["/bin/bash", "-lc", "cd /src && make site && ./bin/preview --port 4000"]\n')
    assert _lines(text, "MS001") == []
    runs_only = text.replace("make site && ", "")
    assert _lines(runs_only, "MS001") == [2]


def test_notebook_servers_keep_compilers_for_their_users() -> None:
    jupyter = _TOOLS + 'EXPOSE 8888\nCMD ["start-notebook.py"]\n'
    assert _lines(jupyter, "MS001") == []
    livebook = _TOOLS + 'ENV LIVEBOOK_HOME=/data\nCMD ["/app/bin/server"]\n'
    assert _lines(livebook, "MS001") == []
    # a notebook named only in a comment or a label is not one
    other = _TOOLS + '# not a jupyter image\nLABEL note="jupyter"\nCMD ["/app/bin/server"]\n'
    assert _lines(other, "MS001") == [2]


# USR001: the program a shell-form command ends with, and servers that never run as root.

def test_command_substitution_is_not_the_last_command() -> None:
    text = ("FROM alpine:3.20\nRUN apk add --no-cache apache2\nEXPOSE 80\n"
            'CMD crond -b && exec httpd -D FOREGROUND $([ -n "$TLS" ] && echo -D TLS)\n')
    assert _lines(text, "USR001") == []
    app = text.replace("exec httpd -D FOREGROUND", "exec /srv/api --listen :80")
    assert _lines(app, "USR001") == [1]


def test_database_server_wrappers_run_the_server_as_its_user() -> None:
    text = ("FROM alpine:3.20\nRUN apk add --no-cache mariadb\nCOPY start-mysql /usr/local/bin/\n"
            'EXPOSE 3306\nENTRYPOINT ["start-mysql"]\n')
    assert _lines(text, "USR001") == []
    other = text.replace("start-mysql", "start-api")
    assert _lines(other, "USR001") == [1]


# PC002: an update alone whose lists no later install reads.

def _pc002(text: str) -> list[str]:
    return [f.message for f in lint(text, "Dockerfile") if f.rule == "PC002"]


def test_update_alone_that_no_install_reads_is_reported_as_dead_weight_not_staleness() -> None:
    text = ("FROM debian:12-slim\nRUN apt-get update && mkdir -p /etc/apt/keyrings\n"
            "RUN echo 'deb https://pkgs.example.invalid/deb stable main' > /etc/apt/sources.list.d/x.list\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends xtool && rm -rf /var/lib/apt/lists/*\n")
    [message] = _pc002(text)
    assert "no install reads its lists" in message and "stale" not in message
    cleaned = text.replace("mkdir -p /etc/apt/keyrings", "mkdir -p /etc/apt/keyrings && rm -rf /var/lib/apt/lists/*")
    assert _pc002(cleaned) == []
    stale = text.replace("RUN apt-get update && apt-get install", "RUN apt-get install")
    [message] = _pc002(stale)
    assert "stale" in message


# SEC003: key files that are fixtures, not credentials.

def test_sample_named_key_is_reported_at_info() -> None:
    text = "FROM python:3.12-slim\nCOPY demo-rsa-private.pem /srv/\nCOPY server-private.pem /srv/\n"
    found = {(f.line, f.severity) for f in lint(text, "Dockerfile") if f.rule == "SEC003"}
    assert found == {(2, "info"), (3, "error")}


def test_key_in_a_test_images_context_is_its_fixture() -> None:
    text = "FROM alpine:3.20\nCOPY tls/key.pem /srv/tls.key\nENV API_PASSWORD=hunter2-not-a-var\n"
    in_test = lint(text, "pkg/tests/echo/Dockerfile")
    assert [f.severity for f in in_test if f.rule == "SEC003"] == ["info"]
    assert [f.severity for f in in_test if f.rule == "SEC001"] == ["error"]
    assert [f.severity for f in lint(text, "deploy/echo/Dockerfile") if f.rule == "SEC003"] == ["error"]


# PIN002: :latest of an image the same repository builds first.

def _pin002(path: Path) -> list[tuple[int, str]]:
    return [(f.line, f.severity) for f in lint_file(path).findings if f.rule == "PIN002"]


def test_latest_of_an_image_built_beside_is_its_build_order(tmp_path: Path) -> None:
    (tmp_path / "images" / "core").mkdir(parents=True)
    (tmp_path / "images" / "core" / "Dockerfile").write_text("FROM debian:12-slim\nRUN true\n")
    (tmp_path / "images" / "agent").mkdir()
    agent = tmp_path / "images" / "agent" / "Dockerfile"
    agent.write_text('FROM acme/core:latest\nCOPY agent /usr/bin/agent\nCMD ["agent"]\n')
    (tmp_path / "images" / "agent" / "agent").write_text("#!/bin/sh\n")
    assert _pin002(agent) == [(1, "info")]
    (tmp_path / "ci" / "runner").mkdir(parents=True)  # (not under the test's own folder name, which says latest)
    (tmp_path / "ci" / "runner" / "Dockerfile.base").write_text("FROM ubuntu:24.04\n")
    runner = tmp_path / "ci" / "runner" / "Dockerfile"
    runner.write_text('FROM acme/ci-runner-base:latest\nCMD ["run"]\n')
    assert _pin002(runner) == [(1, "info")]


def test_latest_of_an_image_nobody_here_builds_is_still_a_warning(tmp_path: Path) -> None:
    (tmp_path / "web" / "nginx").mkdir(parents=True)
    (tmp_path / "web" / "nginx" / "Dockerfile").write_text("FROM nginx:1.27\n")
    (tmp_path / "web" / "app").mkdir()
    app = tmp_path / "web" / "app" / "Dockerfile"
    app.write_text('FROM nginx:latest\nFROM acme/web:latest\nCMD ["web"]\n')
    assert _pin002(app) == [(1, "warning"), (2, "warning")]
    # the folder holding this very file is not another Dockerfile building that image
    (tmp_path / "web" / "app" / "Dockerfile").write_text('FROM acme/app:latest\nCMD ["web"]\n')
    assert _pin002(app) == [(1, "warning")]


# BL001: configuration and keys copied into /etc or a keyring folder weigh kilobytes.

def test_config_copied_into_etc_then_removed_is_not_bloat() -> None:
    text = ("FROM php:8.3-fpm AS app\nCOPY --from=repo /usr/share/keyrings/vendor-keyring.gpg /usr/share/keyrings/\n"
            "COPY --from=repo /etc/apt/preferences.d/99vendor /etc/apt/preferences.d/\n"
            "RUN if grep -qi alpine /etc/os-release; then rm -rf /usr/share/keyrings/ /etc/apt/; fi\n")
    assert _lines(text, "BL001") == []


def test_package_copied_then_removed_is_still_bloat() -> None:
    text = ("FROM debian:12-slim\nCOPY --from=build /out/app.deb /tmp/\n"
            "RUN dpkg -i /tmp/app.deb && rm /tmp/app.deb\n")
    assert _lines(text, "BL001") == [3]
