"""user: the image should not run as root."""

from __future__ import annotations

import re
from collections.abc import Iterator

from imgforge.lint import lazy_re
from imgforge.lint.context import PYTHON_DROP
from imgforge.lint.model import Dockerfile, Instruction
from imgforge.lint.rules.base import Hit, hit, per_file, rule
from imgforge.lint.rules.effects import run_effects
from imgforge.lint.rules.entry import INIT_WRAPPERS, start_script_ends_with, start_script_programs, start_words
from imgforge.lint.rules.multistage import is_base_image
from imgforge.lint.rules.shell import commands, program, top_commands, without_substitutions

_ROOT = lazy_re.compile(r"^(root|0)(:.*)?$")
# Entrypoints of official images start as root and drop to a service user with one of these.
_PRIVILEGE_DROP = {"gosu", "su-exec", "setpriv", "chpst", "setuidgid", "s6-setuidgid"}
# Daemons that start as root on purpose and run their workers as an unprivileged user from their own config.
_SELF_DROPPING = lazy_re.compile(r"^(nginx|httpd|httpd-foreground|apache2|apache2ctl|apache2-foreground|lighttpd|"
                                 # nginx's debug binary; OpenResty is nginx (its `user` directive runs the workers as
                                 # nobody), also in its debug and valgrind builds
                                 r"nginx-debug|openresty|openresty-debug|openresty-valgrind|"
                                 r"php-fpm[\d.]*|haproxy|squid|named|sshd|dovecot|postfix|unbound|dnsmasq|openvpn|"
                                 r"supervisord|crond?|init|systemd|vsftpd|proftpd|pure-ftpd|tinyproxy|rsyslogd|"
                                 r"ocserv|ipsec|charon|tincd?|pptpd|xl2tpd|wg-quick|dsvpn|shadowvpn|sniproxy|h2o|runit\S*|"
                                 r"runsvdir|s6-svscan|smbd|nmbd|samba|radiusd|freeradius|cupsd|mysqld_safe|exim4?|"
                                 r"opendkim|slapd|mosquitto|"
                                 # rspamd refuses to run as root without -u/-g and drops to them; varnishd started as
                                 # root runs its worker under its build's varnish and vcache users (its unix jail)
                                 r"rspamd|varnishd|"
                                 # user from their config: dante's `user.unprivileged`, stunnel's `setuid`, netdata's
                                 # `run as user`, dbus's `<user>`; chronyd and avahi-daemon switch to their build's user
                                 r"sockd|danted|stunnel[34]?|netdata|dbus-daemon|chronyd|avahi-daemon|"
                                 # icecast refuses to run as root and switches by its config's <changeowner>; pdnsd by
                                 # its `run_as` (both set so in the distributions' packaged configs)
                                 r"icecast2?|pdnsd|"
                                 # clamd by its `User clamav`, freshclam by `DatabaseOwner` (so in packaged configs)
                                 r"clamd|freshclam|"
                                 # database servers that refuse to run as root (postgres exits, mysqld wants a
                                 # `user`): a container starting one runs it as its own user; `start-mysql` wrappers
                                 r"postgres|postgresql|pg_ctl|pg_ctlcluster|mysqld|mysql|mariadbd|mariadb)$")
# Programs that need root to do their job at all: host monitors (per-process I/O and open files of every user's
# processes) and packet capture. Not node_exporter: it reads /proc and /sys as any user.
_NEEDS_ROOT_PROGRAMS = lazy_re.compile(r"^(cadvisor|glances|kismet|tcpdump|tshark|dumpcap|ntopng|arpwatch|iftop|"
                                       r"nethogs)$")
# Programs whose job is to mount a FUSE file system (and rclone as a Docker volume plugin, which mounts one per
# volume for the daemon): opening /dev/fuse and mounting take root in the container, whatever USER says.
_FUSE_MOUNT = lazy_re.compile(r"^(\S*/)?(s3fs|gcsfuse|goofys|sshfs|mergerfs|rclone (mount|serve docker)|"
                              r"juicefs mount|geesefs)(\s|$)")
_PYTHON = lazy_re.compile(r"^python[\d.]*$")
# `run-httpd.sh`, `start-nginx`: a wrapper named after the daemon it starts.
_WRAPPER_NAME = lazy_re.compile(r"^(run|start|docker)[-_]|\.sh$")
# Packages whose daemons need root (tunnels, firewalls, a Docker engine for docker-in-docker): such images run as
# root on purpose. The Docker client alone (docker-ce-cli) is no daemon.
_NEEDS_ROOT_PACKAGES = lazy_re.compile(r"^(openvpn|ocserv|strongswan|libreswan|tinc|pptpd|xl2tpd|wireguard(-tools)?|"
                                       r"iptables|nftables|openconnect|softether\S*|nfs-kernel-server|nfs-utils|nfs-ganesha|"
                                       r"docker-ce|docker\.io|docker-engine|moby-engine)$")
_WINDOWS = lazy_re.compile(r"(^|[/_-])(windows|nanoserver|servercore|windowsservercore)([/:@_-]|$)", re.I)


def _last_user(df: Dockerfile) -> Instruction | None:
    last = None
    for stage in df.shipped():
        for ins in stage.instructions:
            if ins.keyword == "USER":
                last = ins
    return last


def _user(ins: Instruction) -> str:
    return ins.args.strip().strip("\"'").split(":")[0]


def _drops_privileges(df: Dockerfile) -> bool:
    return any(ins.keyword == "RUN" and any(program(c) in _PRIVILEGE_DROP or
                                            any(w.split("/")[-1].startswith(tuple(_PRIVILEGE_DROP)) for w in c)
                                            for c in commands(ins.script))
               for stage in df.shipped() for ins in stage.instructions) or \
        any(ins.keyword in ("ENTRYPOINT", "CMD") and any(p in ins.args for p in _PRIVILEGE_DROP)
            for stage in df.shipped() for ins in stage.instructions)


_ADD_USER = {"useradd", "adduser"}
# An entrypoint script of the image's own: `docker-entrypoint.sh`, `/usr/local/bin/entrypoint`, `./start.sh`.
_SCRIPT = lazy_re.compile(r"(\.sh$|entrypoint|^(run|start)$)", re.I)


def _script_drops_to_created_user(df: Dockerfile) -> bool:
    """True when the image creates a user it never switches to and starts through its own script: the
    official-image pattern (postgres, redis, rabbitmq), whose entrypoint script starts as root to fix volume
    ownership, then execs the service as that user with gosu, su-exec, su or runuser."""
    words = start_words(df)
    if not words or not _SCRIPT.search(words[0].rsplit("/", 1)[-1]):
        return False
    return any(ins.keyword == "RUN" and any(program(c) in _ADD_USER for c in commands(ins.script))
               for stage in df.shipped() for ins in stage.instructions)


# What an entrypoint script of the image's own may call to run the service as another user (a Python start script's
# own `os.setuid` counts too).
_SCRIPT_DROP = _PRIVILEGE_DROP | {"su", "runuser", "sudo", PYTHON_DROP}


def _entry_script_drops(df: Dockerfile) -> bool:
    """True when the container starts with a script of the build context that runs the service through a
    privilege drop (`exec setpriv --reuid=influxdb …`, `exec gosu redis "$@"`, `su-exec`, `runuser -u`): the
    official-image pattern, whose entrypoint starts as root to fix volume ownership, then drops."""
    programs = start_script_programs(df)
    return programs is not None and bool(programs & _SCRIPT_DROP)


def _daemon_drops(df: Dockerfile) -> bool:
    """True when the final command is a daemon that switches its workers to a service user itself."""
    entry = df.entry()
    if not entry:
        return False
    if any(ins.keyword == "RUN" and any(_NEEDS_ROOT_PACKAGES.match(p) for p in run_effects(ins.script).kept)
           for stage in df.shipped() for ins in stage.instructions):
        return True
    script, words = _started_program(entry)
    if not (words and _PYTHON.match(words[0])) and any(  # python's -u is unbuffered output, not a user
            w in ("-u", "--user", "-user") and k + 1 < len(words) and not _ROOT.match(words[k + 1])
            or w.startswith("--user=") and not _ROOT.match(w.split("=", 1)[1]) for k, w in enumerate(words)):
        return True  # `memcached -u daemon`, `mysqld --user=mysql`: the program switches user itself
    if words and (_NEEDS_ROOT_PROGRAMS.match(words[0]) or _FUSE_MOUNT.match(" ".join(words[:3]))):
        return True
    # the program, a wrapper script named after the daemon it starts (`run-httpd.sh`), and the program the image's
    # own start script ends by running (`start.py` ending in `os.execv("/usr/sbin/unbound", ...)`)
    ends_with = start_script_ends_with(df)
    return any(_SELF_DROPPING.match(p) or _SELF_DROPPING.match(_WRAPPER_NAME.sub("", p))
               for p in [*script, *words[:1], *([ends_with] if ends_with else [])])


def _command_words(given: Instruction | None) -> list[str]:
    """The words of an ENTRYPOINT or CMD, programs by basename; for a shell form, its last command."""
    if given is None:
        return []
    if given.json_args is not None:
        words = list(given.json_args)
    else:  # a shell-form `setup && nginx -g 'daemon off;'` runs the daemon last: that command is the program
        shell = top_commands(without_substitutions(given.args))[-1:]
        words = list(shell[0]) if shell else given.args.split()
    return [w.rsplit("/", 1)[-1] for w in words]


def _started_program(entry: dict[str, Instruction]) -> tuple[list[str], list[str]]:
    """The entrypoint script that starts the program (if any) and the program the container ends up running with
    its arguments, past what only starts it: init wrappers (`tini -- nginx`), an entrypoint script given a CMD
    (`/start.sh` + `sshd -D`: the script execs the CMD, as `docker-php-entrypoint apache2-foreground` does) and
    `python -m module` (the module)."""
    head = [w for w in _command_words(entry.get("ENTRYPOINT")) if w not in INIT_WRAPPERS]
    tail = _command_words(entry.get("CMD"))
    script: list[str] = []
    if head and (_SCRIPT.search(head[0]) or "entrypoint" in head[0].lower()) and tail \
            and not tail[0].startswith("-"):
        script = head[:1]
        words = [w for w in tail if w not in INIT_WRAPPERS]
    else:  # the ENTRYPOINT is the program, the CMD its arguments (or the program when alone)
        words = [w for w in head + tail if w not in INIT_WRAPPERS and "entrypoint" not in w.lower()]
    if words and _PYTHON.match(words[0]) and "-m" in words:
        k = words.index("-m")
        if all(w.startswith("-") for w in words[1:k]):  # `python3 -u -m glances`, not `python app.py -m x`
            words = words[k + 1:]
    return script, words


# Official images whose entrypoint starts as root and drops to the service's user (gosu, setpriv) when the command is
# the server or only its options; a Dockerfile FROM one that sets no ENTRYPOINT keeps it.
_DROPPING_ENTRYPOINTS = {"redis": {"redis-server"}, "zookeeper": {"zkServer.sh"}, "mongo": {"mongod"},
                         "rabbitmq": {"rabbitmq-server"}, "cassandra": {"cassandra"}, "influxdb": {"influxd"},
                         "couchdb": {"couchdb"}, "neo4j": {"neo4j"}, "postgres": {"postgres"}, "mysql": {"mysqld"},
                         "mariadb": {"mariadbd", "mysqld"}, "percona": {"mysqld"}}
# Images whose own Dockerfile ends with a non-root USER, which an image FROM them that sets none inherits.
_NON_ROOT_BASES = lazy_re.compile(r"^(mailhog/mailhog|grafana/grafana(-oss|-enterprise)?|"
                                  r"prom/(prometheus|alertmanager)|memcached|solr|sonarqube|odoo|jenkins/jenkins|"
                                  r"bitnami/(?!minideb)[\w.-]+)$")  # bitnami/minideb is a root OS base


def _repository(image: str) -> str:
    """`docker.io/library/redis:7-alpine` -> `redis`: the repository, without registry default, tag or digest."""
    name = image.split("@")[0]
    if ":" in name.rsplit("/", 1)[-1]:
        name = name.rsplit(":", 1)[0]
    for prefix in ("docker.io/", "index.docker.io/", "library/"):
        name = name.removeprefix(prefix)
    return name.lower()


def _unresolved(image: str) -> bool:
    """True when FROM names its base only through a build argument without a default (`ARG BUILD_FROM` then
    `FROM $BUILD_FROM`, a Home Assistant add-on's builder convention): which user the base runs as is unknown."""
    return not image or image.startswith(("$", ":", "@"))


def _base_runs_unprivileged(df: Dockerfile) -> bool:
    """True when the final image keeps what its upstream image does to run unprivileged: that image's non-root
    USER, or an official entrypoint that drops to the service user (no ENTRYPOINT here, and a CMD naming that
    server, giving it options, or none)."""
    shipped = df.shipped()
    if not shipped:
        return False
    repo = _repository(shipped[0].image)
    if _NON_ROOT_BASES.match(repo):
        return True
    servers = _DROPPING_ENTRYPOINTS.get(repo)
    entry = df.entry()
    if servers is None or "ENTRYPOINT" in entry:
        return False
    cmd = _command_words(entry.get("CMD"))
    return not cmd or cmd[0] in servers or cmd[0].startswith("-")


# The atomic/podman `LABEL RUN="podman run --privileged ..."` convention: the image says how it must be started.
_PRIVILEGED_RUN_LABEL = lazy_re.compile(r"""^["']?(RUN|INSTALL)["']?(=|\s).{0,2000}?--privileged\b""", re.I | re.S)


def _runs_privileged(df: Dockerfile) -> bool:
    """True when the image's own RUN or INSTALL label starts it with --privileged: a host tool that needs root."""
    return any(ins.keyword == "LABEL" and _PRIVILEGED_RUN_LABEL.match(ins.args)
               for stage in df.shipped() for ins in stage.instructions)


# AWS Lambda runs a function's container as its own non-root sandbox user, whatever USER says. A function image is
# built on a Lambda base image, or carries a Lambda extension in /opt/extensions (the Lambda Web Adapter that lets a
# plain web app run as a function goes there).
_LAMBDA_BASE = lazy_re.compile(r"^(public\.ecr\.aws/lambda/|amazon/aws-lambda-)", re.I)
_LAMBDA_EXTENSIONS = "/opt/extensions"


def _lambda_function(df: Dockerfile) -> bool:
    """True when what ships is an AWS Lambda function image (a Lambda base, or an extension in /opt/extensions)."""
    for stage in df.shipped():
        if _LAMBDA_BASE.match(stage.image):
            return True
        for ins in stage.instructions:
            if ins.keyword in ("COPY", "ADD"):
                dest = (list(ins.json_args) if ins.json_args is not None else ins.args.split())[-1:]
                if dest and (dest[0].rstrip("/") + "/").startswith(_LAMBDA_EXTENSIONS + "/"):
                    return True
    return False


def windows_image(df: Dockerfile) -> bool:
    """True when what ships is a Windows image (a Windows base, or the backtick escape Windows Dockerfiles use)."""
    return any(_WINDOWS.search(s.image) for s in df.shipped()) or df.escape == "`"


_SERVER_WORDS = lazy_re.compile(r"(server|serve|gunicorn|uvicorn|hypercorn|waitress|daphne|puma|unicorn|rails|node|npm|"
                                r"yarn|java|\.jar|catalina|flask|django|manage\.py|app|api|web|http|proxy|agent|worker|"
                                r"daemon|start)", re.I)
# `run` as a word (`signal run`) or a start script named just that (`/run.sh`, `./run`); not inside a name
# (`run_trial.py`, `/runner`, `remote_runner`), which names jobs as often as servers.
_RUN = lazy_re.compile(r"^(\S*/)?run(\.sh)?$")
_TOOL_ARGS = {"--help", "-h", "help", "--version"}


def _entry_words(df: Dockerfile) -> list[str]:
    words: list[str] = []
    for stage in df.shipped():
        for ins in stage.instructions:
            if ins.keyword == "ENTRYPOINT":
                words = list(ins.json_args if ins.json_args is not None else ins.args.split())
    for stage in df.shipped():
        for ins in stage.instructions:
            if ins.keyword == "CMD":
                cmd = list(ins.json_args if ins.json_args is not None else ins.args.split())
                words = [w for w in words if w not in _TOOL_ARGS] + cmd
    return words


@per_file
def is_service(df: Dockerfile) -> bool:
    """True for an image that serves: it EXPOSEs a port, has a HEALTHCHECK, or its command reads like a server."""
    if any(ins.keyword in ("EXPOSE", "HEALTHCHECK") for s in df.shipped() for ins in s.instructions):
        return True
    words = _entry_words(df)
    return bool(words) and words[-1] not in _TOOL_ARGS and any(_SERVER_WORDS.search(w) or _RUN.match(w)
                                                               for w in words[:3])


@per_file
def _root_by_default(df: Dockerfile) -> Hit | None:
    """Where the final image runs as root without a reason we can see, or None."""
    final = df.final
    if final is None or windows_image(df):
        return None
    last = _last_user(df)
    if last is None:
        if final.image.lower() == "scratch" and not final.instructions[1:]:
            return None
        if "nonroot" in final.image or _unresolved(final.image):
            return None  # distroless :nonroot images default to uid 65532; a base only the build names: unknown
        if is_base_image(df) or _drops_privileges(df) or _daemon_drops(df) or _script_drops_to_created_user(df) \
                or _entry_script_drops(df) or _runs_privileged(df) or _lambda_function(df) \
                or _base_runs_unprivileged(df):
            return None  # a base to extend (children install as root), an entrypoint that drops to a user (also
            # one kept from an official image), a non-root USER inherited, or a Lambda function (Lambda runs it as
            # its own non-root user)
        return Hit(final.line, final.line, "the final stage never sets USER and no entrypoint drops privileges, so "
                                           "the container runs as root; a compromised process then owns it")
    if _ROOT.match(_user(last)) and not _drops_privileges(df) and not is_base_image(df) \
            and not _entry_script_drops(df):
        if _daemon_drops(df):  # said, as hadolint's DL3002 does, but at info: the daemon's workers drop root
            return hit(last, "the last USER is root; the daemon the container starts switches its workers to an "
                             "unprivileged user itself, so only its master process keeps root", "info")
        return hit(last, "the last USER is root, so the container runs as root")
    return None


# The Home Assistant builder passes an add-on's base as the BUILD_FROM build argument; the Supervisor then starts
# the add-on as root on purpose (host access it declares in its config, confined by its AppArmor profile).
_HA_BASE = lazy_re.compile(r"""^["']?\$(\{BUILD_FROM\}|BUILD_FROM)["']?(\s|$)""")


def _home_assistant_addon(df: Dockerfile) -> bool:
    """True when what ships is built FROM the BUILD_FROM argument the Home Assistant builder passes."""
    shipped = df.shipped()
    if not shipped or "BUILD_FROM" not in df.global_args:
        return False
    return any(ins.keyword == "FROM" and ins.line == shipped[0].line and _HA_BASE.match(ins.args)
               for ins in df.instructions)


@rule("USR001", "user", "warning", "Service runs as root",
      "Create an unprivileged user and end with `USER 10001` (a numeric UID).")
def runs_as_root(df: Dockerfile) -> Iterator[Hit]:
    found = _root_by_default(df)
    if found is not None and is_service(df):
        if _home_assistant_addon(df):  # said, at info: root is the Supervisor's design for add-ons
            yield Hit(found.line, found.end_line, found.message + " (a Home Assistant add-on: the Supervisor "
                                                                   "starts add-ons as root by design)", "info")
            return
        yield found


@rule("USR003", "user", "info", "Tool image runs as root",
      "Add `USER 10001` (files it writes to mounted folders then belong to that UID, not to root).")
def tool_as_root(df: Dockerfile) -> Iterator[Hit]:
    found = _root_by_default(df)
    if found is not None and not is_service(df):  # a CLI or desktop tool, run by hand: a weaker case
        yield Hit(found.line, found.end_line, found.message)


@rule("USR002", "user", "info", "Non-numeric USER",
      "Use a numeric UID (USER 10001:10001) so Kubernetes runAsNonRoot can verify it.")
def non_numeric(df: Dockerfile) -> Iterator[Hit]:
    last = _last_user(df)  # only the user the container runs as matters; intermediate USER root is routine
    if last is None or windows_image(df):
        return
    user = _user(last)
    if user and not user.isdigit() and not user.startswith("$") and not _ROOT.match(user) and \
            not user.startswith("Container"):
        yield hit(last, f"USER {user[:40]} is a name: Kubernetes runAsNonRoot cannot verify a non-numeric user "
                        "and the host cannot resolve it")
