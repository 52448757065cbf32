"""Vendor rules for infrastructure credentials earlier rounds did not cover: Microsoft's identifiable keys, new
Cloudflare and AWS formats, cluster join tokens, self-hosted platforms, signed URLs, and key and hash files.

Each rule is written from the format its vendor or its tool documents: Microsoft's identifiable keys carry a
service signature at a fixed place (``+ASt`` for storage, ``ACDb`` for Cosmos DB...), BIP32 keys are Base58Check,
Nostr keys bech32. Triggers are the distinctive literal with a little of what follows it, so the RE2::Set
prefilter stays a literal search.
"""

from __future__ import annotations

import datetime
from typing import Any

import re2

from imgforge.secrets.checks import shannon_entropy
from imgforge.secrets.context import Context, Found, Rule
from imgforge.secrets.vendor import B64_END, base58check, bech32, has_digit, mixed, prefixed, vendor

UUID = rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_NOT_B64 = rb"(?:^|[^A-Za-z0-9+/=_\-])"  # an identifiable key is a whole base64 word, not part of a longer one


# One RE2::Set entry for every identifiable key (a signature, then the checksum tail up to its "="): the Set's cost
# grows with its entries, and these rules' keys are rare, so one shared entry wakes them all.
_AZURE_TRIGGER = rb"(?:\+ast|acdb|\+aba|\+amc|apim|\+arm|\+aeh|\+asb|aiot|azca|azeg|azfu)[a-z0-9+/_\-]{5,6}="


def _azure_key(rule_id: str, description: str, signature: bytes, size: int) -> Rule:
    """A Microsoft identifiable key: 44 (32-byte) or 88 (64-byte) base64 characters with the service's four-character
    signature at a fixed place, followed by checksum characters of a restricted alphabet."""
    sig = re2.escape(signature)
    if size == 44:
        body = rb"[A-Za-z0-9+/]{33}" + sig + rb"[A-P][A-Za-z0-9+/]{5}="
    else:
        body = rb"[A-Za-z0-9+/]{76}" + sig + rb"[A-Za-z0-9+/]{5}[AQgw]=="
    return prefixed(rule_id, description, signature.decode().lower(), body, shape=mixed, trigger=_AZURE_TRIGGER,
                    start=_NOT_B64, end=B64_END)


_SAS_SIGNATURE = vendor(min_entropy=3.5, group=2)
_SAS_EXPIRY = re2.compile(rb"[?&;]se=(\d{4})-(\d\d)-(\d\d)")


def _sas_token(m: Any, ctx: Context) -> Found | None:
    """The signature of a shared access signature that has not expired (its ``se=`` date is not yet past): a
    GitHub release download's blob URL in recorded test data expired minutes after it was made."""
    expiry = _SAS_EXPIRY.search(b"?" + m.group(1))
    if expiry is not None:
        try:
            if datetime.date(*(int(part) for part in expiry.groups())) < datetime.datetime.now(datetime.UTC).date():
                return None
        except ValueError:
            pass  # not a date: judge the signature alone
    return _SAS_SIGNATURE(m, ctx)


def _key_lines(m: Any, ctx: Context) -> Found | None:
    """Group 1 of a key file's body (hex or base64 lines), kept when the joined lines read as random."""
    body = b"".join(m.group(1).split())
    return Found(m.start(1), m.end(1), body) if shannon_entropy(body) >= 3.5 else None


INFRA_RULES: tuple[Rule, ...] = (
    # Microsoft identifiable keys (Azure's key formats since 2023).
    _azure_key("azure-storage-key", "Azure storage account key (identifiable)", b"+ASt", 88),
    _azure_key("azure-cosmos-db-key", "Azure Cosmos DB key (identifiable)", b"ACDb", 88),
    _azure_key("azure-batch-key", "Azure Batch key (identifiable)", b"+ABa", 88),
    _azure_key("azure-ml-key", "Azure Machine Learning web service key (identifiable)", b"+AMC", 88),
    _azure_key("azure-apim-key", "Azure API Management key (identifiable)", b"APIM", 88),
    _azure_key("azure-shared-access-key", "Azure Relay shared access key (identifiable)", b"+ARm", 44),
    _azure_key("azure-shared-access-key", "Azure Event Hubs shared access key (identifiable)", b"+AEh", 44),
    _azure_key("azure-shared-access-key", "Azure Service Bus shared access key (identifiable)", b"+ASb", 44),
    _azure_key("azure-shared-access-key", "Azure IoT shared access key (identifiable)", b"AIoT", 44),
    _azure_key("azure-cache-redis-key", "Azure Cache for Redis key (identifiable)", b"AzCa", 44),
    _azure_key("azure-event-grid-key", "Azure Event Grid key (identifiable)", b"AZEG", 44),
    prefixed(
        "azure-functions-key",
        "Azure Functions key (identifiable)",
        "azfu",
        rb"[A-Za-z0-9_\-]{44}AzFu[A-Za-z0-9_\-]{5}[AQgw]==",
        shape=mixed,
        trigger=_AZURE_TRIGGER,
        start=_NOT_B64,
        end=B64_END,
    ),
    prefixed(
        "azure-search-key",
        "Azure AI Search key (identifiable)",
        "azse",
        rb"[A-Za-z0-9]{42}AzSe[A-D][A-Za-z0-9]{5}",
        shape=mixed,
        trigger=rb"azse[a-d][a-z0-9]{5}",
        start=_NOT_B64,
        end=B64_END,
    ),
    # Signed URLs: the signature is the credential, the rest of the URL says what it opens.
    Rule(
        "azure-sas-token",
        "Azure shared access signature (SAS) in a URL or connection string",
        (),
        rb"(?:[?&;]|SharedAccessSignature=)((?:[a-z]{2,5}=[^&\s\"'<>;]*&)*sv=\d{4}-\d\d-\d\d&(?:[a-z]{2,5}=[^&\s\"'<>;]*&)*"
        rb"sig=([A-Za-z0-9%+/]{40,100}"
        rb"(?:%3[Dd]|=){0,2}))",
        _sas_token,
        trigger=rb"sv=\d{4}-\d\d-\d\d&",  # every SAS names its service version; "sig=" alone is common
    ),
    prefixed(
        "azure-logic-app-url",
        "Azure Logic Apps / Power Automate trigger URL (sig)",
        "logic.azure.com powerplatform.com",
        rb"(?:logic\.azure\.com|environment\.api\.powerplatform\.com)(?::443)?/[^\s\"'<>]{0,120}?workflows/[0-9a-f]{32}"
        rb"/triggers/[^\s\"'<>?]{1,120}\?[^\s\"'<>]{0,300}?sig=([A-Za-z0-9_\-]{43})",
        group=2,
        start=rb"[./]",
    ),
    # Clouds and hosted platforms.
    prefixed(
        "cloudflare-api-token",
        "Cloudflare user or account API token",
        "cfut_ cfat_",
        rb"cf[ua]t_[A-Za-z0-9]{40}[a-f0-9]{8}",
        shape=mixed,
    ),
    prefixed("cloudflare-global-api-key", "Cloudflare global API key", "cfk_", rb"cfk_[A-Za-z0-9]{40}[a-f0-9]{8}",
             shape=mixed),
    prefixed("aws-appsync-api-key", "AWS AppSync API key", "da2-", rb"da2-[a-z0-9]{26}", shape=has_digit),
    prefixed(
        "amazon-lwa-client-secret",
        "Login with Amazon (SP-API) client secret",
        "amzn1.oa2-cs.v1.",
        rb"amzn1\.oa2-cs\.v1\.[a-f0-9]{64}",
    ),
    prefixed("okta-api-token", "Okta API token (SSWS)", "ssws", rb"SSWS[ \t]+(00[A-Za-z0-9_\-]{40})", group=2,
             trigger=rb"ssws[ \t]+00"),  # Okta's SDKs name the scheme in every file; a token after it is rare
    prefixed(
        "bitbucket-dc-token",
        "Bitbucket Data Center HTTP access token",
        "bbdc-",
        rb"BBDC-[A-Za-z0-9+/@_\-]{40,50}",
        shape=mixed,
        end=rb"(?:[^A-Za-z0-9+/@_\-=]|$)",
    ),
    prefixed("sonarqube-token", "SonarQube Cloud token", "sqco_", rb"sqco_[A-Za-z0-9]{59}", shape=mixed),
    prefixed("figma-token", "Figma personal access token", "figp_", rb"figp_[A-Za-z0-9_=\-]{40,54}", shape=mixed,
             end=rb"(?:[^A-Za-z0-9_=\-]|$)"),
    prefixed("portainer-token", "Portainer access token", "ptr_", rb"ptr_[A-Za-z0-9+/_\-]{40,60}={0,2}", shape=mixed,
             end=B64_END, trigger=rb"ptr_[a-z0-9+/_\-]{20}"),  # "ptr_" alone is in C code
    prefixed(
        "newrelic-key",
        "New Relic license (ingest) key",
        "ffffnral",
        rb"(?:[a-f0-9]{32}|eu01xx[a-f0-9]{26})FFFFNRAL",
        shape=has_digit,
    ),
    prefixed(
        "newrelic-key",
        "New Relic mobile app token",
        "-nrma",
        rb"(?:AA[a-f0-9]{40}|eu01xx[a-f0-9]{36})-NRMA",
        shape=has_digit,
    ),
    prefixed("newrelic-key", "New Relic Insights query key", "nriq-", rb"NRIQ-[A-Za-z0-9_\-]{32}", shape=mixed),
    # Clusters and self-hosted tools.
    prefixed(
        "k3s-token",
        "K3s cluster join token",
        "k10",
        rb"K10[a-f0-9]{64}::[a-z]{4,8}:[A-Za-z0-9]{6,128}",
        trigger=rb"k10[a-f0-9]{16}",
    ),
    prefixed(
        "kubeadm-bootstrap-token",
        "Kubernetes bootstrap token (kubeadm join/init)",
        "",
        rb"(?:--token[ =]|\btoken:[ \t]*)[\"']?([a-z0-9]{6}\.[a-z0-9]{16})",
        group=2,
        shape=has_digit,
        trigger=rb"token[:= \t]+[\"']?[a-z0-9]{6}\.[a-z0-9]{16}",  # the kubeadm token shape right after its flag
        start=rb"",
    ),
    prefixed(
        "rancher-token",
        "Rancher API token",
        "",
        rb"token-[a-z0-9]{5}:[a-z0-9]{54}",
        shape=has_digit,
        trigger=rb"token-[a-z0-9]{5}:[a-z0-9]{12}",  # "token-" alone is in most web code
    ),
    prefixed(
        "jetbrains-permanent-token",
        "JetBrains Hub / YouTrack permanent token",
        "",
        rb"perm[:\-][A-Za-z0-9+/=_\-]{2,100}\.[A-Za-z0-9+/=_\-]{2,40}\.[A-Za-z0-9]{30}",
        shape=mixed,
        trigger=rb"perm[:\-][a-z0-9+/=_\-]+\.[a-z0-9+/=_\-]+\.[a-z0-9]{30}",
    ),
    prefixed(
        "gitlab-session-cookie",
        "GitLab session cookie",
        "_gitlab_session=",
        rb"_gitlab_session=([0-9a-f]{32})",
        group=2,
        shape=has_digit,
    ),
    # Key files, wallets and password verifiers.
    Rule(
        "wireguard-private-key",
        "WireGuard private key",
        (),
        rb"(?m)^[ \t]*PrivateKey[ \t]*=[ \t]*([A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=)",
        vendor(min_entropy=3.5),
        trigger=rb"privatekey[ \t]*=[ \t]*[a-z0-9+/]{8}",  # "privateKey" alone is in most code
    ),
    Rule(
        "private-key",
        "OpenVPN static key",
        (b"openvpn static key v1",),
        rb"-----BEGIN OpenVPN Static key V1-----\s*((?:[0-9a-f]{32}\s*){16})-----END OpenVPN Static key V1-----",
        _key_lines,
        third_party=False,  # VPN packages ship sample static keys in their tests and docs
    ),
    Rule(
        "private-key",
        "minisign or signify secret key",
        (b"minisign encrypted secret key", b"minisign secret key", b"signify secret key"),
        rb"untrusted comment: (?:minisign (?:encrypted )?secret key|signify secret key)[^\n]{0,200}\r?\n"
        rb"(RW[A-Za-z0-9+/]{60,300}={0,2})",
        vendor(min_entropy=4.0),
        third_party=False,
    ),
    prefixed(
        "crypto-wallet-key",
        "BIP32 extended private key (xprv/tprv/yprv/zprv)",
        "xprv tprv yprv zprv uprv vprv",
        rb"[xtyzuv]prv[1-9A-HJ-NP-Za-km-z]{100,112}",
        check=base58check,
        entropy=9.0,  # only a valid checksum makes it a key
        trigger=rb"[xtyzuv]prv[1-9a-z]{20}",  # the words alone are in wallet libraries' docs
        third_party=False,  # BIP32 test vectors fill wallet libraries' tests
    ),
    prefixed(
        "crypto-wallet-key",
        "Nostr secret key (nsec)",
        "nsec1",
        rb"nsec1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{58}",
        check=bech32,
        entropy=9.0,
        trigger=rb"nsec1[02-9ac-hj-np-z]{20}",
        third_party=False,
    ),
    prefixed(
        "lnd-macaroon",
        "Lightning (lnd) macaroon",
        "0201036c6e64 agedbg5k",
        rb"0201036c6e64[0-9a-f]{80,}|AgEDbG5k[A-Za-z0-9+/_\-]{60,}={0,2}",
        end=B64_END,
        third_party=False,
    ),
    prefixed(
        "password-hash",
        "PostgreSQL SCRAM-SHA-256 password verifier",
        "scram-sha-256$",
        rb"SCRAM-SHA-256\$\d{1,7}:[A-Za-z0-9+/]{16,32}={0,2}\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=",
        end=B64_END,
        third_party=False,  # drivers' tests carry RFC 7677 sample verifiers
    ),
)
