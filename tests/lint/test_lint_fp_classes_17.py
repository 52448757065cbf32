"""False-positive classes found on held-out set 17 (public files never tuned on), each with a nearby true positive.

The Dockerfiles and scripts are written for these tests, modelled on patterns of the projects labelled (mail-server
suites started by a Python script, thin wrappers of official database images, a cache proxy started through a
shell script, CI runner images, a PHP workspace's true/false build switches); none is copied.
"""
from __future__ import annotations

from tests.lint._flagged import lines as _lines

# SEC004: an ARG whose value is a true/false switch (`ARG COMPOSER_AUTH_JSON=false`, tested by the RUN to decide
# whether to copy a credential file) is a switch, not the credential.

_SWITCH = ("FROM php:8.3-cli\n"
           "ARG COMPOSER_AUTH_JSON=false\n"
           "ENV COMPOSER_AUTH_JSON ${COMPOSER_AUTH_JSON}\n"
           "COPY auth.json /tmp/auth.json\n"
           "RUN if [ ${COMPOSER_AUTH_JSON} = true ]; then mv /tmp/auth.json /root/.composer/; \\\n"
           "    else rm /tmp/auth.json; fi\n")


def test_a_true_false_switch_named_like_a_credential_is_no_secret() -> None:
    assert _lines(_SWITCH, "SEC004") == []
    assert _lines(_SWITCH.replace("=false", "=yes"), "SEC004") == []


def test_a_credential_valued_arg_is_still_reported() -> None:
    token = _SWITCH.replace("ARG COMPOSER_AUTH_JSON=false", "ARG COMPOSER_AUTH_JSON={\"github-oauth\": \"x\"}")
    assert _lines(token, "SEC004") == [5]
    given = _SWITCH.replace("ARG COMPOSER_AUTH_JSON=false", "ARG COMPOSER_AUTH_JSON")
    assert _lines(given, "SEC004") == [5]  # given at build time: a value, not a declared switch
