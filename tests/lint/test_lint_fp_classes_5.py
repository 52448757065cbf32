"""False-positive classes from the fifth and sixth hand-labelled public samples (s5, s6: repositories none of the
earlier samples touched): signing-key fingerprints taken for credentials, OpenResty and privileged host tools as
root daemons, version and build files taken for the source tree, `%%NAME%%` / `%{expr}` templates and
template-named files taken for broken Dockerfiles, a pip cache removed in the same RUN, Diffie-Hellman parameters
taken for a private key, and the C compiler an LLM server needs at run time.

Every Dockerfile here is written for these tests, modelled on patterns seen in public projects; none is copied.
Each class is tested both ways: the false positive is gone and a nearby true positive is still reported.
"""

from __future__ import annotations

import pytest

from imgforge.lint import lint


def _rules(text: str, path: str = "Dockerfile") -> list[str]:
    return [f.rule for f in lint(text, path) if f.severity != "info"]


_SERVE = 'EXPOSE 8080\nCMD ["/usr/local/bin/webapp", "--listen", ":8080"]\n'


# SEC004: a signing key's fingerprint, given to gpg to verify a download, is a public key's name


_VERIFY = ("RUN curl -fsSLO https://downloads.example.org/tool.tar.gz.sig \\\n"
           "    && gpg --batch --keyserver keyserver.ubuntu.com --recv-keys \"$TOOL_SIGNING_KEY\" \\\n"
           "    && gpg --batch --verify tool.tar.gz.sig\n")


@pytest.mark.parametrize("definition", [
    "ARG TOOL_SIGNING_KEY=0123456789ABCDEF0123456789ABCDEF01234567\n",
    "ARG TOOL_SIGNING_KEY=0123456789abcdef\n",  # a long key ID
    'ENV TOOL_SIGNING_KEY="0123 4567 89AB CDEF 0123  4567 89AB CDEF 0123 4567"\n',  # as gpg prints it
    "ARG TOOL_SIGNING_KEY=0123456789ABCDEF0123456789ABCDEF01234567\nENV TOOL_SIGNING_KEY=$TOOL_SIGNING_KEY\n",
    'ARG TOOL_SIGNING_KEY="0x0123456789ABCDEF 0xFEDCBA9876543210"\n',  # two keys may sign releases
])
def test_a_signing_key_fingerprint_is_no_credential(definition: str) -> None:
    assert "SEC004" not in _rules(f"FROM debian:12-slim\n{definition}{_VERIFY}{_SERVE}")


@pytest.mark.parametrize("definition", [
    "ARG TOOL_SIGNING_KEY\n",  # passed at build time: it could be the private half
    "ARG TOOL_SIGNING_KEY=${SIGNING_MATERIAL}\n",
    "ARG TOOL_SIGNING_KEY=-----BEGIN-not-a-fingerprint\n",
])
def test_a_signing_key_of_unknown_or_other_value_is_still_reported(definition: str) -> None:
    assert "SEC004" in _rules(f"FROM debian:12-slim\n{definition}{_VERIFY}{_SERVE}")


def test_a_hex_token_under_a_credential_name_is_still_reported() -> None:
    text = ("FROM debian:12-slim\nARG API_TOKEN=0123456789ABCDEF0123456789ABCDEF01234567\n"
            "RUN curl -H \"Authorization: $API_TOKEN\" https://api.example.org/setup\n" + _SERVE)
    assert "SEC004" in _rules(text)


# USR001: OpenResty is nginx: the master binds the ports as root, the workers run as nobody


@pytest.mark.parametrize("cmd", [
    'CMD ["/usr/local/openresty/bin/openresty", "-g", "daemon off;"]',
    'CMD ["/usr/bin/openresty-debug", "-g", "daemon off;"]',
    'CMD ["nginx-debug", "-g", "daemon off;"]',
])
def test_openresty_drops_its_workers_itself(cmd: str) -> None:
    text = f"FROM debian:12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends openresty\n" \
           f"EXPOSE 80\n{cmd}\n"
    assert "USR001" not in _rules(text)


def test_a_lua_app_server_without_openresty_is_still_reported() -> None:
    text = 'FROM debian:12-slim\nCOPY app /srv/app\nEXPOSE 80\nCMD ["/srv/app/bin/lua-server", "--port", "80"]\n'
    assert "USR001" in _rules(text)


# LO001/LO002: extension-less single files (version and build files) and start scripts are not the source tree


@pytest.mark.parametrize("copy", [
    "COPY Makefile pyproject.toml requirements.txt ./",
    "COPY RELEASE_VERSION .",
    "COPY ENGINE_VERSION ENGINE_API_VERSION ./",
    "COPY bin/start-app bin/",
])
def test_version_and_build_files_are_not_the_source_tree(copy: str) -> None:
    text = f"FROM python:3.12-slim\nWORKDIR /app\n{copy}\nRUN pip install --no-cache-dir -r requirements.txt\n" \
           "RUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*\n" \
           "COPY src/ src/\nUSER 10001\n" + _SERVE
    found = _rules(text)
    assert "LO001" not in found and "LO002" not in found


@pytest.mark.parametrize("copy", ["COPY . .", "COPY src lib ./", "COPY app/ app/"])
def test_the_source_tree_before_the_install_is_still_reported(copy: str) -> None:
    text = f"FROM python:3.12-slim\nWORKDIR /app\n{copy}\nRUN pip install --no-cache-dir -r requirements.txt\n" \
           "USER 10001\n" + _SERVE
    assert "LO001" in _rules(text)


# SYN: `%%NAME%%` and `%{expr}` placeholders, and files named as templates, are templates, not broken Dockerfiles


@pytest.mark.parametrize("text", [
    "FROM %%BASE_IMAGE%%\nENV APP_SHA256=%%APP_SHA%%\nRUN echo ok\nUSER 10001\n" + _SERVE,
    "FROM docker.io/library/postgres:%%PG_MAJOR%%-bookworm\nRUN echo ok\n",
    "%%GENERATED_HEADER%%\nFROM debian:12-slim\nRUN echo ok\n",
    "FROM %{base.image}%{base.digest}\nRUN echo ok\n",
])
def test_placeholder_templates_get_one_info_finding(text: str) -> None:
    findings = lint(text, "Dockerfile")
    syntax = [(f.rule, f.severity) for f in findings if f.category == "syntax"]
    assert syntax == [("SYN014", "info")]
    assert not [f for f in findings if f.rule.startswith("PIN") and f.severity != "info"]


_PROGRAM = '''let render = fun cfg =>
  let base = cfg.base in
  m%"
FROM %{base}
RUN apt-get update && apt-get install -y --no-install-recommends curl
USER 10001
"%
in
render
'''


@pytest.mark.parametrize("name", ["Dockerfile.ncl", "docker/Dockerfile.j2", "Dockerfile.tmpl"])
def test_a_template_named_file_skips_its_template_language_lines(name: str) -> None:
    findings = lint(_PROGRAM, name)
    assert not [f for f in findings if f.severity != "info" and f.category == "syntax"]
    assert [f.rule for f in findings if f.rule == "SYN014"] == ["SYN014"]
    assert "PC001" in [f.rule for f in findings]  # the Dockerfile inside is still linted


def test_the_same_program_named_dockerfile_is_still_a_syntax_error() -> None:
    assert "SYN001" in _rules(_PROGRAM, "Dockerfile")


@pytest.mark.parametrize("run", [
    "RUN arch=\"$(rpm --eval '%{_arch}')\" && echo \"$arch\"",  # rpm macros in a real Dockerfile
    "RUN printf '%%s\\n' ok",
])
def test_percent_signs_inside_a_real_dockerfile_make_no_template(run: str) -> None:
    findings = lint(f"FROM fedora:40\n{run}\nUSER 10001\n", "Dockerfile")
    assert "SYN014" not in [f.rule for f in findings]


def test_a_real_typo_in_a_template_named_file_without_template_lines_is_no_template() -> None:
    findings = lint("FROM debian:12-slim\nRUN echo ok\nUSER 10001\n", "Dockerfile.j2")
    assert [f.rule for f in findings if f.category == "syntax"] == []


@pytest.mark.parametrize("text", [
    "FROM %%" + "A" * 200_000 + "\n",
    "FROM %{" + "x" * 200_000 + "\n",
    "FROM " + "%%A%%" * 50_000 + "\n",
])
def test_hostile_placeholders_stay_linear(text: str) -> None:
    lint(text, "Dockerfile.ncl")


# s6 (drawn after the fixes above): a template whose FROM is a block, a pip cache removed in the same RUN, and
# Diffie-Hellman parameters taken for a private key


def test_a_template_whose_from_line_is_a_block_has_no_missing_from_error() -> None:
    text = "{{ .base_image | trim }}\n\nRUN apk add --no-cache ca-certificates\nUSER 10001\nCMD [\"webapp\"]\n"
    findings = lint(text, "Dockerfile.tmpl")
    assert [(f.rule, f.severity) for f in findings if f.category == "syntax"] == [("SYN014", "info")]


def test_a_plain_file_without_from_is_still_not_a_dockerfile() -> None:
    assert "SYN007" in _rules("RUN apk add --no-cache ca-certificates\nUSER 10001\n")


@pytest.mark.parametrize("cleanup", [
    "rm -rf /root/.cache/pip",
    "rm -rf ~/.cache",
    "rm -rf /root/.cache/pip/*",
    "pip cache purge",
    "python3 -m pip cache purge",
])
def test_a_pip_cache_removed_in_the_same_run_is_not_reported(cleanup: str) -> None:
    text = f"FROM python:3.12-slim\nRUN pip install flask==3.0.3 gunicorn==22.0.0 && {cleanup}\nUSER 10001\n" + _SERVE
    assert "PC004" not in _rules(text)


@pytest.mark.parametrize("cleanup", ["rm -rf /tmp/build", "pip cache list", "rm -rf /root/.cache/pip-tools"])
def test_other_cleanups_leave_the_pip_cache_reported(cleanup: str) -> None:
    text = f"FROM python:3.12-slim\nRUN pip install flask==3.0.3 && {cleanup}\nUSER 10001\n" + _SERVE
    assert "PC004" in _rules(text)


@pytest.mark.parametrize("src", ["conf/ffdhe2048.pem", "tls/dhparams.pem", "dh.pem", "certs/dh4096.pem"])
def test_diffie_hellman_parameters_are_no_secret_file(src: str) -> None:
    text = f"FROM debian:12-slim\nCOPY {src} /etc/mail/dh.pem\nUSER 10001\n" + _SERVE
    assert "SEC003" not in _rules(text)


@pytest.mark.parametrize("src", ["tls/server.pem", "tls/private-dh.pem", "dhcp/relay.pem"])
def test_other_pem_files_are_still_secret_files(src: str) -> None:
    text = f"FROM debian:12-slim\nCOPY {src} /etc/app/tls.pem\nUSER 10001\n" + _SERVE
    assert "SEC003" in _rules(text)


# MS001: LLM servers compile kernels (Triton, torch.compile) when a model loads, so a C compiler is a run-time need

_LLM_RUNTIME = ("FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\n"
                "RUN apt-get update && apt-get install -y --no-install-recommends {pkgs} "
                "&& rm -rf /var/lib/apt/lists/*\n"
                "COPY --from=build /opt/venv /opt/venv\n{mention}USER 10001\n"
                'EXPOSE 8000\nCMD ["/opt/venv/bin/python", "-m", "server"]\n')


@pytest.mark.parametrize("mention", [
    "ENV VLLM_WORKER_MULTIPROC_METHOD=spawn\n",
    "RUN /opt/venv/bin/pip install --no-cache-dir sglang==0.4.0\n",
    "COPY --from=build /usr/src/router/text-generation-launcher /usr/local/bin/\n",
])
def test_an_llm_server_may_keep_its_c_compiler(mention: str) -> None:
    assert "MS001" not in _rules(_LLM_RUNTIME.format(pkgs="gcc g++", mention=mention))


def test_an_llm_server_keeping_more_than_a_compiler_is_still_reported() -> None:
    text = _LLM_RUNTIME.format(pkgs="gcc cmake autoconf", mention="ENV VLLM_USE_V1=1\n")
    assert "MS001" in _rules(text)


def test_a_compiler_in_another_server_is_still_reported() -> None:
    assert "MS001" in _rules(_LLM_RUNTIME.format(pkgs="gcc g++", mention="ENV APP_MODE=production\n"))


# USR001: an image whose own RUN label starts it --privileged (the atomic/podman convention) is a host tool


@pytest.mark.parametrize("label", [
    "LABEL RUN /usr/bin/docker run -d --privileged --pid=host -v /:/host IMAGE /container/start",
    'LABEL RUN="podman run --rm --privileged --net=host -v /:/host IMAGE"',
    'LABEL install="docker run --rm --privileged -v /:/host IMAGE /container/install"',
])
def test_an_image_labelled_to_run_privileged_may_run_as_root(label: str) -> None:
    text = f'FROM fedora:40\nRUN dnf install -y hostagent && dnf clean all\n{label}\nEXPOSE 9090\nCMD ["hostagent"]\n'
    assert "USR001" not in _rules(text)


@pytest.mark.parametrize("label", [
    'LABEL RUN="docker run -d -p 9090:9090 IMAGE"',
    'LABEL description="do not run with --privileged"',
])
def test_other_labels_leave_root_reported(label: str) -> None:
    text = f'FROM fedora:40\nRUN dnf install -y hostagent && dnf clean all\n{label}\nEXPOSE 9090\nCMD ["hostagent"]\n'
    assert "USR001" in _rules(text)
