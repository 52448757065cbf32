"""Filesystem accounting over a stack of layers: what each file version costs and whether it is still visible.

Definitions (bytes are regular-file sizes as stored in the layer tars; hardlinks, symlinks, directories
and whiteouts cost 0):

- ``total_bytes``  = the sum of regular-file sizes over all layers.
- ``wasted_bytes`` = the bytes of every file version that ships in some layer but is not visible in the
  final filesystem: overwritten later (also by a later entry of the same layer), replaced by a directory
  or other entry, or hidden by a later whiteout (``.wh.NAME``, which hides NAME and its whole subtree) or
  opaque whiteout (``.wh..wh..opq``, which hides everything lower layers put in that directory).
  A version reachable through a visible hardlink of the same layer is visible.
- ``efficiency``   = 1 - wasted_bytes / total_bytes (1.0 for an empty image).
- Per layer: ``bytes`` (regular-file bytes it adds), ``wasted_bytes`` (its own bytes not visible at the
  end) and ``hidden_bytes`` (bytes of lower layers it makes invisible). Both per-layer columns sum to the
  image's ``wasted_bytes``; the layer that hides a version is the nearest higher layer that does.

The walk goes newest layer first, as go-containerregistry's `mutate.Extract` does, so each lower entry
is judged against one dict of the paths higher layers claimed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from imgforge.scan.layer import DIR, FILE, HARDLINK, OPAQUE, WHITEOUT, LayerScan

DELETED, OVERWRITTEN, REPLACED, OPAQUED, METADATA = "deleted", "overwritten", "replaced", "opaque", "metadata-only"
_SHIFT = 36  # claim = cut << _CUT | layer << _SHIFT | entry << 3 | kind (one int per path keeps memory low)
_CUT = 56  # cut = (nearest layer that hides the subtree + 1) << 1 | (1 if by a whiteout)
_LAYER_MASK = (1 << (_CUT - _SHIFT)) - 1


@dataclass(frozen=True)
class Wasted:
    """A file version that ships but is not visible: where it came from and what hid it."""

    path: str
    added_in: int
    removed_in: int
    bytes: int
    how: str


@dataclass(frozen=True)
class LayerFigures:
    """Per-layer figures (see the module docstring)."""

    index: int
    bytes: int
    wasted_bytes: int
    hidden_bytes: int
    files: int
    whiteouts: int


@dataclass(frozen=True)
class Accounting:
    """The accounting of a whole image; `hidden` maps (layer, entry) of every invisible non-empty file version."""

    total_bytes: int
    wasted_bytes: int
    layers: tuple[LayerFigures, ...]
    wasted: tuple[Wasted, ...]
    hidden: dict[tuple[int, int], tuple[int, str]]

    @property
    def efficiency(self) -> float:
        return 1.0 if self.total_bytes == 0 else 1.0 - self.wasted_bytes / self.total_bytes

    def visible(self, layer: int, entry: int) -> bool:
        """Whether a non-empty file version is visible at the end (empty files are not tracked)."""
        return (layer, entry) not in self.hidden


class _Node:
    """A directory in the trie of paths that hide their subtree: path bookkeeping stays linear in path length.

    A leaf that only carries a cut is stored as that small int in its parent's `kids` (no object of its own).
    """

    __slots__ = ("kids", "cut", "opaque")

    def __init__(self, cut: int = 0) -> None:
        self.kids: dict[str, _Node | int] = {}
        self.cut = cut
        self.opaque = -1


def _parent(root: _Node, path: str) -> tuple[_Node, str]:
    """The trie node of `path`'s directory (made on the way) and `path`'s last component."""
    node = root
    parts = path.split("/")
    for part in parts[1:-1]:
        nxt = node.kids.get(part)
        if not isinstance(nxt, _Node):
            nxt = node.kids[part] = _Node(nxt or 0)
        node = nxt
    return node, parts[-1]


def _mark(root: _Node, path: str, cut: int = 0, opaque: int = -1) -> None:
    node, last = _parent(root, path)
    leaf = node.kids.get(last)
    if opaque < 0 and not isinstance(leaf, _Node):
        node.kids[last] = cut
        return
    if not isinstance(leaf, _Node):
        leaf = node.kids[last] = _Node(leaf or 0)
    if opaque >= 0:
        leaf.opaque = opaque
    else:
        leaf.cut = cut


def _hider(path: str, claimed: dict[str, int], trie: _Node) -> tuple[int, int, str] | None:
    """(layer, entry, how) of the nearest higher layer hiding a lower file at `path`, or None."""
    best: tuple[int, int, str] | None = None
    claim = claimed.get(path)
    if claim is not None:
        kind = claim & 7
        how = DELETED if kind == WHITEOUT else OVERWRITTEN if kind in (FILE, HARDLINK) else REPLACED
        best = ((claim >> _SHIFT) & _LAYER_MASK, (claim >> 3) & ((1 << (_SHIFT - 3)) - 1), how)
    if not trie.kids:
        return best
    ancestors: list[_Node | int] = []
    node = trie
    for part in path.split("/")[1:-1]:
        nxt = node.kids.get(part)
        if nxt is None:
            break
        ancestors.append(nxt)
        if not isinstance(nxt, _Node):
            break
        node = nxt
    for anc in reversed(ancestors):  # nearest directory first; on a tie the nearer one names the cause
        cut, op = (anc.cut, anc.opaque) if isinstance(anc, _Node) else (anc, -1)
        if cut:
            layer = (cut >> 1) - 1
            if best is None or layer < best[0]:
                best = (layer, -1, DELETED if cut & 1 else REPLACED)
        if op >= 0 and (best is None or op < best[0]):
            best = (op, -1, OPAQUED)
    return best


def account(scans: Sequence[LayerScan]) -> Accounting:
    """Account for every file version of `scans` (bottom layer first)."""
    claimed: dict[str, int] = {}
    trie = _Node()  # cuts and opaque markers of higher layers, for the ancestor lookups of _hider
    hidden: dict[tuple[int, int], tuple[int, str]] = {}
    for i in range(len(scans) - 1, -1, -1):
        scan = scans[i]
        paths, kinds = scan.paths, scan.kinds
        last: dict[str, int] = {}
        for j, p in enumerate(paths):
            if kinds[j] != OPAQUE:
                last[p] = j
        keep_empty = bool(scan.links)  # zero-byte versions matter only to hardlink bookkeeping
        sizes = scan.sizes
        for j, p in enumerate(paths):
            kind = kinds[j]
            if kind != FILE and kind != HARDLINK or not (sizes[j] or keep_empty):
                continue  # an empty file wastes nothing and holds no secret: keep no state for it
            if last[p] != j:
                hidden[(i, j)] = (i, _same_layer_how(scan, j, last[p]))
                continue
            h = _hider(p, claimed, trie)
            if h is not None:
                how = h[2]
                if how == OVERWRITTEN and h[1] >= 0 and _metadata_only(scan, j, scans[h[0]], h[1]):
                    how = METADATA
                hidden[(i, j)] = (h[0], how)
        if i == 0:
            break  # nothing lies below the bottom layer: its claims are never read
        for p, j in last.items():
            kind = kinds[j]
            prev = claimed.get(p)
            # A directory does not undo a higher layer's whiteout of the same path: keep that cut.
            cut = prev >> _CUT if prev is not None else 0
            if kind != DIR:
                cut = ((i + 1) << 1) | (kind == WHITEOUT)
            claimed[p] = (cut << _CUT) | (i << _SHIFT) | (j << 3) | kind
            if cut and p != "/":
                _mark(trie, p, cut=cut)
        for j, p in enumerate(paths):
            if kinds[j] == OPAQUE and p != "/":
                _mark(trie, p, opaque=i)
    _apply_hardlinks(scans, hidden)
    return _figures(scans, hidden)


def _same_layer_how(scan: LayerScan, j: int, k: int) -> str:
    kind = scan.kinds[k]
    if kind in (FILE, HARDLINK):
        return METADATA if _metadata_only(scan, j, scan, k) else OVERWRITTEN
    return DELETED if kind == WHITEOUT else REPLACED


def _metadata_only(lower: LayerScan, j: int, upper: LayerScan, k: int) -> bool:
    """Same size and mtime: a chmod/chown rewrite that copied the file again (tar keeps mtime)."""
    return upper.kinds[k] == FILE and upper.sizes[k] == lower.sizes[j] and upper.mtimes[k] == lower.mtimes[j]


def _apply_hardlinks(scans: Sequence[LayerScan], hidden: dict[tuple[int, int], tuple[int, str]]) -> None:
    """A file version stays visible while any hardlink to it in its own layer is visible."""
    for i, scan in enumerate(scans):
        if not scan.links:
            continue
        latest: dict[str, int] = {}
        aliases: dict[int, list[int]] = {}
        links = dict(scan.links)
        for j, p in enumerate(scan.paths):
            kind = scan.kinds[j]
            if kind == FILE:
                latest[p] = j
            elif kind == HARDLINK and links.get(j) in latest:
                aliases.setdefault(latest[links[j]], []).append(j)
        for target, names in aliases.items():
            if (i, target) not in hidden:
                continue
            hiders = [hidden.get((i, n)) for n in names]
            if any(h is None for h in hiders):
                del hidden[(i, target)]  # still reachable through a visible hardlink
            else:
                hidden[(i, target)] = max([hidden[(i, target)], *(h for h in hiders if h is not None)])


def _figures(scans: Sequence[LayerScan], hidden: dict[tuple[int, int], tuple[int, str]]) -> Accounting:
    n = len(scans)
    added = [sum(s.sizes) for s in scans]
    wasted_own = [0] * n
    hides = [0] * n
    wasted: list[Wasted] = []
    for (i, j), (by, how) in hidden.items():
        scan = scans[i]
        if scan.kinds[j] != FILE:
            continue
        size = scan.sizes[j]
        wasted_own[i] += size
        hides[by] += size
        if size:
            wasted.append(Wasted(scan.paths[j], i, by, size, how))
    wasted.sort(key=lambda w: (-w.bytes, w.path, w.added_in))
    layers = tuple(
        LayerFigures(i, added[i], wasted_own[i], hides[i], scans[i].kinds.count(FILE),
                     scans[i].kinds.count(WHITEOUT) + scans[i].kinds.count(OPAQUE))
        for i in range(n)
    )
    return Accounting(sum(added), sum(wasted_own), layers, tuple(wasted), hidden)
