"""False-positive classes found on held-out set 13 (public files never tuned on), each with a nearby true positive."""
from __future__ import annotations

from pathlib import Path

from tests.lint._flagged import lines as _lines, file_lines as _file_lines


# MS001: a runtime host runs whatever start command it is handed; its compilers serve that code.

_HOST = ("FROM node:22-bookworm-slim\n"
         "RUN apt-get update && apt-get install -y --no-install-recommends g++ make python3 tini \\\n"
         "    && rm -rf /var/lib/apt/lists/* && useradd -m -d /home/runner runner\n"
         "USER runner\nWORKDIR /home/runner\n"
         "COPY ./../launch.sh /launch.sh\n"
         'ENTRYPOINT ["/usr/bin/tini", "-g", "--"]\nCMD ["/bin/bash", "/launch.sh"]\n')
_LAUNCH = ('#!/bin/bash\ncd /home/runner || exit 1\nnode --version\n'
           'CMDLINE=$(printf "%s" "${START_COMMAND}" | sed -e "s/{{/\\${/g")\neval "${CMDLINE}"\n')


def _host(tmp_path: Path, dockerfile: str) -> Path:
    (tmp_path / "node" / "22").mkdir(parents=True, exist_ok=True)
    (tmp_path / "node" / "launch.sh").write_text(_LAUNCH)  # one folder up: the context the image is built from
    path = tmp_path / "node" / "22" / "Dockerfile"
    path.write_text(dockerfile)
    return path


def test_runtime_host_that_evals_its_start_command_keeps_its_compilers(tmp_path: Path) -> None:
    assert _file_lines(_host(tmp_path, _HOST), "MS001") == []
    (tmp_path / "node" / "launch.sh").write_text('#!/bin/sh\nGIVEN=$(echo "${START_COMMAND}" | sed -e "s/{{/\\${/g")\n'
                                                  'exec env ${GIVEN}\n')
    assert _file_lines(tmp_path / "node" / "22" / "Dockerfile", "MS001") == []
    (tmp_path / "node" / "launch.sh").write_text('#!/bin/sh\nnode --version\nexec "$@"\n')  # the CMD: no command
    assert _file_lines(tmp_path / "node" / "22" / "Dockerfile", "MS001") == [2]


def test_an_application_image_with_an_evaling_start_script_is_still_flagged(tmp_path: Path) -> None:
    app = _HOST.replace("COPY ./../launch.sh /launch.sh\n", "COPY ./../launch.sh /launch.sh\nCOPY . /home/runner/app\n")
    assert _file_lines(_host(tmp_path, app), "MS001") == [2]
    served = _HOST.replace("USER runner\n", "USER runner\nEXPOSE 8080\n")
    assert _file_lines(_host(tmp_path, served), "MS001") == [2]
    (tmp_path / "node" / "launch.sh").write_text("#!/bin/bash\nexec node /home/runner/server.js\n")
    assert _file_lines(tmp_path / "node" / "22" / "Dockerfile", "MS001") == [2]
    # eval inside the script, not the command it ends with: a job of its own
    (tmp_path / "node" / "launch.sh").write_text('#!/bin/bash\nHOST=$(eval "$LOOKUP")\neval "$SETUP"\n'
                                                  'node /home/runner/backup.js "$HOST"\n')
    assert _file_lines(tmp_path / "node" / "22" / "Dockerfile", "MS001") == [2]


# USR001: an entry script COPYed by a glob into a folder is still the image's own script.

def test_entry_script_copied_by_a_glob_that_drops_privileges(tmp_path: Path) -> None:
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "boot").write_text('#!/bin/bash\nset -e\n'
                                           'exec setpriv --reuid="${RUN_UID}" --regid="${RUN_GID}" --clear-groups '
                                           '/opt/srv/run "$@"\n')
    (tmp_path / "bin" / "boot-helpers").write_text("#!/bin/bash\necho helpers\n")
    path = tmp_path / "Dockerfile"
    path.write_text("FROM alpine:3.20\nRUN apk add --no-cache util-linux-misc openjdk21-jre\n"
                    "COPY --chmod=755 bin/boot* /opt/srv/bin/\nEXPOSE 8080\nENTRYPOINT [\"/opt/srv/bin/boot\"]\n")
    assert _file_lines(path, "USR001") == []


def test_entry_script_copied_by_a_glob_that_stays_root_is_still_flagged(tmp_path: Path) -> None:
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "boot").write_text('#!/bin/bash\nset -e\nexec /opt/srv/run "$@"\n')
    path = tmp_path / "Dockerfile"
    path.write_text("FROM alpine:3.20\nRUN apk add --no-cache openjdk21-jre\n"
                    "COPY --chmod=755 bin/boot* /opt/srv/bin/\nEXPOSE 8080\nENTRYPOINT [\"/opt/srv/bin/boot\"]\n")
    assert _file_lines(path, "USR001") == [1]


# LO001: a folder go.mod replaces a module with is a manifest; a project install after its requirements is the tail.

_GO = ("FROM golang:1.23 AS build\nWORKDIR /w\nCOPY shared/ shared/\nCOPY go.mod go.sum ./\nRUN go mod download\n"
       "COPY cmd/ cmd/\nRUN CGO_ENABLED=0 go build -o /out/svc ./cmd/svc\n"
       "FROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=build /out/svc /svc\nENTRYPOINT [\"/svc\"]\n")


def _go_project(tmp_path: Path, gomod: str) -> Path:
    (tmp_path / "shared" / "types").mkdir(parents=True, exist_ok=True)
    (tmp_path / "shared" / "types" / "go.mod").write_text("module example.org/svc/shared/types\n\ngo 1.23\n")
    (tmp_path / "cmd").mkdir(exist_ok=True)
    (tmp_path / "go.mod").write_text(gomod)
    (tmp_path / "go.sum").write_text("")
    path = tmp_path / "Dockerfile"
    path.write_text(_GO)
    return path


def test_folder_go_mod_replaces_a_module_with_is_a_manifest(tmp_path: Path) -> None:
    gomod = ("module example.org/svc\n\ngo 1.23\n\nrequire example.org/svc/shared/types v0.0.0\n\n"
             "replace (\n\texample.org/svc/shared/types => ./shared/types // local\n)\n")
    assert _file_lines(_go_project(tmp_path, gomod), "LO001") == []
    one_line = "module example.org/svc\n\nreplace example.org/svc/shared/types => ./shared/types\n"
    assert _file_lines(_go_project(tmp_path, one_line), "LO001") == []


def test_folder_go_mod_does_not_name_is_still_source(tmp_path: Path) -> None:
    gomod = ("module example.org/svc\n\ngo 1.23\n\n"
             "replace example.org/other => example.org/other-fork v1.2.0\n")  # a fork at a version, not a folder
    assert _file_lines(_go_project(tmp_path, gomod), "LO001") == [3]


def test_project_install_after_its_requirements_went_first() -> None:
    text = ("FROM python:3.12-slim AS base\nCOPY requirements.txt /\n"
            "RUN pip install --no-cache-dir -r /requirements.txt\n"
            "FROM base AS app\nCOPY . /srv/tool\nRUN pip install --no-cache-dir -e /srv/tool\n"
            'CMD ["tool"]\n')
    assert _lines(text, "LO001") == []


def test_tree_copied_before_the_first_install_is_still_flagged() -> None:
    text = ("FROM python:3.12-slim AS base\nRUN apt-get update\n"
            "FROM base AS app\nCOPY . /srv/tool\nRUN pip install --no-cache-dir -e /srv/tool\n"
            'CMD ["tool"]\n')
    assert _lines(text, "LO001") == [4]
    # an npm install earlier is another tool: the pip install after the tree still reinstalls everything
    node = text.replace("RUN apt-get update\n", "COPY package.json package-lock.json ./\nRUN npm ci\n")
    assert _lines(node, "LO001") == [5]


# SEC004: a variable named for a password file that holds the file's path is no credential.

def test_passwd_file_path_expanded_in_run_is_not_a_credential() -> None:
    text = ("FROM debian:12-slim\nENV WRAP_PASSWD=/var/tmp/passwd WRAP_GROUP=/var/tmp/group\n"
            "RUN touch ${WRAP_PASSWD} ${WRAP_GROUP} && chmod g+rw ${WRAP_PASSWD}\n")
    assert _lines(text, "SEC004") == []


def test_password_value_expanded_in_run_is_still_flagged() -> None:
    text = ("FROM debian:12-slim\nARG ADMIN_PASSWD=Tr0ub4dor-and-3\n"
            "RUN echo \"admin:${ADMIN_PASSWD}\" | chpasswd\n")
    assert _lines(text, "SEC004") == [3]
    relative = text.replace("Tr0ub4dor-and-3", "tmp/passwd-Xy9")  # not an absolute path: could be anything
    assert _lines(relative, "SEC004") == [3]


# SYN002: BuildKit ends a flag at any blank, a tab too.

def test_tab_between_copy_flags_is_two_flags() -> None:
    text = "FROM alpine:3.20 AS build\nRUN touch /out\nFROM alpine:3.20\nCOPY --link\t--from=build /out /out\n"
    assert _lines(text, "SYN002") == []


def test_a_malformed_flag_after_a_tab_is_still_reported() -> None:
    text = "FROM alpine:3.20 AS build\nRUN touch /out\nFROM alpine:3.20\nCOPY --link\t--from /out /out\n"
    assert _lines(text, "SYN002") == [4]


# MS001: DKMS builds kernel modules against the host's kernel when the container runs.

def test_driver_loader_keeping_dkms_keeps_its_compiler() -> None:
    text = ("FROM debian:12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends \\\n"
            "    dkms gcc make kmod && rm -rf /var/lib/apt/lists/*\n"
            "COPY load-driver.sh /usr/bin/load-driver\nENTRYPOINT [\"/usr/bin/load-driver\"]\n")
    assert _lines(text, "MS001") == []


def test_compiler_kept_without_dkms_is_still_flagged() -> None:
    text = ("FROM debian:12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends \\\n"
            "    gcc make kmod && rm -rf /var/lib/apt/lists/*\n"
            "COPY load-driver.sh /usr/bin/load-driver\nENTRYPOINT [\"/usr/bin/load-driver\"]\n")
    assert _lines(text, "MS001") == [2]
    purged = text.replace("gcc make kmod && rm", "dkms gcc make kmod && apt-get purge -y dkms && rm")
    assert _lines(purged, "MS001") == [2]


def test_requirements_installed_in_a_builder_whose_venv_is_copied_in() -> None:
    text = ("FROM python:3.12-slim AS deps\nCOPY requirements.txt /\n"
            "RUN python -m venv /venv && /venv/bin/pip install -r /requirements.txt\n"
            "FROM python:3.12-slim\nCOPY --from=deps /venv /venv\nCOPY . /srv/tool\n"
            "RUN /venv/bin/pip install --no-deps /srv/tool\nCMD [\"tool\"]\n")
    assert _lines(text, "LO001") == []


def test_named_package_installed_first_reads_no_manifest() -> None:
    text = ("FROM python:3.12-slim\nRUN pip install -U pip setuptools\nCOPY . /srv/tool\n"
            "RUN pip install -r /srv/tool/requirements.txt\nCMD [\"tool\"]\n")
    assert _lines(text, "LO001") == [3]


# MS002/MS001: a start script that compiles the mounted tree (a debugger's dev image) runs its toolchain.

def _debug_image(tmp_path: Path, script: str) -> Path:
    (tmp_path / "hack").mkdir(exist_ok=True)
    (tmp_path / "hack" / "dev-start.sh").write_text(script)
    path = tmp_path / "Dockerfile.debug"
    path.write_text("FROM golang:1.23-bookworm\nRUN go install github.com/example/watcher@v1.4.0\n"
                    "COPY hack/dev-start.sh /dev-start.sh\nWORKDIR /workspace\nEXPOSE 8080 2345\n"
                    'ENTRYPOINT ["/dev-start.sh"]\n')
    return path


def test_start_script_that_builds_the_mounted_tree_keeps_its_toolchain(tmp_path: Path) -> None:
    path = _debug_image(tmp_path, '#!/usr/bin/env bash\nrebuild() {\n  go build -gcflags "all=-N -l" -o /srv/app\n}\n'
                                  'rebuild\nexec watcher --on-change rebuild -- /srv/app "$@"\n')
    assert _file_lines(path, "MS002") == []


def test_start_script_that_only_runs_the_program_is_still_flagged(tmp_path: Path) -> None:
    path = _debug_image(tmp_path, '#!/usr/bin/env bash\nexec watcher -- /srv/app "$@"\n')
    assert _file_lines(path, "MS002") == [2]
