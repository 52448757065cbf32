"""A Django startproject's SQLite file beside the code becomes a link into the /tmp emptyDir (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from imgforge.generate import generate, load_project
from imgforge.generate.init import plan_init
from imgforge.generate.writes import django_sqlite

# Modelled on `django-admin startproject site` (settings as generated, trimmed).
SETTINGS = ('from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\nSECRET_KEY = "x"\n'
            'INSTALLED_APPS = ["django.contrib.contenttypes"]\nROOT_URLCONF = "site1.urls"\n'
            'DATABASES = {\n    "default": {\n        "ENGINE": "django.db.backends.sqlite3",\n'
            '        "NAME": BASE_DIR / "db.sqlite3",\n    }\n}\n')
MANAGE = ('import os\nimport sys\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "site1.settings")\n'
          "from django.core.management import execute_from_command_line\nexecute_from_command_line(sys.argv)\n")
LINK = "ln -s /tmp/db.sqlite3 /app/db.sqlite3"


def project(root: Path, files: dict[str, str]) -> Path:
    base = {"manage.py": MANAGE, "site1/__init__.py": "", "site1/settings.py": SETTINGS,
            "site1/urls.py": "urlpatterns = []\n", "requirements.txt": "Django==5.2.1\n"}
    for name, text in {**base, **files}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (root / "imgforge.yaml").write_text(plan_init(root).text)
    return root


def test_the_default_database_is_linked_into_tmp_in_the_source_step(tmp_path: Path) -> None:
    root = project(tmp_path, {})
    found = django_sqlite(root)
    assert found is not None and (found.folder, found.why) == ("db.sqlite3", "site1/settings.py:9")
    text = generate(load_project(root)).dockerfile
    step = next(block for block in text.split("\n# ") if "--mount=type=bind,source=.,target=/mnt" in block)
    assert step.rstrip().endswith(f"&& {LINK}")  # one step per source edit, as before
    assert "keep SQLite at /app/db.sqlite3 (site1/settings.py:9)" in text


@pytest.mark.parametrize("files", [
    {"db.sqlite3": "SQLite format 3\x00"},  # shipped with data: left as the project has it
    {"site1/settings.py": SETTINGS.replace("django.db.backends.sqlite3", "django.db.backends.postgresql")},
    {"site1/settings.py": SETTINGS.replace('BASE_DIR / "db.sqlite3"', '"/var/lib/site/db.sqlite3"')},
])
def test_no_link_for_a_shipped_file_another_engine_or_a_path_elsewhere(tmp_path: Path, files: dict[str, str]) -> None:
    root = project(tmp_path, files)
    assert "ln -s /tmp/" not in generate(load_project(root)).dockerfile


def test_a_package_project_gets_the_link_as_its_own_step(tmp_path: Path) -> None:
    pyproject = ('[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n'
                 '[project]\nname = "site1"\nversion = "1.0"\n')
    root = project(tmp_path, {"pyproject.toml": pyproject})
    assert f"\nRUN {LINK}\n" in generate(load_project(root)).dockerfile
