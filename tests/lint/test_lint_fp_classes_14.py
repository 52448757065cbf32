"""False-positive classes found on held-out set 14 (public files never tuned on), each with a nearby true positive."""
from __future__ import annotations

from pathlib import Path

from tests.lint._flagged import lines as _lines, file_lines as _file_lines


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


# MS001: a toolchain image whose entry script hands its command to the build tool through a variable.

_TOOL_IMAGE = ("FROM eclipse-temurin:21-jdk\n"
               "RUN curl -fsSLo /usr/local/bin/lein https://example.org/lein && chmod +x /usr/local/bin/lein\n"
               "COPY start /usr/local/bin/start\n"
               'ENTRYPOINT ["start"]\nCMD ["repl"]\n')
_START = ('#!/usr/bin/env bash\nset -euo pipefail\ntool=lein\n'
          'if [ "$#" -eq 0 ]; then exec "${tool}" "$@"; fi\nexec "$@"\n')


def _tool_image(tmp_path: Path, script: str) -> Path:
    (tmp_path / "start").write_text(script)
    path = tmp_path / "Dockerfile"
    path.write_text(_TOOL_IMAGE)
    return path


def test_an_entry_script_handing_on_to_the_build_tool_keeps_its_toolchain(tmp_path: Path) -> None:
    assert _file_lines(_tool_image(tmp_path, _START), "MS001") == []


def test_an_entry_script_running_an_app_on_a_jdk_is_still_flagged(tmp_path: Path) -> None:
    app = _START.replace("tool=lein", "tool=java").replace('"${tool}" "$@"', '"${tool}" -jar /srv/app.jar')
    assert _file_lines(_tool_image(tmp_path, app), "MS001") == [1]
    # assigned twice: which one runs is not known from the text, so nothing is assumed
    twice = _START.replace("tool=lein\n", "tool=lein\ntool=java\n")
    assert _file_lines(_tool_image(tmp_path, twice), "MS001") == [1]
    # `set -o pipefail` hands nothing on (only `set --` does)
    assert _file_lines(_tool_image(tmp_path, "#!/bin/sh\nset -o pipefail\nexec java -jar /srv/app.jar\n"),
                       "MS001") == [1]


# SEC002: a key a front-end bundler inlines into the browser bundle is public by design.

def test_a_browser_public_build_arg_is_not_a_credential() -> None:
    text = ("FROM node:22-slim AS ui\nARG VITE_ANALYTICS_API_KEY\nARG NEXT_PUBLIC_MAPS_KEY\n"
            "RUN npm ci && npm run build\n")
    assert _lines(text, "SEC002") == []


def test_a_secret_named_browser_arg_or_a_plain_api_key_is_still_flagged() -> None:
    text = ("FROM node:22-slim AS ui\nARG VITE_PAYMENTS_SECRET_KEY\nARG REACT_APP_ADMIN_TOKEN\nARG ANALYTICS_API_KEY\n"
            "RUN npm ci && npm run build\n")
    assert _lines(text, "SEC002") == [2, 3, 4]


# PC002: `mk-build-deps -i` installs with apt-get, so the update in its RUN is used at once.

def test_an_update_followed_by_mk_build_deps_install_is_not_alone() -> None:
    text = ("FROM debian:12\nCOPY debian /src/debian\n"
            "RUN apt-get update && cd /src && env DEBIAN_FRONTEND=noninteractive mk-build-deps -ri "
            "-t 'apt-get -y --no-install-recommends'\n"
            "RUN dpkg-buildpackage -b\n")
    assert _lines(text, "PC002") == []


def test_an_update_followed_by_mk_build_deps_without_install_is_still_alone() -> None:
    text = ("FROM debian:12\nCOPY debian /src/debian\n"
            "RUN apt-get update && cd /src && env DEBIAN_FRONTEND=noninteractive mk-build-deps debian/control\n"
            "RUN apt-get install -y --no-install-recommends devscripts && rm -rf /var/lib/apt/lists/*\n")
    assert _lines(text, "PC002") == [3]


# MS001: `CMD ["clj"]` alone starts the Clojure REPL: an image to start from, like `CMD ["ghci"]`.

def test_a_clojure_repl_command_marks_an_image_to_start_from() -> None:
    text = "FROM eclipse-temurin:21-jdk\nRUN curl -fsSL https://example.org/clj-install.sh | bash\nCMD [\"clj\"]\n"
    assert _lines(text, "MS001") == []


def test_a_jdk_image_running_a_built_jar_is_still_flagged() -> None:
    text = ("FROM eclipse-temurin:21-jdk\nRUN curl -fsSL https://example.org/clj-install.sh | bash\n"
            "COPY target/shop.jar /srv/shop.jar\nCMD [\"java\", \"-jar\", \"/srv/shop.jar\"]\n")
    assert _lines(text, "MS001") == [1]
