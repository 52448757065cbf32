"""A script that starts its server under `if __name__ == "__main__":` is the start command when no framework rule
finds the app: at the root by its path (a Tornado hello world named helloworld.py), below it as a module; a
`__main__` block that only hands a coroutine to asyncio.run starts a server only if that coroutine does (pure).

Modelled on bruxochico/tornado-helloworld (`IOLoop.current().start()`) and mher/flower (a utils module whose
`asyncio.run(main())` queries the broker from the command line).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from imgforge.generate.pydeps import dependencies
from imgforge.generate.pystart import python_start
from tests.generate._files import write

TORNADO = ("import os\n\nimport tornado.ioloop\nimport tornado.web\n\n\nclass Hello(tornado.web.RequestHandler):\n"
           "    def get(self):\n        self.write('hi')\n\n\nif __name__ == '__main__':\n"
           "    app = tornado.web.Application([(r'/', Hello)])\n    app.listen(int(os.environ['PORT']))\n"
           "    tornado.ioloop.IOLoop.current().start()\n")
QUERY = ("import asyncio\nimport sys\n\n\nasync def main():\n    reply = await ask(sys.argv[1])\n    print(reply)\n\n\n"
         "if __name__ == '__main__':\n    asyncio.run(main())\n")
SERVE = ("import asyncio\n\nimport uvicorn\n\n\nasync def main():\n"
         "    server = uvicorn.Server(uvicorn.Config('svc.api:app'))\n    await server.serve()\n\n\n"
         "if __name__ == '__main__':\n    asyncio.run(main())\n")


def test_a_root_script_that_serves_runs_by_its_path(tmp_path: Path) -> None:
    write(tmp_path, {"requirements.txt": "tornado\n", "helloworld.py": TORNADO, "notes.py": "print('x')\n"})
    start = python_start(tmp_path)
    assert start is not None and start.entrypoint == ("python3", "helloworld.py")


def test_asyncio_run_of_a_command_line_query_is_no_server(tmp_path: Path) -> None:
    write(tmp_path, {"requirements.txt": "celery\n", "viewer/__init__.py": "", "viewer/utils/__init__.py": "",
                     "viewer/utils/broker.py": QUERY})
    assert python_start(tmp_path) is None


def test_asyncio_run_of_a_coroutine_that_serves_is_the_start(tmp_path: Path) -> None:
    write(tmp_path, {"requirements.txt": "uvicorn\n", "svc/__init__.py": "", "svc/run.py": SERVE})
    start = python_start(tmp_path)
    assert start is not None and start.entrypoint == ("python3", "-m", "svc.run")


@pytest.mark.parametrize(("setup", "files", "wanted"), [
    # install_requires read from a file in requirements/ by a helper (mher/flower's get_requirements).
    ("def reqs(name):\n    return open('requirements/' + name).read().splitlines()\n\n"
     "setup(name='v', install_requires=reqs('default.txt'))\n",
     {"requirements/default.txt": "celery>=5.0.5\n# web\ntornado>=6.5,<7\n-r extra.txt\n"}, {"celery", "tornado"}),
    # ... or at the root, through a name bound to the call.
    ("requires = open('requirements.in').read().split()\nsetup(name='v', install_requires=requires)\n",
     {"requirements.in": "bottle\n"}, {"bottle"}),
    # A file that is not there: nothing, rather than a guess.
    ("setup(name='v', install_requires=open('reqs.txt').read().split())\n", {}, set()),
])
def test_setup_py_requirements_from_a_file(tmp_path: Path, setup: str, files: dict[str, str],
                                           wanted: set[str]) -> None:
    write(tmp_path, {"setup.py": "from setuptools import setup\n\n" + setup, **files})
    assert dependencies(tmp_path) == wanted
