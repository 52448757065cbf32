"""What a failed dependency install tells the user to change, read from the whole step output (pip's wording)."""

from __future__ import annotations

import pytest

from imgforge.build import ProgressLog
from imgforge.build.hints import install_hint

# Modelled on pip's output for an old pinned requirements.txt built on a newer Python: the package is named
# only where pip starts on it, dozens of lines above the tail.
_NO_COMPILER = ["Collecting Django==5.1.2", "Collecting cffi==1.15.1", "  Downloading cffi-1.15.1.tar.gz (508 kB)",
                *["  filler"] * 30,
                "      building '_cffi_backend' extension",
                "      error: [Errno 2] No such file or directory: 'x86_64-linux-gnu-gcc'",
                "  ERROR: Failed building wheel for cffi", "Failed to build cffi",
                "ERROR: Failed to build installable wheels for some pyproject.toml based projects (cffi)"]
_REMOVED_MODULE = ["Collecting Flask==1.0.2", "Collecting itsdangerous==0.24", "Collecting Jinja2==2.10",
                   "  Downloading Jinja2-2.10.tar.gz", "  Getting requirements to build wheel: started",
                   '        File "/tmp/pip-build-env-x/overlay/lib/python3.13/site-packages/setuptools/b.py"',
                   *["  filler"] * 30, "      ModuleNotFoundError: No module named 'imp'",
                   "× Getting requirements to build wheel did not run successfully."]


@pytest.mark.parametrize(("lines", "expected"), [
    (_NO_COMPILER, "cffi could not be installed on the image's Python (it has no wheel for it and the builder has "
                   "no C compiler): pin a newer cffi, or choose an older Python with a .python-version file"),
    (_REMOVED_MODULE, "Jinja2 could not be installed on Python 3.13 (its build imports imp, which Python 3.13 no "
                      "longer has): pin a newer Jinja2, or choose an older Python with a .python-version file"),
    # psycopg2 (never a wheel): the binary package is what to depend on.
    (["Collecting psycopg2", "  Getting requirements to build wheel: started", "      running egg_info",
      "      Error: pg_config executable not found.",
      "× Getting requirements to build wheel did not run successfully."],
     "psycopg2 builds from source against PostgreSQL's libpq (pg_config not found in the builder): depend on "
     "psycopg2-binary (or psycopg[binary]), which ships wheels, instead"),
    # miguelgrinberg/microblog pins psycopg2-binary 2.9.9, whose wheels end before 3.13.
    (["Collecting psycopg2-binary==2.9.9", "  Downloading psycopg2-binary-2.9.9.tar.gz (384 kB)",
      "      Error: pg_config executable not found.", "      lib/python3.13/site-packages/setuptools",
      "× Getting requirements to build wheel did not run successfully."],
     "psycopg2-binary could not be installed on Python 3.13 (it has no wheel for it, and its source build needs "
     "PostgreSQL's libpq): pin a newer psycopg2-binary, or choose an older Python with a .python-version file"),
    # PierreZ/goStatic without vendor/ on a machine without the module proxy.
    (['go: github.com/rs/zerolog@v1.26.1: Get "https://proxy.golang.org/github.com/rs/zerolog/@v/v1.26.1.info": '
      "dial tcp: lookup proxy.golang.org on 10.0.0.2:53: no such host"],
     "Go modules could not be downloaded (proxy.golang.org is unreachable from the build): commit vendor/ (go mod "
     "vendor), or set a reachable proxy as GOPROXY in the environment or build.network.goproxy in imgforge.yaml"),
    # litestar-org/litestar-hello-world: hatchling, app.py at the root and no package named like the project.
    (["  Preparing metadata (pyproject.toml): started",
      "      ValueError: Unable to determine which files to ship inside the wheel using the following heuristics",
      "error: metadata-generation-failed"],
     "the project's own wheel build found nothing to ship (hatchling looks for a package named like [project] name): "
     "set [tool.hatch.build.targets.wheel] packages in pyproject.toml, or remove [build-system] if the project is "
     "not a package"),
    (["npm ERR! code E404", "npm ERR! 404 Not Found - GET https://registry.npmjs.org/nope"], None),
    # pip through a proxy whose login is wrong, and through one that is not listening (urllib3's words).
    (["Collecting itsdangerous==2.2.0", "  WARNING: Retrying (Retry(total=4)) after connection broken by "
      "'ProxyError('Unable to connect to proxy', OSError('Tunnel connection failed: 407 Proxy Authentication "
      "Required'))': /simple/itsdangerous/"],
     "the build's HTTP proxy refused the connection or its login: check the proxy URL and credentials in "
     "HTTPS_PROXY / HTTP_PROXY or build.network.proxy in imgforge.yaml"),
    (["WARNING: Retrying after connection broken by 'ProxyError('Cannot connect to proxy.', NewConnectionError("
      "'Failed to establish a new connection: [Errno 111] Connection refused'))': /simple/flask/"],
     "the build's HTTP proxy refused the connection or its login: check the proxy URL and credentials in "
     "HTTPS_PROXY / HTTP_PROXY or build.network.proxy in imgforge.yaml"),
    (["npm error code ECONNRESET", "npm error network tunneling socket could not be established, statusCode=407"],
     "the build's HTTP proxy refused the connection or its login: check the proxy URL and credentials in "
     "HTTPS_PROXY / HTTP_PROXY or build.network.proxy in imgforge.yaml"),
])
def test_install_hint_names_the_package_and_what_to_change(lines, expected):
    assert install_hint(lines) == expected


def test_failure_carries_the_hint_beyond_the_tail():
    log = ProgressLog()
    for line in ["#9 [deps 4/4] RUN pip install -r requirements.txt", *(f"#9 1.0 {ln}" for ln in _NO_COMPILER),
                 "#9 ERROR: executor failed running [/bin/sh -c pip install -r requirements.txt]: exit code: 1"]:
        log.feed(line)
    failure = log.failure("FROM a AS deps\nRUN x\nRUN y\nRUN pip install -r requirements.txt\n", tail=3)
    assert failure is not None and "Collecting cffi==1.15.1" not in "\n".join(failure.output_tail)
    assert failure.hint is not None and failure.hint.startswith("cffi could not be installed")


# How a dependency says it needs a newer Node.js (modelled on each tool's wording): Next.js and Vite check at start,
# yarn 1 and pnpm refuse to install, npm only warns (EBADENGINE) and the step fails later.
_NODE_TOO_OLD = [
    (["> build", "> next build", "",
      'You are using Node.js 18.20.4. For Next.js, Node.js version ">=20.9.0" is required.'],
     "Next.js", ">=20.9.0", "18.20.4"),
    (["> vite build", "You are using Node.js 18.19.0. Vite requires Node.js version 20.19+ or 22.12+. "
      "Please upgrade your Node.js version."], "Vite", "20.19+ or 22.12+", "18.19.0"),
    (['error vite@7.1.3: The engine "node" is incompatible with this module. Expected version '
      '"^20.19.0 || >=22.12.0". Got "18.19.0"', 'error Found incompatible module.'],
     "vite@7.1.3", "^20.19.0 || >=22.12.0", "18.19.0"),
    (["npm warn EBADENGINE Unsupported engine {", "npm warn EBADENGINE   package: 'undici@7.16.0',",
      "npm warn EBADENGINE   required: { node: '>=20.18.1' },",
      "npm warn EBADENGINE   current: { node: 'v18.19.0', npm: '9.2.0' }", "npm warn EBADENGINE }",
      "ReferenceError: File is not defined"], "undici@7.16.0", ">=20.18.1", "18.19.0"),
    ([" ERR_PNPM_UNSUPPORTED_ENGINE  Unsupported environment (bad Node.js version)", "",
      'Your Node version is incompatible with "/astro/5.13.0".', "", "Expected version: >=18.20.8",
      "Got: v18.19.0"], "/astro/5.13.0", ">=18.20.8", "18.19.0"),
]


@pytest.mark.parametrize(("lines", "who", "want", "got"), _NODE_TOO_OLD)
def test_a_dependency_needing_a_newer_node_gets_a_hint_naming_where_the_version_comes_from(lines, who, want, got):
    hint = install_hint(lines)
    assert hint is not None
    assert hint.startswith(f"{who} needs Node.js {want} and the build has {got}: ")
    assert ".nvmrc" in hint and "engines.node" in hint


def test_failures_without_a_node_version_check_get_no_node_hint():
    assert install_hint(["npm ERR! code E404", "npm ERR! 404 Not Found - GET https://registry.npmjs.org/nope"]) is None
    assert install_hint(["You are using Node.js 20.19.2."]) is None


def test_a_google_font_next_build_could_not_fetch_names_the_hosts_and_next_font_local() -> None:
    # Modelled on `next build` of a create-next-app layout (Geist) where only the package registries are reachable.
    lines = ["   Creating an optimized production build ...", "Failed to compile.", "",
             "app/layout.tsx", "next/font: error:", "Failed to fetch `Geist Mono` from Google Fonts.", "",
             "> Build failed because of webpack errors"]
    hint = install_hint(lines)
    assert hint is not None and hint.startswith("next/font/google downloads Geist Mono from fonts.googleapis.com")
    assert "fonts.gstatic.com" in hint and "next/font/local" in hint
    assert install_hint(["next/font: warning:", "Using fallback font"]) is None


def test_a_source_build_that_fails_with_a_compiler_is_not_called_compiler_less():
    # Modelled on a uv.lock from before 3.13 had wheels (uvloop 0.20): generate gave the builder gcc, and the
    # package's own build then failed (libuv's ./configure) on a Python it predates.
    lines = ["Collecting uvloop==0.20.0", "  Downloading uvloop-0.20.0.tar.gz (2.3 MB)", *["  filler"] * 20,
             "      gcc -pthread -fno-strict-overflow -Wsign-compare -O2 -c uvloop/loop.c",
             "      File \"/usr/lib/python3.13/subprocess.py\", line 577, in run",
             "      subprocess.CalledProcessError: Command '['./configure']' returned non-zero exit status 1.",
             "  ERROR: Failed building wheel for uvloop", "Failed to build uvloop"]
    hint = install_hint(lines)
    assert hint is not None and "no C compiler" not in hint
    assert hint.startswith("uvloop could not be installed on Python 3.13 (it has no wheel for it and its source "
                           "build failed)")
    headers = ["Collecting regex==2021.4.4", "      regex_3/_regex.c:48:10: fatal error: Python.h: No such file "
               "or directory", "  ERROR: Failed building wheel for regex"]
    assert "no Python headers" in (install_hint(headers) or "")


@pytest.mark.parametrize(("kind", "prefix"), [("public", "\x00"), ("private", " ")])
def test_a_sveltekit_static_env_variable_missing_at_build_time_is_named(kind: str, prefix: str) -> None:
    lines = ["vite v4.2.1 building SSR bundle for production...",
             "error during build:",
             f'RollupError: "SITE_TITLE" is not exported by "{prefix}$env/static/{kind}", imported by "src/a.svelte".',
             "    at error (file:///app/node_modules/rollup/dist/es/shared/node-entry.js:2128:30)"]
    hint = install_hint(lines)
    assert hint is not None and hint.startswith(f"SvelteKit's $env/static/{kind} needs SITE_TITLE")
    assert f"$env/dynamic/{kind}" in hint


def test_another_rollup_missing_export_gets_no_sveltekit_hint() -> None:
    assert install_hint(['RollupError: "helper" is not exported by "src/lib/util.js"']) is None


# A Django Channels app's pins frozen in 2023 (ram-meegada/django-channels-chatting): google-auth was pinned below
# what google-cloud-storage 2.13.0 needs, which pip refuses on every Python.
_CONFLICT = ["Collecting google-auth==2.23.0", "INFO: pip is looking at multiple versions of absl-py",
             "ERROR: Cannot install -r requirements.txt (line 42) and google-auth==2.23.0 because these package "
             "versions have conflicting dependencies.", "", "The conflict is caused by:",
             "    The user requested google-auth==2.23.0",
             "    google-api-core 2.14.0 depends on google-auth<3.0.dev0 and >=2.14.1",
             "    google-auth-httplib2 0.1.1 depends on google-auth",
             "    google-cloud-storage 2.13.0 depends on google-auth<3.0dev and >=2.23.3", "",
             "ERROR: ResolutionImpossible: for help visit https://pip.pypa.io/en/latest/topics/dependency-resolution/"]


def test_conflicting_pins_name_the_pin_and_the_dependency_that_excludes_it() -> None:
    assert install_hint(_CONFLICT) == (
        "pip cannot install the exact pins together on any Python (google-auth==2.23.0 is pinned, and "
        "google-cloud-storage 2.13.0 needs google-auth<3.0dev,>=2.23.3): change one of the two pins so they agree")


def test_a_conflict_pip_does_not_spell_out_still_says_what_to_change() -> None:
    lines = [line for line in _CONFLICT if "google-cloud-storage" not in line]
    hint = install_hint(lines)
    assert hint is not None and "google-auth==2.23.0 is pinned, and another pin needs another google-auth" in hint


def test_a_pin_whose_metadata_pip_refuses_is_named_as_the_projects_to_change():
    # A 2020 Django + Celery requirements file (passionsjin/simple_django_app's production.txt pins celery 4.4.6).
    lines = ["Collecting celery==4.4.6 (from -r requirements/production.txt (line 8))",
             "  Downloading celery-4.4.6-py2.py3-none-any.whl (426 kB)",
             "WARNING: Ignoring version 4.4.6 of celery since it has invalid metadata:",
             "Requested celery==4.4.6 from https://files.example/celery-4.4.6-py2.py3-none-any.whl has invalid "
             "metadata: Expected matching RIGHT_PARENTHESIS for LEFT_PARENTHESIS, after version specifier",
             "    pytz (>dev)", "Please use pip<24.1 if you need to use this version.",
             "ERROR: Could not find a version that satisfies the requirement celery==4.4.6 (from versions: 4.4.7)",
             "ERROR: No matching distribution found for celery==4.4.6"]
    hint = install_hint(lines)
    assert hint is not None
    assert hint.startswith("celery 4.4.6's metadata is invalid for pip 24.1 and later")
    assert "the pin is the project's to change" in hint


def test_a_locked_release_the_index_no_longer_has_is_named_as_the_projects_to_relock():
    # A uv.lock of late 2025 (anirbanbasu/gradio-experiments) pins a pre-release its index has since dropped.
    lines = ["Collecting polars==1.35.0b1 (from -r /tmp/requirements.txt (line 108))",
             "ERROR: Ignored the following versions that require a different python version: 1.21.2 Requires-Python "
             ">=3.7,<3.11; 1.26.0 Requires-Python <3.13,>=3.9",
             "ERROR: Could not find a version that satisfies the requirement polars-runtime-32==1.35.0b1 (from "
             "versions: 0.0.0, 1.34.0, 1.35.1, 1.36.0b1)",
             "ERROR: No matching distribution found for polars-runtime-32==1.35.0b1"]
    hint = install_hint(lines)
    assert hint is not None and hint.startswith("polars-runtime-32 1.35.0b1 is pinned, and the package index has no "
                                                "such release")
    assert "uv lock --upgrade-package polars-runtime-32" in hint
    # A release that is there but wants another Python is not called missing.
    other = ["ERROR: Ignored the following versions that require a different python version: 1.21.6 Requires-Python "
             ">=3.7,<3.11", "ERROR: Could not find a version that satisfies the requirement numpy==1.21.6 (from "
             "versions: 1.26.4)", "ERROR: No matching distribution found for numpy==1.21.6"]
    assert "has no such release" not in (install_hint(other) or "")
