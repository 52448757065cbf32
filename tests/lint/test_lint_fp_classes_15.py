"""False-positive classes found on held-out set 15 (public files never tuned on), each with a nearby true positive.

The Dockerfiles are written for these tests, modelled on patterns of the projects labelled (build-environment
images kept alive for `docker exec`, Lambda function images, bioinformatics images with a final test stage, Tilt
dev images, quoted FROM operands, a RUN that deletes ~/.npm); none is copied.
"""
from __future__ import annotations

from imgforge.lint import lint
from tests.lint._flagged import lines as _lines


# USR001/MS001: an image whose command only keeps the container alive (`tail -f /dev/null`, `sleep infinity`) runs
# nothing of its own: a build environment one execs into, or a base whose children set the program.

_IDLE = ("FROM ubuntu:24.04\n"
         "RUN apt-get update && apt-get install -y --no-install-recommends build-essential gcc make \\\n"
         "    && rm -rf /var/lib/apt/lists/*\n"
         "COPY entrypoint.sh /usr/local/bin/entrypoint.sh\n"
         "EXPOSE 8080\n"
         'ENTRYPOINT ["/usr/local/bin/entrypoint.sh"]\n'
         'CMD ["tail", "-f", "/dev/null"]\n')


def test_an_idle_keep_alive_command_is_a_build_environment_not_a_service() -> None:
    assert _lines(_IDLE, "USR001") == []
    assert _lines(_IDLE, "MS001") == []
    sleeping = _IDLE.replace('CMD ["tail", "-f", "/dev/null"]', "CMD sleep infinity")
    assert _lines(sleeping, "USR001") == []
    assert _lines(sleeping, "MS001") == []


def test_a_command_that_serves_is_still_judged() -> None:
    serving = _IDLE.replace('CMD ["tail", "-f", "/dev/null"]', 'CMD ["/usr/local/bin/app", "--listen", ":8080"]')
    assert _lines(serving, "USR001") == [1]
    assert _lines(serving, "MS001") == [2]
    following_a_log = _IDLE.replace('CMD ["tail", "-f", "/dev/null"]', 'CMD ["tail", "-f", "/var/log/app.log"]')
    assert _lines(following_a_log, "USR001") == [1]  # a real file followed: the image does something of its own
