"""Only the transport opens registry connections: no other module imports an HTTP or socket client."""

from __future__ import annotations

import ast
from pathlib import Path

import imgforge

NETWORK = ("requests", "urllib3", "httpx", "aiohttp", "http.client", "urllib.request", "socket", "oras")
HARMLESS = {"requests.structures"}  # CaseInsensitiveDict for headers (registry/wire.py): data, no I/O
ALLOWED = {
    "registry/transport.py": "the one registry transport",
    "manifest/probes.py": "HTTP/TCP probes of a running container, never a registry",
    "env/npmdist.py": "the npm registry's Node tarballs for the base catalog (pinned, sha512-checked), never an image "
                      "registry",
    "build/pyindex.py": "a Python package index's Simple API (PEP 691 JSON): which files an exact pin's release has, "
                        "for init's choice of Python; never an image registry",
}


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def test_only_the_transport_imports_a_network_client() -> None:
    root = Path(imgforge.__file__).parent
    offenders = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        hits = sorted(m for m in _imports(path) - HARMLESS if any(m == n or m.startswith(n + ".") for n in NETWORK))
        if hits and rel not in ALLOWED:
            offenders[rel] = hits
    assert offenders == {}
    assert (root / "env" / "immutability.py").exists()  # doctor's registry probe is among the modules checked
