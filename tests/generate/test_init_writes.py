"""Folders the service makes beside its code get an emptyDir under the read-only root filesystem (pure)."""

from __future__ import annotations

from pathlib import Path

import yaml

from imgforge.generate.init import plan_init
from imgforge.generate.writes import written_folders
from tests.generate._files import write

# Modelled on a Flask tutorial app that logs to logs/ when not in debug (made at start-up, not in the repository).
LOGGING_APP = ('import os\nfrom logging.handlers import RotatingFileHandler\nfrom flask import Flask\n\n'
               'app = Flask(__name__)\nif not app.debug:\n    if not os.path.exists("logs"):\n'
               '        os.mkdir("logs")\n    handler = RotatingFileHandler("logs/blog.log", maxBytes=10240)\n')


def test_a_folder_made_at_start_gets_an_empty_dir(tmp_path: Path) -> None:
    root = write(tmp_path, {"requirements.txt": "flask\n", "app.py": LOGGING_APP})
    plan = plan_init(root)
    assert yaml.safe_load(plan.text)["manifest"]["writable_paths"] == ["/tmp", "/app/logs"]
    assert "app.py:8: os.mkdir(\"logs\")" in plan.text


def test_shipped_folders_absolute_paths_and_tests_are_left_alone(tmp_path: Path) -> None:
    root = write(tmp_path, {
        "app.py": 'import os\nos.makedirs("uploads/tmp", exist_ok=True)\nos.makedirs("/var/data")\n'
                  'Path("static").mkdir()\nos.mkdir(os.path.join(base, "x"))\n',
        "static/site.css": "body {}\n",  # shipped with files: an emptyDir would hide them
        "uploads/.gitkeep": "",  # shipped empty: fine to mount over
        "tests/test_app.py": 'import os\nos.mkdir("scratch")\n'})
    assert [w.folder for w in written_folders(root)] == ["uploads"]


def test_no_folder_no_writable_paths(tmp_path: Path) -> None:
    root = write(tmp_path, {"requirements.txt": "flask\n",
                            "app.py": "from flask import Flask\napp = Flask(__name__)\n"})
    assert "writable_paths" not in plan_init(root).text


def test_a_next_app_gets_its_cache_folder_writable_and_ships_no_build_cache(tmp_path: Path) -> None:
    # Modelled on create-next-app: `next start` writes optimised images and fetched data under .next/cache.
    from imgforge.generate import generate, load_project
    from imgforge.generate.init import write_init

    pkg = ('{"name": "shop", "scripts": {"dev": "next dev", "build": "next build", "start": "next start"},\n'
           ' "dependencies": {"next": "15.1.0", "react": "19.0.0", "react-dom": "19.0.0"}}\n')
    root = write(tmp_path, {"package.json": pkg, "package-lock.json": '{"lockfileVersion": 3}\n',
                            "app/page.js": "export default function Page() { return 'shop' }\n"})
    plan = plan_init(root)
    # Next 15 is served by its standalone server, whose working folder is .next/standalone.
    assert yaml.safe_load(plan.text)["manifest"]["writable_paths"] == ["/tmp", "/app/.next/standalone/.next/cache"]
    assert "Next.js writes its image and data caches there" in plan.text
    write_init(plan)
    assert '&& rm -rf "/out/$n/cache"' in generate(load_project(root)).dockerfile
    # Next.js only as a devDependency (a tool, not the server): nothing to mount.
    write(tmp_path, {"package.json": pkg.replace('"dependencies"', '"devDependencies"')})
    assert "writable_paths" not in plan_init(root).text
