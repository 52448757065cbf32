"""Lines before a requirements file's pip install that keep a pinned list from failing on the catalog image: a
setuptools bound for pins that import pkg_resources, and the Windows-only pins of a list frozen on Windows left out.
"""

from __future__ import annotations

from pathlib import Path

from packaging.utils import canonicalize_name

from imgforge.generate.pins import REQUIREMENTS_FOLDER, SETUPTOOLS_BOUND, exact_pins, pkg_resources_users
from imgforge.recipes.model import Variant

# Packages with nothing to install on Linux, which `pip freeze` on Windows lists beside the rest (Twisted pulls in
# twisted-iocpsupport there): no Linux wheel, and an sdist that does not build on Linux, or none at all.
WINDOWS_ONLY = frozenset({"twisted-iocpsupport", "pywin32", "pypiwin32", "pywinpty", "windows-curses"})


def before_install(root: Path, chosen: Variant | None, install: str) -> list[str]:
    """The Dockerfile lines that go before the install of a requirements.txt (or a requirements/ folder's file)."""
    if chosen is None or not set(chosen.when) & {"requirements.txt", *REQUIREMENTS_FOLDER} or "pip" not in install:
        return []
    return _windows_only(root) + ([] if "--no-deps" in install else _setuptools_bound(root))


def _windows_only(root: Path) -> list[str]:
    """A step deleting the Windows-only pins from the builder's copy of the requirements files (the sources the
    runtime copies keep them), named in the comment above it."""
    pins = [p for p in exact_pins(root) if canonicalize_name(p.name) in WINDOWS_ONLY and p.applies("3.13")
            and (p.where == "requirements.txt" or p.where.startswith("requirements/"))]
    if not pins:
        return []
    names = "|".join(sorted({p.name.replace(".", r"\.") for p in pins}))  # a pin's name: letters, digits, . _ -
    files = " ".join(sorted({p.where for p in pins}))
    named = ", ".join(f"{p.name} {p.version} ({p.where})" for p in pins[:3])
    return [f"# {named}: Windows-only, as a list frozen on Windows has them; nothing installs on Linux, so this "
            "stage's copy goes without.",
            f"RUN sed -i -E '/^[[:space:]]*({names})[[:space:]]*([=<>!~;[]|$)/Id' {files}"]


def _setuptools_bound(root: Path) -> list[str]:
    """A pip constraint keeping setuptools below 82 when requirements.txt pins a release that imports pkg_resources
    at run time (gunicorn 20.1.0): pip resolves its `setuptools>=3.0` to the newest, which has no pkg_resources."""
    users = pkg_resources_users(exact_pins(root))
    if not users:
        return []
    named = ", ".join(f"{p.name} {p.version}" for p in users[:3])
    constraints = "/tmp/imgforge-constraints.txt"
    return [f"# {named} imports pkg_resources, which setuptools {SETUPTOOLS_BOUND} and later no longer ship: pip "
            f"keeps setuptools below {SETUPTOOLS_BOUND} in this stage.",
            f"RUN echo 'setuptools<{SETUPTOOLS_BOUND}' > {constraints}",
            f"ENV PIP_CONSTRAINT={constraints}"]
