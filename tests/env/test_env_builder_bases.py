"""What projects' install scripts need is in every builder base (real engine): git, and node-gyp's headers at the
nodedir the image names, so a native build never downloads them from nodejs.org."""

from __future__ import annotations

import pytest

from imgforge.env import bases

BUILDERS = [b.ref for b in bases.CATALOG if b.family in ("python-dev", "node-dev", "bun-dev")]


@pytest.mark.parametrize("ref", BUILDERS)
def test_builder_base_has_git(docker, ref):
    assert docker.run(ref, ["git", "--version"], entrypoint="", remove=True).startswith("git version")


@pytest.mark.parametrize("ref", [ref for ref in BUILDERS if "/python-dev:" not in ref])
def test_builder_base_has_node_headers_at_its_nodedir(docker, ref):
    script = ('test -n "$NPM_CONFIG_NODEDIR" && test -f "$NPM_CONFIG_NODEDIR/include/node/common.gypi" '
              '&& test -f "$NPM_CONFIG_NODEDIR/include/node/node_version.h" && test -f /usr/include/node/v8.h '
              '&& command -v g++ make python3 >/dev/null && echo ok')
    assert docker.run(ref, ["sh", "-c", script], entrypoint="", remove=True).strip() == "ok"
