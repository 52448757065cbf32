"""What a file's path says: an obvious binary to skip, or a config file whose unquoted values are literals."""

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
