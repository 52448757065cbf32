"""What a Go service opens beside its binary (templates, assets, a config file) is found and copied into the
runtime; ports stated by Go flags and settings are read, and tests' ports are not (pure)."""

from __future__ import annotations

from pathlib import Path

import yaml

from imgforge.generate.facts import find_port
from imgforge.generate.gofiles import runtime_files
from imgforge.generate.init import plan_init
from tests.generate._files import write

GO_MOD = "module example.invalid/shop\n\ngo 1.22\n"


def test_templates_assets_and_config_read_by_relative_paths_are_found(tmp_path: Path) -> None:
    root = write(tmp_path, {
        "go.mod": GO_MOD,
        "main.go": 'package main\n\nimport "flag"\n\nvar conf = flag.String("conf", "settings.json", "settings")\n'
                   'func main() {\n\tr.LoadHTMLGlob("views/*.tmpl")\n\tr.Static("/assets", "assets")\n}\n',
        "settings.json": "{}",
        "views/home.tmpl": "<p>home</p>",
        "assets/site.css": "p {}",
        "shop/catalog.go": 'package shop\n\nfunc f() { _ = filepath.Join("catalogs", name) }\n',
        "catalogs/spring.csv": "a,b\n",
    })
    found = {f.path: f.why for f in runtime_files(root)}
    assert found == {"settings.json": '"settings.json" in main.go', "views/": '"views/*.tmpl" in main.go',
                     "assets/": '"assets" in main.go', "catalogs/": '"catalogs" in shop/catalog.go'}


def test_go_code_folders_keys_and_tests_are_not_runtime_files(tmp_path: Path) -> None:
    root = write(tmp_path, {
        "go.mod": GO_MOD,
        # "data" is a JSON key here, not a path; internal/ holds Go code only; go.mod is read by tooling.
        "main.go": 'package main\n\nfunc main() {\n\tc.JSON(200, gin.H{"data": 1})\n\tload("internal/x")\n'
                   '\tos.ReadFile("go.mod")\n}\n',
        "data/big.bin": "x",
        "internal/x/x.go": "package x\n",
        "main_test.go": 'package main\n\nvar fixture = "fixtures/in.json"\n',
        "fixtures/in.json": "{}",
        "vendor/example.invalid/lib/templates/t.html": "<p>",
        "lib.go": 'package main\n\nvar t = "vendor/example.invalid/lib/templates/t.html"\n',
        # Compiled into the binary by go:embed: nothing to copy.
        "pages.go": 'package main\n\n//go:embed views/*.html\nvar views embed.FS\n'
                    'var page = template.Must(template.ParseFS(views, "views/*.html"))\n',
        "views/home.html": "<p>home</p>",
    })
    assert runtime_files(root) == ()


def test_init_copies_them_beside_the_binary_from_the_build_stage(tmp_path: Path) -> None:
    root = write(tmp_path, {
        "go.mod": GO_MOD,
        "cmd/shop/main.go": 'package main\n\nvar page = template.Must(template.ParseFiles("web/page.html"))\n'
                            'func main() {}\n',
        "web/page.html": "<p>{{.}}</p>",
    })
    settings = yaml.safe_load(plan_init(root).text)
    assert settings["overrides"]["runtime"]["artifacts"] == [
        {"stage": "build", "from": "/out/app", "to": "/app/app"},
        {"stage": "build", "from": "/src/web/", "to": "/app/web/"},
    ]
    assert settings["overrides"]["builders"][0]["build"].endswith("./cmd/shop")


def test_a_go_project_without_such_files_keeps_the_recipes_artifacts(tmp_path: Path) -> None:
    root = write(tmp_path, {"go.mod": GO_MOD, "main.go": 'package main\n\nfunc main() { serve(":8080") }\n'})
    assert "artifacts" not in (yaml.safe_load(plan_init(root).text).get("overrides", {}).get("runtime") or {})


def test_go_listen_addresses_in_flags_and_port_settings(tmp_path: Path) -> None:
    flagged = write(tmp_path / "a", {"main.go": 'var listen = flag.String("listen", ":5678", "address")\n'})
    assert find_port(flagged, [], (".go",)).number == 5678
    setting = write(tmp_path / "b", {"config.go": 'func Default() Config {\n\treturn Config{Port: ":3000"}\n}\n'})
    assert find_port(setting, [], (".go",)).number == 3000
    # A test's server port says nothing of the service's.
    tested = write(tmp_path / "c", {"config_test.go": 'os.Setenv("PORT", "5000")\nport := getenv("PORT", 5000)\n',
                                    "server.test.ts": "app.listen(4000)\n"})
    assert find_port(tested, [], (".go", ".ts")) is None
