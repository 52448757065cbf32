"""A version file naming a line the catalog has not: init writes the nearest catalog line, with the reason (pure)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from imgforge.cli import main
from imgforge.errors import UsageError
from imgforge.generate import generate, load_project
from imgforge.generate.init import plan_init
from imgforge.generate.runtimes import by_nearness, choose, replacement
from tests.generate._files import write


@pytest.mark.parametrize(("wanted", "pool", "expected"), [
    ("23", ["18", "20", "22", "24"], ["24", "22", "20", "18"]),  # the next major first
    ("21", ["18", "20", "22", "24"], ["22", "20", "18", "24"]),
    ("26", ["18", "20", "22", "24"], ["24", "22", "20", "18"]),  # nothing newer: the nearest older
    ("16", ["18", "20", "22", "24"], ["18", "20", "22", "24"]),  # nothing older, 18 is two majors on: still first
    ("3.12", ["3.11", "3.13"], ["3.13", "3.11"]),
    ("3.10", ["3.11", "3.13"], ["3.11", "3.13"]),
    ("1.25", ["1.19", "1.24"], ["1.24", "1.19"]),
    ("1.20", ["1.19", "1.24"], ["1.24", "1.19"]),  # a newer minor of the same major before an older one
])
def test_lines_by_nearness(wanted: str, pool: list[str], expected: list[str]) -> None:
    assert by_nearness(wanted, pool) == expected


@pytest.mark.parametrize(("name", "files", "expected"), [
    ("node", {".nvmrc": "23\n"}, "24"),
    ("node", {".nvmrc": "v23.6.1\n"}, "24"),
    ("node", {".tool-versions": "nodejs 23.11.0\npnpm 10.8.1\n"}, "24"),
    ("node", {"mise.toml": '[tools]\nnode = "21"\n'}, "22"),
    ("node", {".node-version": "25\n"}, "24"),
    ("node", {".nvmrc": "v16.20.2\n"}, "18"),
    # The range still rules: 23 wanted, engines.node allows only 20 and 22.
    ("node", {".nvmrc": "23\n", "package.json": json.dumps({"engines": {"node": ">=20 <23"}})}, "22"),
    ("go", {"go.mod": "module x\n\ngo 1.25.0\n"}, "1.24"),
    ("go", {"go.mod": "module x\n\ngo 1.22\n", ".tool-versions": "golang 1.26.1\n"}, "1.24"),
    ("python", {".python-version": "3.12.4\n"}, "3.13"),
    ("python", {"runtime.txt": "python-3.10.2\n"}, "3.11"),
    ("python", {".tool-versions": "python 3.14.0\n"}, "3.13"),
    # Poetry's exact constraint names the line the project was made with (a 2022 Streamlit site's "3.10.4").
    ("python", {"pyproject.toml": '[tool.poetry.dependencies]\npython = "3.10.4"\nstreamlit = "1.3.0"\n'}, "3.11"),
    ("python", {"pyproject.toml": '[tool.poetry.dependencies]\npython = "3.12"\n'}, "3.13"),
])
def test_a_version_file_line_the_catalog_lacks_gets_the_nearest(tmp_path: Path, name: str, files: dict[str, str],
                                                               expected: str) -> None:
    root = write(tmp_path, {"package.json": "{}", **files} if name == "node" else files)
    with pytest.raises(UsageError):  # generate without init's override still names what is wanted
        choose(name, root)
    near = replacement(name, root)
    assert near is not None and near.order[0] == expected
    assert "a line the catalog has not" in near.note


@pytest.mark.parametrize(("name", "files"), [
    ("node", {"package.json": json.dumps({"engines": {"node": ">=26"}})}),  # a range: nothing to be near
    ("python", {"pyproject.toml": '[tool.poetry.dependencies]\npython = "~3.10"\n'}),  # a range, not a line
    ("node", {".nvmrc": "23\n", "package.json": json.dumps({"engines": {"node": ">=26"}})}),  # no allowed pool
    ("node", {".nvmrc": "23\n", ".node-version": "25\n", "package.json": "{}"}),  # two files disagree
    ("node", {".nvmrc": "20\n", "package.json": json.dumps({"engines": {"node": ">=22"}})}),  # the line exists
    ("go", {"go.mod": "module x\n\ngo 1.25.0\n", ".tool-versions": "golang 1.26.0\n"}),
])
def test_no_nearest_where_a_range_or_a_contradiction_rules(tmp_path: Path, name: str, files: dict[str, str]) -> None:
    assert replacement(name, write(tmp_path, files)) is None


def test_a_toolchain_line_newer_than_the_catalog_is_a_preference(tmp_path: Path) -> None:
    # `go mod tidy` on a newer Go adds `toolchain go1.25.1`; Go 1.24 builds the module (GOTOOLCHAIN=local).
    root = write(tmp_path, {"go.mod": "module x\n\ngo 1.23\n\ntoolchain go1.25.1\n"})
    assert choose("go", root) == "1.24"


def test_init_writes_the_nearest_node_with_the_reason_and_generate_uses_it(tmp_path: Path) -> None:
    start = json.dumps({"name": "api", "scripts": {"start": "node server.js"}})
    root = write(tmp_path / "api", {".nvmrc": "23\n", "package.json": start,
                                    "server.js": "require('http').createServer().listen(8080)\n"})
    plan = plan_init(root)
    overrides = yaml.safe_load(plan.text)["overrides"]
    assert overrides["runtime"]["image"] == "imgforge/node:24"
    assert {b["image"] for b in overrides["builders"]} == {"imgforge/node-dev:24"}
    reason = next(line for line in plan.text.splitlines() if "Node 24, not 23" in line)
    assert ".nvmrc wants 23" in reason and "overrides.runtime.image / builders[].image" in reason
    (root / "imgforge.yaml").write_text(plan.text)
    dockerfile = generate(load_project(root)).dockerfile
    assert "FROM imgforge/node:24 AS runtime" in dockerfile and "{node}" not in dockerfile


def test_init_lowers_a_newer_go_line_in_the_one_builder_item_with_the_main_package(tmp_path: Path) -> None:
    root = write(tmp_path / "svc", {"go.mod": "module example.invalid/svc\n\ngo 1.25.0\n", "go.sum": "",
                                    "cmd/svc/main.go": "package main\n\nfunc main() {}\n"})
    plan = plan_init(root)
    builders = yaml.safe_load(plan.text)["overrides"]["builders"]
    assert len(builders) == 1 and builders[0]["image"] == "imgforge/golang:1.24"
    build = builders[0]["build"]
    assert build.startswith("go mod edit -go=1.24 -toolchain=none && go build") and build.endswith("./cmd/svc")
    installs = [v["install"] for v in builders[0]["dependencies"]["variants"] if "install" in v]
    assert installs == ["go mod edit -go=1.24 -toolchain=none && go mod download"]
    (root / "imgforge.yaml").write_text(plan.text)
    dockerfile = generate(load_project(root)).dockerfile
    assert "FROM imgforge/golang:1.24 AS build" in dockerfile and "./cmd/svc" in dockerfile
    # GOTOOLCHAIN=local: Go 1.24 would otherwise fetch the go line's toolchain, through a proxy that may be away.
    assert "GOTOOLCHAIN=local" in dockerfile


def test_cli_generate_still_exits_2_on_a_range_nothing_satisfies(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                                 ) -> None:
    write(tmp_path, {"package.json": json.dumps({"engines": {"node": ">=26"}}), "server.js": ""})
    assert main(["init", str(tmp_path)]) == 0
    assert "imgforge/node:" not in (tmp_path / "imgforge.yaml").read_text()
    capsys.readouterr()
    assert main(["generate", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "engines.node wants >=26" in err and err.count("\n") == 1 and "init --force" not in err
