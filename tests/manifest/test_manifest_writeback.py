"""--recommend's write-back: only manifest.resources changes; comments, order and other sections stay."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from imgforge.errors import UsageError
from imgforge.manifest.spec import CpuMemory, Resources
from imgforge.manifest.writeback import rewrite, write_resources

NEW = Resources(requests=CpuMemory(cpu="20m", memory="24Mi"), limits=CpuMemory(cpu="100m", memory="40Mi"))
WANT = {"requests": {"cpu": "20m", "memory": "24Mi"}, "limits": {"cpu": "100m", "memory": "40Mi"}}

WITH_RESOURCES = """\
recipe: static  # the stack
manifest:
  port: 8080
  # sized by hand last year
  resources:
    requests: {cpu: 1, memory: 1Gi}
    limits:
      cpu: 2
      memory: 2Gi

  replicas: 2
environments:
  prod: {replicas: 3}
"""


def test_replaces_existing_resources_and_keeps_the_rest() -> None:
    out = rewrite(WITH_RESOURCES, NEW)
    data = yaml.safe_load(out)
    assert data["manifest"]["resources"] == WANT
    assert data["manifest"]["replicas"] == 2 and data["environments"] == {"prod": {"replicas": 3}}
    assert "# sized by hand last year" in out and "recipe: static  # the stack" in out
    assert out.index("port: 8080") < out.index("resources:") < out.index("replicas: 2")


def test_adds_resources_to_a_manifest_section_without_them() -> None:
    out = rewrite("manifest:\n    port: 80\nenvironments: {}\n", NEW)
    assert yaml.safe_load(out)["manifest"] == {"resources": WANT, "port": 80}
    assert "    resources:\n      requests:" in out


def test_adds_a_manifest_section_when_absent_or_empty() -> None:
    assert yaml.safe_load(rewrite("recipe: go\n", NEW)) == {"recipe": "go", "manifest": {"resources": WANT}}
    assert yaml.safe_load(rewrite("manifest: {}\nrecipe: go\n", NEW))["manifest"] == {"resources": WANT}
    assert yaml.safe_load(rewrite("", NEW)) == {"manifest": {"resources": WANT}}


def test_inline_section_is_refused() -> None:
    with pytest.raises(UsageError, match="inline"):
        rewrite("manifest: {port: 80}\n", NEW)


def test_write_resources_writes_the_file(tmp_path: Path) -> None:
    (tmp_path / "imgforge.yaml").write_text(WITH_RESOURCES, encoding="utf-8")
    file = write_resources(tmp_path, NEW)
    assert yaml.safe_load(file.read_text(encoding="utf-8"))["manifest"]["resources"] == WANT
    assert not list(tmp_path.glob("*.imgforge-tmp"))
