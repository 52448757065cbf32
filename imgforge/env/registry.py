"""The embedded local OCI registry (distribution 2.8): start, stop, status.

It is the default push target when no registry is configured. The Debian binary
(`docker-registry`) is run as a background process with its storage under the state
folder; where it is missing, a locally available `registry` image is run instead.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from python_on_whales.exceptions import DockerException

from imgforge.env.engine import connect, docker_command
from imgforge.env.paths import state_dir
from imgforge.env.registry_api import env_transport
from imgforge.errors import EnvironmentProblem, ImgforgeError, RegistryUnavailable

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000
CONTAINER_NAME = "imgforge-registry"

_CONFIG = """\
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: {root}
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: {host}:{port}
  headers:
    X-Content-Type-Options: [nosniff]
{auth}"""

_HTPASSWD_AUTH = """\
auth:
  htpasswd:
    realm: imgforge
    path: {path}
"""


@dataclass(frozen=True)
class RegistryStatus:
    """What `imgforge registry status` reports."""

    url: str
    answering: bool
    how: str  # "process", "container", "external" or "stopped"
    pid: int | None
    storage: str
    repositories: int | None


def ping(where: str, timeout: float = 2.0, *, insecure: bool = False) -> int | None:
    """HTTP status of GET /v2/ at `where` (host[:port] or URL): 200, or 401 with auth on; None if nothing answers."""
    return env_transport(where, timeout, insecure=insecure).probe()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is not alive
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


class LocalRegistry:
    """A registry process on host:port with its storage under `home`."""

    def __init__(
        self,
        home: Path | None = None,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        htpasswd: Path | None = None,
    ) -> None:
        self.home = home if home is not None else state_dir() / "registry"
        self.host = host
        self.port = port
        self.htpasswd = htpasswd

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def address(self) -> str:
        """host:port, as used in image references."""
        return f"{self.host}:{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.home / "registry.pid"

    @property
    def log_file(self) -> Path:
        return self.home / "registry.log"

    def _pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if _pid_alive(pid) else None

    def answering(self) -> bool:
        return ping(self.url) in (200, 401)

    def up(self, timeout: float = 20.0) -> RegistryStatus:
        """Start the registry unless it already answers; recover from stale pid files."""
        if self.answering():
            return self.status()
        pid = self._pid()
        if pid is not None:  # alive but not answering: hung, replace it
            self._kill(pid)
        self.pid_file.unlink(missing_ok=True)
        binary = shutil.which("docker-registry") or shutil.which("registry")
        if binary:
            self._start_process(binary)
        else:
            self._start_container()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.answering():
                return self.status()
            pid = self._pid()
            if binary and pid is None:
                break
            time.sleep(0.2)
        tail = self._log_tail()
        raise RegistryUnavailable(f"starting the registry on {self.address}: it did not answer{tail}")

    def _log_tail(self) -> str:
        try:
            lines = [ln for ln in self.log_file.read_text(errors="replace").splitlines() if ln.strip()]
        except OSError:
            return ""
        return f" ({lines[-1][:300]})" if lines else ""

    def _write_config(self) -> Path:
        data = self.home / "data"
        data.mkdir(parents=True, exist_ok=True)
        auth = _HTPASSWD_AUTH.format(path=self.htpasswd) if self.htpasswd else ""
        config = self.home / "config.yml"
        config.write_text(_CONFIG.format(root=data, host=self.host, port=self.port, auth=auth))
        return config

    def _start_process(self, binary: str) -> None:
        config = self._write_config()
        with open(self.log_file, "ab") as log:
            proc = subprocess.Popen(  # noqa: S603 - fixed argv
                [binary, "serve", str(config)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,  # outlives this command, like a daemon
                close_fds=True,
            )
        self.pid_file.write_text(str(proc.pid))

    def _start_container(self) -> None:
        engine = connect("starting the registry container")
        docker = engine.docker
        # Raw `docker image ls`: python-on-whales' `image.list()` lists ids, then inspects each image for its tags,
        # which races with images removed meanwhile; one listing call with the tags does not.
        listed = subprocess.run(
            engine.command("image", "ls", "--format", "{{.Repository}}:{{.Tag}}"),
            capture_output=True, text=True, check=False, timeout=30,
        ).stdout.split()
        tags = sorted(t for t in listed if t.rsplit(":", 1)[0].rsplit("/", 1)[-1] == "registry")
        if not tags:
            raise EnvironmentProblem(
                "starting the registry: neither the docker-registry binary nor a local `registry` image "
                "is available (run `bash .ci/setup` or `apt-get install docker-registry`)"
            )
        tag = tags[0]
        self.home.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(DockerException):
            docker.container.remove(CONTAINER_NAME, force=True)
        docker.run(
            tag,
            name=CONTAINER_NAME,
            detach=True,
            publish=[(f"{self.host}:{self.port}", 5000)],
            volumes=[(str(self.home / "data"), "/var/lib/registry")],
            envs={"REGISTRY_STORAGE_DELETE_ENABLED": "true"},
        )

    def _kill(self, pid: int, grace: float = 5.0) -> None:
        try:
            os.killpg(pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and _pid_alive(pid):
            time.sleep(0.1)
        if _pid_alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def down(self) -> bool:
        """Stop the registry this state folder started; True when something was stopped."""
        stopped = False
        pid = self._pid()
        if pid is not None:
            self._kill(pid)
            stopped = True
        self.pid_file.unlink(missing_ok=True)
        if shutil.which("docker") and not stopped:
            # Raw `docker rm -f`: python-on-whales takes no timeout, and `registry down` must return on a hung engine.
            res = subprocess.run(
                docker_command("rm", "-f", CONTAINER_NAME), capture_output=True, text=True, check=False, timeout=30
            )
            stopped = res.returncode == 0 and CONTAINER_NAME in res.stdout
        return stopped

    def _container_running(self) -> bool:
        if shutil.which("docker") is None:
            return False
        # Raw `docker ps`: python-on-whales takes no timeout; `registry status` and `doctor` answer on a hung engine.
        res = subprocess.run(
            docker_command("ps", "-q", "--filter", f"name=^{CONTAINER_NAME}$", "--filter", f"publish={self.port}"),
            capture_output=True, text=True, check=False, timeout=15,
        )
        return bool(res.stdout.strip())

    def repositories(self) -> int | None:
        try:
            resp = env_transport(self.url, 3.0).request("GET", "/v2/_catalog?n=1000", "listing repositories")
            return len(resp.json().get("repositories") or [])
        except (ImgforgeError, ValueError, AttributeError):
            return None

    def status(self) -> RegistryStatus:
        answering = self.answering()
        pid = self._pid()
        if pid is not None:
            how = "process"
        elif answering:
            how = "container" if self._container_running() else "external"
        else:
            how = "stopped"
        return RegistryStatus(
            url=self.url,
            answering=answering,
            how=how,
            pid=pid,
            storage=str(self.home / "data"),
            repositories=self.repositories() if answering else None,
        )


def default_registry() -> LocalRegistry:
    """The embedded registry, on $IMGFORGE_REGISTRY_PORT or 5000."""
    port = int(os.environ.get("IMGFORGE_REGISTRY_PORT", DEFAULT_PORT))
    return LocalRegistry(port=port)
