"""What a file's path says: an obvious binary to skip, a config file whose unquoted values are literals, or
third-party code (a dependency tree, the language's own library, a vendored front-end library)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from fnmatch import translate

_BINARY_EXTENSIONS = frozenset(
    (
        "so", "a", "o", "ko", "dll", "dylib", "exe", "bin", "elf", "class", "jar", "war", "ear", "pyc", "pyo",
        "pyd", "whl", "egg", "zip", "gz", "tgz", "bz2", "xz", "zst", "lz4", "lzma", "7z", "rar", "tar", "deb",
        "rpm", "apk", "png", "jpg", "jpeg", "gif", "bmp", "ico", "icns", "webp", "tif", "tiff", "psd", "svgz",
        "woff", "woff2", "ttf", "otf", "eot", "mo", "pdf", "mp3", "mp4", "ogg", "wav", "flac", "avi", "mov", "mkv",
        "webm", "db", "sqlite", "sqlite3", "pack", "idx", "wasm", "node", "pickle", "pkl", "npy", "npz", "h5",
        "onnx", "pt", "ckpt",
    )
)  # fmt: skip
_LITERAL_GLOBS = (
    ".env", ".env.*", "*.env", "*.properties", "*.ini", "*.cfg", "*.conf", "*.yaml", "*.yml", "*.toml",
    "Dockerfile", "Dockerfile.*", "*.dockerfile", "Containerfile", "*.sh", "*.bash", "*.zsh", ".bashrc",
    ".profile", ".bash_profile", ".zshrc", ".npmrc", "npmrc", ".pypirc", ".netrc", "_netrc", "*.tfvars",
    "credentials", "*.credentials", "config", "pip.conf", ".gitconfig", ".git-credentials", "*.service",
    "Makefile", "GNUmakefile", "*.mk",
)  # fmt: skip


def glob_matcher(globs: Iterable[str]) -> re.Pattern[str]:
    """One compiled regex matching a base name against any of ``globs`` (fnmatch syntax, case-sensitive)."""
    return re.compile("|".join(f"(?:{translate(glob)})" for glob in globs) or "(?!)")


_LITERAL = glob_matcher(_LITERAL_GLOBS)


def is_binary_path(path: str) -> bool:
    """True when the extension names a format that is never text (``.so``, ``.png``, ``.whl``...)."""
    base = posixpath.basename(path).lower()
    stem, dot, ext = base.rpartition(".")
    if not dot or not stem:
        return False
    if ext.isdigit() and ".so." in f".{base}":
        return True  # libfoo.so.1.2
    return ext in _BINARY_EXTENSIONS


def literal_values_for(path: str) -> bool:
    """True where an unquoted ``KEY=value`` is a literal (``.env``, YAML, INI, shell), not a code expression."""
    return _LITERAL.match(posixpath.basename(path)) is not None


# Where package managers and distributions put other people's code: the trees a build installs, never writes.
# Their docs and tests hold sample credentials by the hundred (connection URLs in ORM docstrings, TLS test keys,
# option defaults named `password`), so rules of those kinds skip them (Rule.third_party); the image's own files
# and a vendor token anywhere are still looked at. The same folders gitleaks leaves out by default.
_THIRD_PARTY = re.compile(
    r"(?:^|/)(?:node_modules|bower_components|jspm_packages|site-packages|dist-packages|vendor|\.yarn|\.m2|"
    r"\.gradle|\.cargo/registry|go/pkg/mod|\.bundle|bundle/ruby|gems/[^/]+/gems)/"
    r"|(?:^|/)lib(?:64)?/python[23][.\d]*/"  # the standard library, wherever Python lives (/usr, venv, pyenv)
    r"|(?:^|/)usr/(?:local/)?lib(?:64)?/(?:node_modules|ruby|jvm|perl5?|go(?:lang)?)/"
    r"|(?:^|/)usr/local/bundle/"  # the official ruby images' GEM_HOME
    r"|(?:^|/)usr/share/(?:doc|javascript|perl5?|ruby[^/]*|gems|go[^/]*|java)/"
    # notebook extensions Python packages install as data files into their prefix (a venv's share/jupyter)
    r"|(?:^|/)share/jupyter/(?:nbextensions|labextensions)/"
    # Next.js's build writes fresh random keys at every `next build` (preview mode: prerender-manifest up to 14,
    # server/preview-props from 15; the server actions' encryptionKey: server/server-reference-manifest); its server
    # reads them, so every Next.js image has them, none can be kept out, and no baseline can accept them (they
    # change per build)
    r"|(?:^|/)\.next/(?:prerender-manifest|server/preview-props|server/server-reference-manifest)\.js(?:on)?$"
    # front-end libraries copied into a site by hand (Bootstrap in static/, jQuery in assets/), and their maps
    r"|(?:^|/)(?:angular|bootstrap|jquery(?:-?ui)?|plotly|popper|swagger-?ui)[a-zA-Z0-9.-]*\.js(?:\.map)?$"
)


# The project's own tests, docs and examples, wherever its files land in the image (`/app/tests/…`,
# `/srv/docs/…`, a README): fixtures, sample configs and walkthroughs hold made-up credentials (a test suite's
# TLS key, a docs page's `SECRET_KEY = "…"`, a notifier test's token), which no build keeps out of the image. The
# same rules skip them as third-party code; vendor-shaped tokens are still looked for there. trivy's built-in
# allow rules leave such paths (and every Markdown file) out for all its rules.
_SAMPLE = re.compile(
    r"(?:^|/)(?:tests?|testdata|test[_-]data|test[_-]?files|__tests__|fixtures?|spec|specs|docs?|examples?|samples?)/"
    r"|(?:^|/)(?:test_[^/]*\.py|[^/]*_test\.(?:py|go|rb)|conftest\.py|[^/]*\.(?:test|spec)\.[cm]?[jt]sx?)$"
    r"|\.(?:md|markdown|rst|adoc|example|sample)$",
    re.IGNORECASE,
)


def is_sample(path: str) -> bool:
    """True for a file of the project's own tests, docs or examples (`tests/…`, `test_x.py`, `x.spec.ts`,
    `docs/…`, `README.md`, `.env.example`): sample values, judged like third-party code."""
    return _SAMPLE.search(path) is not None


def is_third_party(path: str) -> bool:
    """True for a file in third-party code: a dependency tree (node_modules, site-packages, vendor/...), the
    language's own library (/usr/lib/python3.11/...), or a front-end library copied into the site."""
    return _THIRD_PARTY.search(path) is not None
