"""Vendor rules and the filters around them: checksums, fillers, long tokens, names, syntaxes, look-alikes.

Every vendor rule is exercised by the generated provider corpus (tokengen.py): each token is found bare,
and the same token with its random part replaced by filler is not.
"""

from __future__ import annotations

import base64
import json
import random
import string

import pytest
from tokengen import PROVIDERS, fill, tokens

from imgforge.secrets import SecretDetector
from imgforge.secrets.vendor import (
    base62_crc32,
    bech32,
    crc32_token,
    is_filler,
    pypi_macaroon,
    random_letters,
    wrapped_jwt,
)
from imgforge.secrets.vendors_apps import APP_RULES
from imgforge.secrets.vendors_cloud import CLOUD_RULES
from imgforge.secrets.vendors_dev import DEV_RULES
from imgforge.secrets.vendors_infra import INFRA_RULES
from imgforge.secrets.vendors_saas import SAAS_RULES

VENDOR_RULES = (*CLOUD_RULES, *SAAS_RULES, *DEV_RULES, *INFRA_RULES, *APP_RULES)

CORPUS = tokens(per_provider=1, seed=29)
NEEDS_A_NAME = {"snyk", "heroku-legacy", "datadog", "algolia", "cloudflare-token", "okta", "mistral", "cohere",
                "discord-bot", "beamer", "airtable", "asana", "notion-legacy", "telnyx", "webex"}  # fmt: skip
IN_A_FILE = {"wireguard"}  # a key file's line (`PrivateKey = ...` at a line start): in test_secrets_infra_apps.py
TOKEN = dict(tokens(per_provider=1, seed=31))


@pytest.fixture(scope="module")
def detector() -> SecretDetector:
    return SecretDetector(strict=True)


def _bare(detector: SecretDetector, value: str) -> set[str]:
    return {m.rule for m in detector.scan_bytes(json.dumps({"value": value}).encode(), "/srv/data.json")}


def test_every_vendor_rule_is_exercised(detector: SecretDetector) -> None:
    found = set().union(*(_bare(detector, value) for _, value in tokens(per_provider=2)))
    needs_a_name = {"sidekiq-credentials", "discord-bot-token", "beamer-api-key", "airtable-token", "asana-token",
                    # webex: near its name; key files: test_secrets_infra_apps.py
                    "webex-token", "wireguard-private-key", "private-key"}
    wanted = {rule.id for rule in VENDOR_RULES} - needs_a_name
    assert wanted - found == set()


@pytest.mark.parametrize(
    ("provider", "value"), [c for c in CORPUS if c[0] not in NEEDS_A_NAME | IN_A_FILE], ids=lambda v: v[:24]
)
def test_vendor_token_found_bare_and_filler_not(detector: SecretDetector, provider: str, value: str) -> None:
    assert _bare(detector, value), provider
    keep = max(4, len(value) // 3)
    assert not _bare(detector, value[:keep] + "x" * (len(value) - keep)), provider  # documentation filler
    assert not _bare(detector, value[: len(value) // 2] + "..."), provider  # truncated example


def test_runs_inside_a_vendor_token_do_not_hide_it(detector: SecretDetector) -> None:
    body = "abcdef12345" + "Zq8Lm2Xv4Tn6Rb1Wc3Yd5"  # the generic placeholder check would drop this
    assert _bare(detector, "sk_live_" + body + "Kp") == {"stripe-secret-key"}
    assert _bare(detector, "glpat-" + body[:20]) == {"gitlab-token"}
    assert _bare(detector, "hf_" + "____" + "QwErTyUiOpAsDfGhJkLzXcVbNmQwEr") == set()  # wrong alphabet for hf_


def _no_digit(template: str, rng: random.Random) -> str:
    """A token of ``template`` whose random part happens to hold no digit (one AWS key id in 28)."""
    while True:
        value = fill(template, rng)
        if not any(c in string.digits for c in value[4:]):
            return value


@pytest.mark.parametrize(
    ("template", "rule"),
    [("AKIA{B16}", "aws-access-key-id"), ("ASIA{B16}", "aws-access-key-id"), ("rzp_live_{a14}", "razorpay-key"),
     ("md-{a22}", "mandrill-api-key"), ("LTAI{a20}", "alibaba-access-key-id"), ("live_{a30}", "mollie-api-key")],
)  # fmt: skip
def test_a_token_without_a_digit_is_still_a_token(detector: SecretDetector, template: str, rule: str) -> None:
    rng = random.Random(template)
    values = [_no_digit(template, rng) for _ in range(200)]
    bare = sum(rule in _bare(detector, value) for value in values)
    named = sum(bool(detector.scan_bytes(f"SERVICE_KEY={value}\n".encode(), "/app/.env")) for value in values)
    assert bare >= 100 and named >= 100, (bare, named)  # before: 0-31 of 200; misses read like words


@pytest.mark.parametrize(
    "value", ["ASIAPACIFICSOUTHEAST", "live_ReloadServerMiddlewareHandlers", "rzp_live_ServerResponse"]
)
def test_words_after_a_vendor_prefix_are_not_tokens(detector: SecretDetector, value: str) -> None:
    assert _bare(detector, value) == set()


def test_random_letters() -> None:
    assert random_letters(b"GQNBQRMKTSXFVYPL") and random_letters(b"cVDNakNnNhKzXr")
    assert not random_letters(b"PACIFICSOUTHEAST") and not random_letters(b"ReloadServerMiddlewareHandlers")
    assert not random_letters(b"GQNBQRMKTSX")  # too short to tell


def test_checksums_and_structures() -> None:
    github, npm = TOKEN["github-classic"], TOKEN["npm"]
    assert crc32_token(github.encode()) and crc32_token(npm.encode())
    assert not crc32_token((github[:-1] + ("A" if github[-1] != "A" else "B")).encode())
    assert base62_crc32(b"") == b"000000"
    assert pypi_macaroon(TOKEN["pypi"].encode()) and not pypi_macaroon(b"pypi-AgEIcHlwaS5vcmc" + b"A" * 80)
    assert bech32(TOKEN["age"].encode()) and not bech32(TOKEN["age"][:-1].encode() + b"Q")
    assert wrapped_jwt(TOKEN["jwt-base64"].encode()) and not wrapped_jwt(base64.b64encode(b"eyJub3Q.eyJqd3Q.c2ln"))
    assert is_filler(b"ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX") and is_filler(b"sk_live_####################")
    assert not is_filler(TOKEN["twitter-bearer"].encode())  # its leading AAAA... is the format, not filler


def test_valid_checksum_beats_low_entropy(detector: SecretDetector) -> None:
    body = "a" * 8 + "b" * 8 + "c" * 8 + "d" * 6  # looks like filler, but the checksum says it is a real token
    token = "ghp_" + body + base62_crc32(body.encode()).decode()
    assert _bare(detector, token) == {"github-token"}


def test_long_tokens_are_fine(detector: SecretDetector) -> None:
    for provider in ("1password-sa", "aws-session-token", "flyio-macaroon"):
        value = TOKEN[provider]
        assert len(value) > 256
        assert _bare(detector, value), provider
        assert detector.scan_bytes(f"TOKEN={value}\n".encode(), "/app/.env"), provider


NAMED = [
    ("uuid under a credential name", ".env", "SNYK_TOKEN=" + "3f2b8c1e-9d4a-4e7b-8f6c-2a1d0e9b7c5f"),
    ("uuid in yaml", "values.yaml", "heroku:\n  api_key: 7a1c2e4f-3b5d-4c6e-9f8a-0b1c2d3e4f5a"),
    ("all-letter token", ".env", "LINEAR_TOKEN=" + "ZqLmXvTnRbWcYdFhJkPaGeHsBvNrMtUiKp"),
    ("brackets in a password", "settings.py", 'DB_PASSWORD = "x]9(Qz{4v}Lm"'),
    ("oauth client secret", "app.ts", 'const oauthClientSecret = "Zq8Lm2Xv4Tn6Rb1Wc3Yd"'),
    ("go var", "main.go", 'var apiToken string = "Zq8Lm2Xv4Tn6Rb1Wc3Yd"'),
    ("xml element", "settings.xml", "<server><password>Tr0ub4dor-3x</password></server>"),
    ("java setProperty", "Boot.java", 'System.setProperty("SERVICE_TOKEN", "Zq8Lm2Xv4Tn6Rb1Wc3Yd");'),
    ("java properties", "app.properties", "service.api.key=Zq8Lm2Xv4Tn6Rb1Wc3Yd"),
    ("php .=", "config.php", '$db_password .= "Tr0ub4dor-3x";'),
    ("php array", "config.php", "$config['db_password'] = 'Tr0ub4dor-3x';"),
    ("make ?=", "Makefile", "REGISTRY_PASSWORD ?= Tr0ub4dor-3x"),
    ("make ::=", "Makefile", "DEPLOY_TOKEN ::= Zq8Lm2Xv4Tn6Rb1Wc3Yd"),
    ("env in a json string", "task.json", '{"env": "MODE=prod\\nAPI_TOKEN=Zq8Lm2Xv4Tn6Rb1Wc3Yd\\nDEBUG=0"}'),
    ("escaped json in json", "task.json", '{"body": "{\\"api_key\\": \\"Zq8Lm2Xv4Tn6Rb1Wc3Yd\\"}"}'),
    ("base64 of a password", "values.yaml", "password: " + base64.b64encode(b"S3rv1ce-Pw!x").decode()),
]


@pytest.mark.parametrize(("what", "path", "text"), NAMED, ids=[n[0] for n in NAMED])
def test_named_secrets_in_more_syntaxes(detector: SecretDetector, what: str, path: str, text: str) -> None:
    found = detector.scan_bytes(text.encode(), f"/srv/{path}")
    assert len(found) == 1, what
    assert "\\" not in found[0].redacted and "<" not in found[0].redacted  # the value stops where it should


def test_pgp_secret_key_with_armour_checksum(detector: SecretDetector) -> None:
    body = base64.b64encode(bytes(range(256)) * 4).decode()
    block = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    armour = f"-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n{block}\n=tT4r\n-----END PGP PRIVATE KEY BLOCK-----\n"
    assert [m.rule for m in detector.scan_bytes(armour.encode(), "/root/key.asc")] == ["private-key"]


NOT_SECRETS = [
    ("xoxo in an image URL", "page.html", '<img src="https://cdn.invalid/xoxo-2019-gala-1200x800.jpg">'),
    ("redacted token", "log.txt", "Authorization: token ghp_abcd####################################"),
    ("redacted env", ".env", "GITHUB_TOKEN=ghp_1234################################"),
    ("filler", "README.md", "export API_TOKEN=YourAccessTokenHere"),
    ("filler 2", ".env", "SLACK_TOKEN=InsertYourSlackAccessTokenHere"),
    ("public token", "app.js", 'const publicToken = "pk_4f9a0c2e4f9a0c2e4f9a0c2e"'),
    ("truncated example", "README.md", "STRIPE_SECRET_KEY=sk_live_51H8x7d2eZvKYlo..."),
    ("truncated example 2", "docs.md", 'token = "glpat-Zq8Lm2Xv4T..."'),
    ("list of strings", "policy.min.js", '["sts:GetSessionToken","iam:PassRole","kms:Decrypt1"]'),
    ("pagination", "page.json", '{"LockToken": "3f2b8c1e-9d4a-4e7b-8f6c-2a1d0e9b7c5f"}'),
    ("vendor prefix in a file name", "page.html", '<img src="/media/box.ico-7a388b69018576d24b59331fd60aab0c.png">'),
    ("alphabet run", "README.md", "key: AIzaSyabcdefghijklmnopqrstuvwxyz1234567"),
    ("code with brackets", "app.py", "api_key = settings['keys'][0]"),
    ("call", "app.js", "const apiToken = getToken(user, 42);"),
    ("base64 of a stopword", "secret.yml", "  password: cGFzc3dvcmQ= # password: password"),
    ("base64 of example:example", "docs.md", "Authorization: Basic ZXhhbXBsZTpleGFtcGxl"),
    ("base64 of foo:bar", "test_login.py", '    "authorizationToken": "Zm9vOmJhcg==",'),
]


@pytest.mark.parametrize(("what", "path", "text"), NOT_SECRETS, ids=[n[0] for n in NOT_SECRETS])
def test_look_alikes_are_not_secrets(detector: SecretDetector, what: str, path: str, text: str) -> None:
    found = detector.scan_bytes(text.encode(), f"/srv/{path}")
    assert found == [], [(m.rule, m.redacted) for m in found]


def test_provider_list_is_broad() -> None:
    assert len(PROVIDERS) >= 150 and len({r.id for r in VENDOR_RULES}) >= 120


def test_matrix_token_needs_its_crc(detector: SecretDetector) -> None:
    value = TOKEN["matrix"]
    assert _bare(detector, value) == {"matrix-access-token"}
    head, crc = value.rsplit("_", 1)
    other = "0" if crc[-1] != "0" else "1"
    assert _bare(detector, f"{head}_{crc[:-1]}{other}") == set()  # one wrong checksum character: no Synapse token


def test_base64_json_tokens_need_their_fields(detector: SecretDetector) -> None:
    assert _bare(detector, TOKEN["cloudflare-tunnel"]) == {"cloudflare-tunnel-token"}
    other = base64.b64encode(json.dumps({"a": "one", "b": "two", "c": "x" * 40}, separators=(",", ":")).encode())
    assert _bare(detector, other.decode()) == set()  # base64 of some other {"a": ...} object


@pytest.mark.parametrize(
    ("text", "path"),
    [("ENV TAVILY_API_KEY=tvly-test", "Dockerfile"), ("signkey-prod-mykey", "net.ts"),
     ("E2B_API_KEY=e2b_***", ".env"), ("FIRECRAWL_API_KEY=fc-YOUR_API_KEY", ".env"),
     ("see rfc-9f3a1c7e5b2d4f6a8c0e1b3d5f7a9c2e", "notes.txt"), ("version 0.12345678-1234-", "CHANGES")],
)  # fmt: skip
def test_new_vendor_prefixes_in_samples_are_not_tokens(detector: SecretDetector, text: str, path: str) -> None:
    assert [m.rule for m in detector.scan_bytes(text.encode(), f"/srv/{path}")] == []


def test_a_named_token_that_starts_with_a_secret_word(detector: SecretDetector) -> None:
    value = TOKEN["telnyx"]  # KEY + 32 hex + _ + 22 base62: an identifier that names a key, if one only looks at it
    assert [m.rule for m in detector.scan_bytes(f"TELNYX_API_KEY={value}\n".encode(), "/srv/.env")] == [
        "generic-secret"
    ]
    assert detector.scan_bytes(b"password = DB_PASSWORD2\n", "/srv/.env") == []
