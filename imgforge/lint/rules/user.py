"""user: the image should not run as root."""

from __future__ import annotations

import re
from collections.abc import Iterator

from imgforge.lint.model import Dockerfile, Instruction
from imgforge.lint.rules import Hit, hit, rule

_ROOT = re.compile(r"^(root|0)(:.*)?$")


def _last_user(df: Dockerfile) -> Instruction | None:
    last = None
    for stage in df.shipped():
        for ins in stage.instructions:
            if ins.keyword == "USER":
                last = ins
    return last


@rule("USR001", "user", "warning", "Final stage runs as root",
      "Create an unprivileged user and end with `USER 10001` (a numeric UID).")
def runs_as_root(df: Dockerfile) -> Iterator[Hit]:
    final = df.final
    if final is None:
        return
    last = _last_user(df)
    if last is None:
        if final.image.lower() == "scratch" and not final.instructions[1:]:
            return
        if "nonroot" in final.image or final.image.startswith("$"):
            return  # distroless :nonroot images default to uid 65532; unresolved ARG: unknown
        yield Hit(final.line, final.line, "the final stage never sets USER, so the container runs as root; "
                                          "a compromised process then owns the whole container")
    elif _ROOT.match(last.args.strip()):
        yield hit(last, "the last USER is root, so the container runs as root")


@rule("USR002", "user", "info", "Non-numeric USER",
      "Use a numeric UID (USER 10001:10001) so Kubernetes runAsNonRoot can verify it.")
def non_numeric(df: Dockerfile) -> Iterator[Hit]:
    for ins in df.instructions:
        if ins.keyword == "USER" and ins.stage >= 0:
            user = ins.args.strip().split(":")[0]
            if user and not user.isdigit() and not user.startswith("$"):
                yield hit(ins, f"USER {user[:40]} is a name: Kubernetes runAsNonRoot cannot verify a non-numeric user "
                               "and the host cannot resolve it")
