"""False-positive classes found on held-out set 17 (public files never tuned on), each with a nearby true positive.

The Dockerfiles and scripts are written for these tests, modelled on patterns of the projects labelled (mail-server
suites started by a Python script, thin wrappers of official database images, a cache proxy started through a
shell script, CI runner images, a PHP workspace's true/false build switches); none is copied.
"""
from __future__ import annotations

from pathlib import Path

from imgforge.lint import lint_file
from tests.lint._flagged import file_lines
from tests.lint._flagged import lines as _lines

# USR001: a Python start script drops root itself (`os.setuid` after `os.setgid`, or a `drop_privs*` helper), or ends
# by running a daemon that switches its workers to a service user (`os.execv("/usr/sbin/unbound", ...)`, a command
# list `["/usr/sbin/nginx", ...]`, `rspamd -u ... -g ...`).

_MAIL = ("FROM alpine:3.20\n"
         "RUN apk add --no-cache python3 py3-jinja2 dovecot\n"
         "COPY start.py /start.py\n"
         "EXPOSE 143\n"
         "CMD /start.py\n")


def _mail(tmp_path: Path, script: str, dockerfile: str = _MAIL) -> Path:
    (tmp_path / "start.py").write_text(script)
    path = tmp_path / "Dockerfile"
    path.write_text(dockerfile)
    return path


def test_a_python_start_script_that_drops_root_is_not_root(tmp_path: Path) -> None:
    setuid = ("#!/usr/bin/env python3\nimport os, pwd\n"
              "user = pwd.getpwnam('mail')\nos.setgid(user.pw_gid)\nos.setuid(user.pw_uid)\n"
              "os.execv('/usr/bin/python3', ['python3', '-m', 'mailadmin'])\n")
    assert file_lines(_mail(tmp_path, setuid), "USR001") == []
    helper = "#!/usr/bin/env python3\nfrom tools import system\nsystem.drop_privs_to('mail')\nimport mailadmin\n"
    assert file_lines(_mail(tmp_path, helper), "USR001") == []


def test_a_python_start_script_ending_in_a_self_dropping_daemon_is_not_root(tmp_path: Path) -> None:
    listed = ("#!/usr/bin/env python3\nimport subprocess\nsubprocess.call(['/render_config.py'])\n"
              "cmd = ['/usr/sbin/dovecot', '-F', '-c', '/etc/dovecot/dovecot.conf']\nrun(cmd)\n")
    assert file_lines(_mail(tmp_path, listed), "USR001") == []
    execd = "#!/usr/bin/env python3\nimport os\nos.execv('/usr/bin/rspamd', ['rspamd', '-f', '-u', 'x', '-g', 'x'])\n"
    assert file_lines(_mail(tmp_path, execd), "USR001") == []


def test_a_python_start_script_that_keeps_root_is_still_judged(tmp_path: Path) -> None:
    plain = ("#!/usr/bin/env python3\nimport os\nos.system('render-config')\n"
             "os.execv('/usr/bin/radicale', ['radicale'])\n")
    assert file_lines(_mail(tmp_path, plain), "USR001") == [1]
    # a daemon run part-way (`os.system("dovecot ...")`) and then a root server last: the last one is what runs
    early = ("#!/usr/bin/env python3\nimport os\nos.system('dovecot -c /etc/proxy.conf')\n"
             "os.execv('/app/srv', ['srv'])\n")
    assert file_lines(_mail(tmp_path, early), "USR001") == [1]


# USR001: a shell start script whose last command hands a daemon to `bash -c` (`exec bash -c "exec varnishd ..."`)
# runs that daemon; varnishd started as root runs its worker as its own users, also after an explicit `USER root`.

_CACHE = ("FROM varnish:7.6\n"
          "USER root\n"
          "COPY default.vcl /etc/varnish/default.vcl\n"
          "COPY start.sh /etc/varnish/start.sh\n"
          'CMD ["/etc/varnish/start.sh"]\n'
          "EXPOSE 8080\n")


def _cache(tmp_path: Path, script: str) -> Path:
    (tmp_path / "start.sh").write_text(script)
    (tmp_path / "default.vcl").write_text("vcl 4.1;\n")
    path = tmp_path / "Dockerfile"
    path.write_text(_CACHE)
    return path


def test_a_start_script_ending_in_varnishd_under_bash_c_is_not_root(tmp_path: Path) -> None:
    script = ("#!/bin/bash\nset -e\nsed -i \"s|BACKEND|$BACKEND_HOST|\" /etc/varnish/default.vcl\n"
              "exec bash -c \"exec varnishd -a :8080 -F -f /etc/varnish/default.vcl -s malloc,128m\"\n")
    path = _cache(tmp_path, script)
    assert file_lines(path, "USR001") == []
    # still said at info, where hadolint's DL3002 says it: the explicit USER root is the master process's user
    assert [(f.line, f.severity) for f in lint_file(path).findings if f.rule == "USR001"] == [(2, "info")]


def test_a_start_script_ending_in_a_root_server_is_still_judged(tmp_path: Path) -> None:
    script = "#!/bin/bash\nset -e\nexec bash -c \"exec /usr/local/bin/cache-proxy --listen :8080\"\n"
    assert file_lines(_cache(tmp_path, script), "USR001") == [2]


# USR001: an image FROM an official database image that keeps its entrypoint (no ENTRYPOINT of its own, and a CMD
# that is the server or none) keeps its drop to the service user; one FROM an image whose own Dockerfile ends with a
# non-root USER inherits that user.

_REDIS = ("ARG REDIS_VERSION=7-alpine\n"
          "FROM redis:${REDIS_VERSION}\n"
          "COPY redis.conf /usr/local/etc/redis/redis.conf\n"
          "EXPOSE 6379\n"
          'CMD ["redis-server", "/usr/local/etc/redis/redis.conf"]\n')


def test_an_official_entrypoint_that_drops_is_kept() -> None:
    assert _lines(_REDIS, "USR001") == []
    keeper = "FROM docker.io/library/zookeeper:3.9\nEXPOSE 2181\nCMD [\"zkServer.sh\", \"start-foreground\"]\n"
    assert _lines(keeper, "USR001") == []
    options = "FROM redis:7\nEXPOSE 6379\nCMD [\"--appendonly\", \"yes\"]\n"
    assert _lines(options, "USR001") == []
    inherited_user = "FROM mailhog/mailhog\nEXPOSE 1025 8025\nCMD [\"MailHog\"]\n"
    assert _lines(inherited_user, "USR001") == []


def test_an_official_image_whose_entrypoint_is_replaced_is_still_judged() -> None:
    own_entry = _REDIS.replace('CMD ["redis-server"', 'ENTRYPOINT ["redis-server"')
    assert _lines(own_entry, "USR001") == [2]
    other_cmd = _REDIS.replace('CMD ["redis-server", "/usr/local/etc/redis/redis.conf"]',
                               'CMD ["node", "/app/worker.js"]')
    assert _lines(other_cmd, "USR001") == [2]  # the entrypoint drops only for redis-server
    not_dropping = "FROM rethinkdb:2.4\nEXPOSE 8080\nCMD [\"rethinkdb\", \"--bind\", \"all\"]\n"
    assert _lines(not_dropping, "USR001") == [1]


# MS001: a CI runner image (the GitHub Actions runner fetched into it, or a Buildkite or GitLab agent it starts)
# runs the jobs it is handed: the compilers it keeps are for those jobs.

_RUNNER = ("FROM ubuntu:22.04\n"
           "ARG RUNNER_VERSION=2.320.0\n"
           "RUN apt-get update && apt-get install -y --no-install-recommends build-essential curl git jq sudo \\\n"
           "    && rm -rf /var/lib/apt/lists/*\n"
           "RUN mkdir -p /opt/runner && cd /opt/runner \\\n"
           "    && curl -fLo runner.tgz https://github.com/actions/runner/releases/download/v${RUNNER_VERSION}/"
           "actions-runner-linux-x64-${RUNNER_VERSION}.tar.gz \\\n"
           "    && tar xzf runner.tgz && rm runner.tgz\n"
           "USER 1001\n"
           'ENTRYPOINT ["/opt/runner/start.sh"]\n')


def test_a_ci_runner_image_keeps_its_compilers() -> None:
    assert _lines(_RUNNER, "MS001") == []
    agent = ("FROM debian:12\nRUN apt-get update && apt-get install -y build-essential gitlab-runner \\\n"
             "    && rm -rf /var/lib/apt/lists/*\nUSER 1001\nCMD [\"gitlab-runner\", \"run\"]\n")
    assert _lines(agent, "MS001") == []


def test_an_image_that_only_mentions_runners_is_still_judged() -> None:
    service = _RUNNER.replace("actions-runner-linux-x64-${RUNNER_VERSION}.tar.gz", "app-${RUNNER_VERSION}.tar.gz")
    assert _lines(service, "MS001") == [3]


# SEC004: an ARG whose value is a true/false switch (`ARG COMPOSER_AUTH_JSON=false`, tested by the RUN to decide
# whether to copy a credential file) is a switch, not the credential.

_SWITCH = ("FROM php:8.3-cli\n"
           "ARG COMPOSER_AUTH_JSON=false\n"
           "ENV COMPOSER_AUTH_JSON ${COMPOSER_AUTH_JSON}\n"
           "COPY auth.json /tmp/auth.json\n"
           "RUN if [ ${COMPOSER_AUTH_JSON} = true ]; then mv /tmp/auth.json /root/.composer/; \\\n"
           "    else rm /tmp/auth.json; fi\n")


def test_a_true_false_switch_named_like_a_credential_is_no_secret() -> None:
    assert _lines(_SWITCH, "SEC004") == []
    assert _lines(_SWITCH.replace("=false", "=yes"), "SEC004") == []


def test_a_credential_valued_arg_is_still_reported() -> None:
    token = _SWITCH.replace("ARG COMPOSER_AUTH_JSON=false", "ARG COMPOSER_AUTH_JSON={\"github-oauth\": \"x\"}")
    assert _lines(token, "SEC004") == [5]
    given = _SWITCH.replace("ARG COMPOSER_AUTH_JSON=false", "ARG COMPOSER_AUTH_JSON")
    assert _lines(given, "SEC004") == [5]  # given at build time: a value, not a declared switch
