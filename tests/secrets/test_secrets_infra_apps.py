"""The round-16 vendor groups in the places they live: identifiable keys in connection strings, signed URLs, join
tokens on command lines, key files, wallets, password verifiers and capability URLs.

Bare tokens of every group are in tokengen's provider corpus (test_secrets_vendors.py); here each group's
context and its near misses. Every value is built at test time from a seeded generator; none is printed.
"""

from __future__ import annotations

import base64
import random

import pytest

from imgforge.secrets import SecretDetector
from tokengen import PROVIDERS, fill

MAKE = dict(PROVIDERS)


@pytest.fixture(scope="module")
def detector() -> SecretDetector:
    return SecretDetector(strict=True)


def _rules(detector: SecretDetector, text: str, path: str = "/app/config.txt") -> list[str]:
    return [m.rule for m in detector.scan_bytes(text.encode(), path)]


def _rng(seed: int = 16) -> random.Random:
    return random.Random(seed)


# Microsoft identifiable keys.


def test_an_identifiable_storage_key_is_found_in_its_connection_string(detector: SecretDetector) -> None:
    key = MAKE["azure-storage-idkey"](_rng())
    text = f"DefaultEndpointsProtocol=https;AccountName=shop;AccountKey={key};EndpointSuffix=core.windows.net\n"
    assert _rules(detector, text) == ["azure-storage-key"]


@pytest.mark.parametrize("kind", ["azure-servicebus-idkey", "azure-cosmos-idkey", "azure-functions-idkey"])
def test_an_identifiable_key_inside_a_longer_base64_run_is_not_a_key(detector: SecretDetector, kind: str) -> None:
    key = MAKE[kind](_rng())
    assert _rules(detector, f'blob = "{fill("{s12}", _rng(3))}{key}"\n') == []  # a stretch of some encoded binary
    assert _rules(detector, f'key = "{key}"\n') != []


def test_the_signature_at_another_place_is_not_an_identifiable_key(detector: SecretDetector) -> None:
    key = MAKE["azure-relay-idkey"](_rng())
    shifted = key[1:38] + "A" + key[38:]  # one character earlier: the signature is no longer at its place
    assert _rules(detector, f'key = "{shifted}"\n') == []


# Signed URLs.


def _sas(expiry: str, version: bool = True) -> str:
    sig = base64.b64encode(_rng().randbytes(32)).decode().replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
    sv = "&sv=2022-11-02" if version else ""
    return f"https://shop.blob.core.windows.net/b/db.tar?sp=r&se={expiry}T00:00:00Z{sv}&sr=b&sig={sig}"


def test_an_unexpired_sas_url_is_found_and_an_expired_one_is_not(detector: SecretDetector) -> None:
    assert _rules(detector, f"BACKUP_URL={_sas('2099-01-01')}\n") == ["azure-sas-token"]
    # A GitHub release download redirected to blob storage, recorded in an API client's test data: long expired.
    assert _rules(detector, f"Location: {_sas('2001-01-01')}\n") == []


def test_a_sig_without_a_service_version_is_no_sas(detector: SecretDetector) -> None:
    assert _rules(detector, f"url = {_sas('2099-01-01', version=False)}\n") == []


def test_a_logic_app_url_is_reported_as_one(detector: SecretDetector) -> None:
    assert _rules(detector, MAKE["azure-logic-app"](_rng()) + "\n") == ["azure-logic-app-url"]


# Clusters and self-hosted tools.


def test_a_kubeadm_join_token_is_found_and_the_docs_example_is_not(detector: SecretDetector) -> None:
    token = fill("{l6}.{l16}", _rng())
    assert _rules(detector, f"kubeadm join 10.0.0.5:6443 --token {token}\n", "/opt/join.sh") == [
        "kubeadm-bootstrap-token"
    ]
    assert _rules(detector, f"bootstrapTokens:\n- token: \"{token}\"\n", "/etc/kubeadm.yaml") == [
        "kubeadm-bootstrap-token"
    ]
    assert _rules(detector, "kubeadm join 10.0.0.5:6443 --token abcdef.0123456789abcdef\n", "/opt/join.sh") == []


def test_robinhood_keys_are_not_read_as_launchdarkly_keys(detector: SecretDetector) -> None:
    assert _rules(detector, MAKE["robinhood-crypto"](_rng()) + "\n") == ["robinhood-crypto-key"]
    assert _rules(detector, "sdk-" + fill("{uuid}", _rng()) + "\n") == ["launchdarkly-key"]


# Key files, wallets and password verifiers.


def test_a_wireguard_config_private_key_is_found(detector: SecretDetector) -> None:
    key = base64.b64encode(_rng().randbytes(32)).decode()
    conf = f"[Interface]\nAddress = 10.8.0.2/24\nPrivateKey = {key}\n\n[Peer]\nPublicKey = {key}\n"
    assert _rules(detector, conf, "/etc/wireguard/wg0.conf") == ["wireguard-private-key"]  # not the public key


def test_an_openvpn_static_key_file_is_found(detector: SecretDetector) -> None:
    rng = _rng()
    body = "\n".join(rng.randbytes(16).hex() for _ in range(16))
    text = f"-----BEGIN OpenVPN Static key V1-----\n{body}\n-----END OpenVPN Static key V1-----\n"
    assert _rules(detector, text, "/etc/openvpn/ta.key") == ["private-key"]
    assert _rules(detector, text, "/usr/share/doc/openvpn/sample-keys/ta.key") == []  # a package's sample key


@pytest.mark.parametrize(("comment", "magic"), [("minisign encrypted secret key", b"EdScB2"),
                                                 ("signify secret key", b"EdBK")])
def test_minisign_and_signify_secret_keys_are_found(detector: SecretDetector, comment: str, magic: bytes) -> None:
    key = base64.b64encode(magic + _rng().randbytes(100)).decode()
    assert _rules(detector, f"untrusted comment: {comment}\n{key}\n", "/root/.minisign/minisign.key") == [
        "private-key"
    ]


def test_a_bip32_key_needs_its_checksum(detector: SecretDetector) -> None:
    key = MAKE["bip32"](_rng())
    assert _rules(detector, f"WALLET={key}\n", "/app/.env.production") == ["crypto-wallet-key"]
    broken = key[:50] + ("B" if key[50] != "B" else "C") + key[51:]
    assert "crypto-wallet-key" not in _rules(detector, f"WALLET={broken}\n", "/app/.env.production")


def test_a_nostr_key_needs_its_checksum(detector: SecretDetector) -> None:
    key = MAKE["nostr"](_rng())
    assert _rules(detector, f'"{key}"\n', "/app/bot.json") == ["crypto-wallet-key"]
    broken = key[:-1] + ("q" if key[-1] != "q" else "p")
    assert _rules(detector, f'"{broken}"\n', "/app/bot.json") == []


def test_wallet_test_vectors_in_a_library_are_not_reported(detector: SecretDetector) -> None:
    key = MAKE["bip32"](_rng())
    assert _rules(detector, f'"{key}"\n', "/usr/lib/node_modules/bip32/test/fixtures/index.json") == []
    assert _rules(detector, f'"{key}"\n', "/usr/local/lib/python3.12/site-packages/bip_utils/vectors.py") == []


def test_a_postgres_scram_verifier_is_found(detector: SecretDetector) -> None:
    verifier = MAKE["postgres-scram"](_rng())
    assert _rules(detector, f'"app" "{verifier}"\n', "/etc/pgbouncer/userlist.txt") == ["password-hash"]


def test_an_lnd_macaroon_in_hex_is_found(detector: SecretDetector) -> None:
    macaroon = (b"\x02\x01\x03lnd\x02\xf8\x01" + _rng().randbytes(120)).hex()
    assert _rules(detector, f"LND_MACAROON={macaroon}\n", "/app/.env") == ["lnd-macaroon"]


# Capability URLs and application keys.


@pytest.mark.parametrize(("kind", "rule"), [("google-chat", "google-chat-webhook"), ("zapier", "zapier-webhook"),
                                            ("ifttt", "ifttt-webhook"), ("make", "make-webhook")])
def test_a_webhook_url_is_found_in_a_config(detector: SecretDetector, kind: str, rule: str) -> None:
    assert rule in _rules(detector, f"notify:\n  url: {MAKE[kind](_rng())}\n", "/app/config.yml")


@pytest.mark.parametrize("text", ["as-needed-basis-for-all-the-items", "ak-47-rifles-and-other-things-x",
                                  "fw_updateFirmwareVersionNow2", "service:web:build-and-push-the-images"])
def test_common_text_is_no_modal_fireworks_or_apollo_key(detector: SecretDetector, text: str) -> None:
    assert _rules(detector, f"const x = '{text}';\n", "/app/src/main.js") == []
