"""False-positive classes found on held-out set 14 (public files never tuned on), each with a nearby true positive."""
from __future__ import annotations

from pathlib import Path

from imgforge.lint import lint, lint_file


def _lines(text: str, rule: str, path: str = "Dockerfile") -> list[int]:
    return [f.line for f in lint(text, path) if f.rule == rule and f.severity != "info"]


def _file_lines(path: Path, rule: str) -> list[int]:
    return [f.line for f in lint_file(path).findings if f.rule == rule and f.severity != "info"]


# LO001/LO002: a folder of set-up scripts COPYed and run at once by the next RUN is not the source tree.

_SETUP_FOLDER = ("FROM ubuntu:24.04\n"
                 "COPY setup-steps /opt/steps\n"
                 "RUN /opt/steps/base.sh && bash /opt/steps/users.sh && /opt/steps/tidy.sh\n"
                 "RUN apt-get update && apt-get install -y --no-install-recommends nginx \\\n"
                 "    && rm -rf /var/lib/apt/lists/*\n"
                 "RUN pip3 install --no-cache-dir flask==3.0.3\n"
                 'CMD ["nginx", "-g", "daemon off;"]\n')


def test_a_folder_of_setup_scripts_run_at_once_is_not_the_source_tree() -> None:
    assert _lines(_SETUP_FOLDER, "LO001") == []
    assert _lines(_SETUP_FOLDER, "LO002") == []


def test_a_folder_whose_next_run_also_installs_is_still_the_source_tree() -> None:
    mixed = _SETUP_FOLDER.replace("&& /opt/steps/tidy.sh", "&& pip3 install --no-cache-dir -r /opt/steps/reqs.txt")
    assert _lines(mixed, "LO002") == [2]
    relative = _SETUP_FOLDER.replace("COPY setup-steps /opt/steps", "COPY setup-steps steps").replace(
        "/opt/steps/", "steps/")
    assert _lines(relative, "LO002") == [2]  # a relative folder: nothing says the scripts are all it holds
    read_later = _SETUP_FOLDER.replace('CMD ["nginx", "-g", "daemon off;"]', 'CMD ["/opt/steps/serve.sh"]')
    assert _lines(read_later, "LO002") == [2]  # the image starts from the folder: it is the project, not set-up
