"""`scan(source)`: read every layer once, account for the filesystem, search contents and config for secrets."""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from imgforge.errors import ImgforgeError, UsageError
from imgforge.image import Image, open_image, source_of
from imgforge.image.archive import build_image
from imgforge.image.model import BASE_NAME_KEY, ImageConfig
from imgforge.image.streams import StreamLimits
from imgforge.scan.accounting import Accounting, account
from imgforge.scan.dockerfile import Instruction, fix_for, line_naming, map_lines, parse_dockerfile
from imgforge.scan.detect import Batcher, Detector
from imgforge.scan.layer import LAYER_KEY, LayerScan, Limits, scan_layer, verify, with_matches
from imgforge.scan.gates import DEFAULT_POLICY, Policy, evaluate, load_baseline
from imgforge.scan.report import BloatItem, Figures, LayerRow, ScanReport, SecretFinding
from imgforge.secrets import default_detector

if TYPE_CHECKING:
    from imgforge.env.engine import ImageEngine

# Below this, worker start-up and the uneven cost of layers (many small text files cost far more per
# byte than one big binary) eat the gain: bench/scan.py's 240 MB image scans faster in one process.
PARALLEL_MIN_BYTES = 512 << 20


class NoDetector:
    """A detector that finds nothing (accounting-only scans)."""

    def scan_bytes(self, data: bytes, path: str) -> list[Any]:
        return []

    def scan_value(self, value: str, name: str) -> list[Any]:
        return []

    def wants_path(self, path: str) -> bool:
        return False

    def wants_binary(self, head: bytes, size: int) -> bool:
        return False


_DEFAULT: list[Detector] = []


def _default() -> Detector:
    if not _DEFAULT:
        _DEFAULT.append(default_detector())
    return _DEFAULT[0]


class DefaultDetector:
    """The default detector of `imgforge.secrets`, picklable: each worker process builds its own once."""

    def scan_bytes(self, data: bytes, path: str) -> list[Any]:
        return _default().scan_bytes(data, path)

    def scan_value(self, value: str, name: str) -> list[Any]:
        return _default().scan_value(value, name)

    def wants_path(self, path: str) -> bool:
        return _default().wants_path(path)

    def wants_binary(self, head: bytes, size: int) -> bool:
        return _default().wants_binary(head, size)


def _limits(policy: Policy) -> Limits:
    return Limits(stream=StreamLimits(max_bytes=int(policy.max_layer_bytes), max_ratio=policy.max_ratio),
                  jobs=policy.jobs)


def _scan_one(opener: Callable[[], BinaryIO], what: str, detector: Detector | None, limits: Limits,
              batcher: Batcher | None = None, key: int = 0) -> LayerScan:
    with opener() as raw:
        return scan_layer(raw, what, detector, limits, batcher, key)


def _picklable(*values: object) -> bool:
    try:
        pickle.dumps(values)
        return True
    except Exception:  # noqa: BLE001 - anything unpicklable just means "scan in this process"
        return False


def scan_layers(image: Image, detector: Detector | None, limits: Limits, jobs: int = 2) -> list[LayerScan]:
    """Scan each layer of a random-access image; independent layers go to worker processes when it pays."""
    whats = [f"layer {layer.index} ({layer.digest[:19]}) of {image.name}" for layer in image.layers]
    sizes = [layer.size or getattr(layer.opener, "size", 0) or 0 for layer in image.layers]
    openers = [layer.opener for layer in image.layers]
    if jobs > 1 and len(openers) > 1 and sum(sizes) >= PARALLEL_MIN_BYTES and _picklable(openers, detector, limits):
        if isinstance(detector, DefaultDetector):
            _default()  # build it once here: forked workers inherit it (each compiles the rules it hits)
        # Largest layers first so one big layer does not start last.
        order = sorted(range(len(openers)), key=lambda i: -sizes[i])
        # Deferred: ~20 ms of imports (python -X importtime) that only images over PARALLEL_MIN_BYTES use.
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
        with ProcessPoolExecutor(max_workers=min(jobs, len(openers), os.cpu_count() or 1), mp_context=context) as pool:
            one = replace(limits, jobs=1)  # each layer worker matches its own text: no pool inside a pool
            futures = {i: pool.submit(_scan_one, openers[i], whats[i], detector, one) for i in order}
            return [futures[i].result() for i in range(len(openers))]
    if detector is None:
        return [_scan_one(openers[i], whats[i], detector, limits) for i in range(len(openers))]
    # One batcher for all layers: the workers match one layer's last text files while the next is read,
    # instead of the scan waiting for them at each layer's end.
    batcher = Batcher(detector, limits.jobs)
    try:
        scans = [_scan_one(openers[i], whats[i], detector, limits, batcher, i * LAYER_KEY)
                 for i in range(len(openers))]
        return with_matches(scans, batcher.finish())
    finally:
        batcher.close()


def _read_source(source: str | Image, detector: Detector | None, limits: Limits, jobs: int,
                 on_bytes: Callable[[int], None] | None, engine: ImageEngine | None, insecure: bool = False,
                 ) -> tuple[Image, list[LayerScan], ImageEngine | None]:
    """The image, its layer scans, and the engine when the image came from one (else the engine given)."""
    if isinstance(source, Image):
        return source, scan_layers(source, detector, limits, jobs), engine
    kind, where = source_of(source)
    if kind != "daemon":
        image = open_image(source, insecure=insecure)
        return image, scan_layers(image, detector, limits, jobs), engine
    # Deferred: the engine client (python-on-whales, ~0.2 s of imports) is needed only for an engine image.
    from imgforge.env.engine import Engine, connect
    from imgforge.image.daemon import SaveMember, scan_daemon

    daemon = engine if isinstance(engine, Engine) else connect(f"scanning {where}")
    # The engine's `docker save` stream is sequential: read it once, layers in archive order, with one batcher
    # (as in scan_layers); each layer read is keyed by its place in the stream.
    batcher = Batcher(detector, limits.jobs) if detector is not None else None
    keys: dict[int, int] = {}  # id of a layer's scan -> its key

    def on_layer(name: str, fh: BinaryIO) -> LayerScan:
        key = len(keys)
        layer = scan_layer(fh, f"layer {name} of {where}", detector, limits, batcher, key * LAYER_KEY)
        keys[id(layer)] = key
        return layer

    try:
        result = scan_daemon(where, on_layer, on_bytes, daemon)
        scans = list(result.results)
        if batcher is not None:
            scans = with_matches(scans, batcher.finish(), [keys[id(x)] for x in scans])
    finally:
        if batcher is not None:
            batcher.close()
    image = build_image(result.resolved, lambda m: SaveMember(where, m), where, "daemon", f"docker save {where}")
    return image, scans, daemon


def _base_layers(image: Image, explicit: int | None, engine: ImageEngine | None) -> int | None:
    """How many bottom layers are the base image: given, else the base-name label checked against `engine`.

    Without an engine (an archive, OCI layout or registry scan) there is no boundary unless given.
    """
    if explicit is not None:
        if explicit > len(image.layers):
            raise UsageError(f"scanning {image.name}: --base-layers {explicit} exceeds its {len(image.layers)} layers")
        return explicit
    base = image.annotation(BASE_NAME_KEY) or image.config.label(BASE_NAME_KEY)
    if not base or engine is None:
        return None
    try:  # the base image's own layer count, when the engine has it and it really is a prefix
        facts = engine.image_facts(base)
    except ImgforgeError:  # an unknown base just means "no boundary"
        return None
    diff_ids = facts.diff_ids if facts is not None else ()
    return len(diff_ids) if diff_ids and image.config.diff_ids[: len(diff_ids)] == diff_ids else None


def _secrets(image: Image, scans: Sequence[LayerScan], acc: Accounting, detector: Detector,
             instructions: list[Instruction], layer_lines: list[int | None]) -> list[SecretFinding]:
    found: list[SecretFinding] = []
    for i, scan in enumerate(scans):
        for m in scan.matches:
            found.append(SecretFinding(m.rule, m.description, "file", m.path, None, i, not acc.visible(i, m.entry),
                                       m.line, m.redacted, m.fingerprint, layer_lines[i]))
    cfg: ImageConfig = image.config
    for entry in cfg.env:
        name, _, value = entry.partition("=")
        for m in detector.scan_value(value, name):
            found.append(_config_finding(m, "env", name, None, line_naming(instructions, ("ENV", "ARG"), name)))
    for name, value in cfg.labels:
        for m in detector.scan_value(value, name):
            found.append(_config_finding(m, "label", name, None, line_naming(instructions, ("LABEL",), name)))
    layer = 0
    for h, hist in enumerate(cfg.history):
        at = None if hist.empty_layer else layer
        for m in detector.scan_value(hist.created_by, f"history[{h}]"):
            line = layer_lines[at] if at is not None and at < len(layer_lines) else None
            found.append(_config_finding(m, "history", f"history[{h}]", at, line))
        layer += 0 if hist.empty_layer else 1
    found.sort(key=lambda s: (s.source, s.layer if s.layer is not None else -1, s.path or s.name or "", s.rule,
                              s.line or 0))
    return found


def safe_command(command: str | None, detector: Detector) -> str | None:
    """`command` with every word that holds a secret replaced by its redacted preview (history is printed)."""
    from imgforge.secrets import redact_build_args  # deferred like _default(): the package costs ~0.25 s to import

    command = redact_build_args(command) if command else command  # credential-named build args, matched or not
    if not command or not detector.scan_value(command, "created_by"):
        return command
    words = command.split(" ")
    for k, word in enumerate(words):
        found = detector.scan_value(word, "created_by")
        if found:
            words[k] = word.split("=", 1)[0] + "=" + str(found[0].redacted) if "=" in word else str(found[0].redacted)
    masked = " ".join(words)
    if detector.scan_value(masked, "created_by"):  # a secret spread over several words: hide the command
        keyword = command.split(" ", 1)[0]
        return f"{keyword} <redacted: the command contains a secret>"
    return masked


def _config_finding(m: Any, source: str, name: str, layer: int | None, line: int | None) -> SecretFinding:
    return SecretFinding(str(m.rule), str(getattr(m, "description", "")), source, None, name, layer, False,
                         getattr(m, "line", None), str(m.redacted), str(m.fingerprint), line)


def scan(source: str | Image, detector: Detector | None = None, dockerfile: str | Path | None = None,
         policy: Policy | None = None, *, limits: Limits | None = None,
         on_bytes: Callable[[int], None] | None = None, engine: ImageEngine | None = None,
         insecure: bool = False) -> ScanReport:
    """Scan an image (reference, archive, OCI layout or opened `Image`) into a frozen `ScanReport`.

    `on_bytes` is told how many bytes of an engine image's `docker save` stream have been read (progress).
    The engine is used only for an engine image (connected then if not given) or when passed in: an
    archive, OCI layout or registry scan never contacts it. `insecure`: plain http to a registry source.
    """
    policy = policy or DEFAULT_POLICY  # ScanPolicy's defaults, without pydantic (see gates.py)
    detector = detector if detector is not None else DefaultDetector()
    limits = limits or _limits(policy)
    image, scans, engine = _read_source(source, detector, limits, policy.jobs, on_bytes, engine, insecure)
    verify([(f"layer {x.index} of {image.name}", x.diff_id, x.digest) for x in image.layers], scans)
    acc = account(scans)
    commands = image.config.layer_commands() or [None] * len(scans)
    instructions: list[Instruction] = []
    if dockerfile is not None:
        try:
            instructions = parse_dockerfile(Path(dockerfile).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"reading Dockerfile {dockerfile}: {exc}") from exc
    lines: list[int | None] = map_lines(commands, instructions) if instructions else [None] * len(scans)
    base = _base_layers(image, policy.base_layers, engine)
    shown = [safe_command(c, detector) for c in commands]
    rows = tuple(
        LayerRow(f.index, image.layers[f.index].diff_id if f.index < len(image.layers) else "", shown[f.index],
                 lines[f.index], base is not None and f.index < base, f.bytes, f.wasted_bytes, f.hidden_bytes,
                 f.files, f.whiteouts)
        for f in acc.layers
    )
    bloat = tuple(BloatItem(w.path, w.added_in, w.removed_in, w.bytes, w.how,
                            fix_for(w.path, w.how, commands[w.added_in], commands[w.removed_in]))
                  for w in acc.wasted)
    findings = _secrets(image, scans, acc, detector, instructions, lines)
    accepted = load_baseline(policy.baseline) if policy.baseline else frozenset()
    kept = tuple(s for s in findings if s.fingerprint not in accepted)
    user = None
    if base is not None:
        total = sum(r.bytes for r in rows[base:])
        wasted = sum(b.bytes for b in bloat if b.added_in >= base)
        user = Figures(total, wasted, 1.0 if total == 0 else 1.0 - wasted / total)
    notes = tuple(f"layer {i}: {n}" for i, s in enumerate(scans) for n in s.notes)
    report = ScanReport(
        image=image.name, source=image.source, image_id=image.config.digest, total_bytes=acc.total_bytes,
        wasted_bytes=acc.wasted_bytes, efficiency=acc.efficiency, layers=rows, bloat=bloat, secrets=kept,
        suppressed=len(findings) - len(kept), base_layers=base, user=user,
        dockerfile=str(dockerfile) if dockerfile is not None else None, notes=notes,
    )
    gates = tuple(evaluate(report, policy))
    return replace(report, gates=gates) if gates else report
