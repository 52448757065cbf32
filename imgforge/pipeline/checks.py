"""Every section of imgforge.yaml checked before the pipeline changes anything, each by its own stage's model.

`load_project` validates the project's own keys (recipe, image, version, overrides...); the other stages read
their sections only when they run, so a bad key under `manifest:` would surface after the push. This table
runs each stage's own loader up front instead (no second schema): a bad key is exit 2 before anything is
written, built or pushed.
"""

from __future__ import annotations

from collections.abc import Callable

from imgforge.build.network import load_settings as network_settings
from imgforge.lint import load_config
from imgforge.manifest.settings import load_settings as manifest_settings
from imgforge.project import Project
from imgforge.report.model import Budgets
from imgforge.scan import ScanPolicy
from imgforge.settings import BasesSettings, BuildSettings

# Section(s) of imgforge.yaml -> the loader the stage that reads them uses (it raises UsageError naming the
# file, line and key). The project's own keys are checked by `load_project` itself.
SECTION_CHECKS: dict[tuple[str, ...], Callable[[Project], object]] = {
    ("lint",): lambda p: load_config(p.root),
    ("build",): lambda p: (p.section("build", BuildSettings), network_settings(p.root)),
    ("scan",): lambda p: p.section("scan", ScanPolicy),
    ("report",): lambda p: p.section("report", Budgets),
    ("manifest", "environments"): lambda p: manifest_settings(p.settings_file),
    ("bases",): lambda p: p.section("bases", BasesSettings),
}


def check_settings(project: Project) -> None:
    """Validate every stage's section of the project's settings; the first bad one raises its UsageError."""
    for check in SECTION_CHECKS.values():
        check(project)


__all__ = ["SECTION_CHECKS", "check_settings"]
