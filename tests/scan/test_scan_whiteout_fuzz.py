"""Property test: the tar/whiteout reader and accounting agree with a simple bottom-up overlay model."""

from __future__ import annotations

import io
import posixpath

from hypothesis import given, settings
from hypothesis import strategies as st
from scanhelp import layer_tar, reference_overlay

from imgforge.scan import account, scan_layer
from imgforge.scan.layer import FILE

DIRS = ["/a", "/a/b", "/c"]
FILES = ["/a/x", "/a/b/y", "/a/b/v", "/c/z", "/w"]

op = st.one_of(st.tuples(st.just("file"), st.integers(0, 50)), st.just(("wh", 0)), st.just(("opq", 0)),
               st.just(("dir", 0)))
layer_ops = st.dictionaries(st.sampled_from(DIRS + FILES), op, max_size=6)


def _parents(path: str) -> list[str]:
    out = []
    while (path := posixpath.dirname(path)) != "/":
        out.append(path)
    return out[::-1]


def _build(ops: dict[str, tuple[str, int]]) -> list[tuple[str, str, int]]:
    whited = {p for p, (kind, _) in ops.items() if kind == "wh"}
    out: list[tuple[str, str, int]] = []
    seen: set[str] = set()
    for path, (kind, size) in ops.items():
        if kind == "file" and path in DIRS:
            kind = "dir"
        if kind in ("opq", "dir") and path in FILES:
            kind = "wh"
        if any(p in whited for p in _parents(path)):
            continue
        for p in _parents(path) + ([path] if kind in ("opq", "dir") else []):
            if p not in seen:
                seen.add(p)
                out.append(("dir", p, 0))
        if kind == "file":
            out.append(("file", path, size))
        elif kind in ("opq", "wh"):
            out.append((kind, path, 0))
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(layer_ops, min_size=1, max_size=5))
def test_accounting_matches_reference_overlay(layers):
    built = [_build(ops) for ops in layers]
    specs = [[(k, p, b"z" * s) if k == "file" else (k, p) for k, p, s in layer] for layer in built]
    scans = [scan_layer(io.BytesIO(layer_tar(s)), f"layer {i}") for i, s in enumerate(specs)]
    acc = account(scans)
    ref = reference_overlay(built)
    assert acc.total_bytes == ref.total
    assert acc.wasted_bytes == ref.wasted
    # Empty files cost nothing and the accounting keeps no state for them: compare non-empty ones.
    visible = {s.paths[j]: (i, s.sizes[j]) for i, s in enumerate(scans) for j in range(len(s.paths))
               if s.kinds[j] == FILE and s.sizes[j] and acc.visible(i, j)}
    assert visible == {p: v for p, v in ref.visible.items() if v[1]}
    assert sum(f.hidden_bytes for f in acc.layers) == acc.wasted_bytes
