"""Vendor rules for developer platforms: secrets managers, job runners, package hosts, chat servers, AI and
search APIs, and payment gateways that earlier rounds did not cover.

Each rule is written from the vendor's documented token format (a distinctive prefix, a checksum, or base64 JSON
with the vendor's own fields); keywords are lowercase literal prefixes for the RE2::Set prefilter, and a trigger
stands in only where the literal is common text (``st.``, ``fc-``, ``0.``).
"""

from __future__ import annotations

from imgforge.secrets.context import Rule
from imgforge.secrets.vendor import B64_END, crc32_whole, has_digit, json_payload, mixed, prefixed

UUID = rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

DEV_RULES: tuple[Rule, ...] = (
    # Secrets managers and platforms.
    prefixed(
        "infisical-service-token",
        "Infisical service token",
        "",
        rb"st\.(?:[a-f0-9]{24}|" + UUID + rb")\.[a-f0-9]{32,64}\.[a-f0-9]{32,64}",
        trigger=rb"\bst\.[a-f0-9]{8}",  # "st." ends "list.", "host.", "test."; eight hex digits after it do not
    ),
    prefixed(
        "bitwarden-access-token",
        "Bitwarden Secrets Manager access token",
        "",
        rb"0\." + UUID + rb"\.[A-Za-z0-9]{30}:[A-Za-z0-9+/]{22}==",
        trigger=rb"\b0\.[0-9a-f]{8}-[0-9a-f]{4}-",  # a version "0." alone is everywhere
        end=B64_END,
    ),
    prefixed(
        "inngest-signing-key",
        "Inngest signing key",
        "signkey-",
        rb"signkey-(?:prod|test|branch)-[a-f0-9]{64}",
    ),
    prefixed(
        "trigger-dev-key",
        "Trigger.dev secret key or personal access token",
        "tr_dev_ tr_prod_ tr_stg_ tr_preview_ tr_pat_",
        rb"tr_(?:dev|prod|stg|preview|pat)_[A-Za-z0-9]{20,64}",
        shape=has_digit,
    ),
    prefixed(
        "packagist-token",
        "Private Packagist authentication token",
        "packagist_",
        rb"packagist_[a-z]{3}_[a-f0-9]{68}",
    ),
    prefixed("postman-collection-key", "Postman collection access key", "pmat-", rb"PMAT-[0-9A-Z]{26}",
             shape=has_digit),
    prefixed("axiom-token", "Axiom API or personal token", "xaat- xapt-", rb"xa[ap]t-" + UUID),
    prefixed("rootly-api-key", "Rootly API key", "rootly_", rb"rootly_[a-f0-9]{64}"),
    prefixed(
        "cloudflare-tunnel-token",
        "Cloudflare Tunnel token",
        "eyjhijoi",
        rb"eyJhIjoi[A-Za-z0-9+/]{60,}={0,2}",
        check=lambda v: json_payload(v, 0, "s"),  # {"a": account tag, "t": tunnel id, "s": tunnel secret}
        entropy=9.0,  # only the decoded JSON makes it a token
        end=B64_END,
    ),
    # Chat servers.
    prefixed(
        "matrix-access-token",
        "Matrix (Synapse) access or refresh token",
        "syt_ syr_",
        rb"sy[tr]_[A-Za-z0-9+/]{2,340}_[A-Za-z]{20}_[0-9A-Za-z]{6}",
        check=crc32_whole,  # syt_<base64 localpart>_<random>_<base62 CRC32 of all before it>
        entropy=9.0,
    ),
    # AI, search and sandbox APIs.
    prefixed("tavily-api-key", "Tavily API key", "tvly-", rb"tvly-(?:dev-|prod-)?[A-Za-z0-9]{32}", shape=mixed),
    prefixed("cerebras-api-key", "Cerebras API key", "csk-", rb"csk-[a-z0-9]{48}", shape=has_digit),
    prefixed("firecrawl-api-key", "Firecrawl API key", "fc-", rb"fc-[a-f0-9]{32}", shape=has_digit,
             trigger=rb"fc-[a-f0-9]{8}"),  # "fc-" is in "rfc-" and CSS class names
    prefixed("e2b-api-key", "E2B API key", "e2b_", rb"e2b_[a-f0-9]{40}"),
    prefixed("jina-api-key", "Jina AI API key", "jina_", rb"jina_[A-Za-z0-9]{56,64}", shape=mixed),
    prefixed(
        "neptune-api-token",
        "neptune.ai API token",
        "eyjhcglfywrkcmvzcyi6",
        rb"eyJhcGlfYWRkcmVzcyI6[A-Za-z0-9+/]{40,}={0,2}",
        check=lambda v: json_payload(v, 0, "api_key"),
        entropy=9.0,
        end=B64_END,
    ),
    prefixed(
        "upstash-qstash-token",
        "Upstash QStash token",
        "eyjvc2vysuqioi",
        rb"eyJVc2VySUQiOi[A-Za-z0-9+/]{40,}={0,2}",
        check=lambda v: json_payload(v, 0, "Password"),
        entropy=9.0,
        end=B64_END,
    ),
    # Messaging, auth, games and payments.
    prefixed("onesignal-api-key", "OneSignal REST API key", "os_v2_", rb"os_v2_(?:app|org)_[A-Za-z2-7]{100,120}"),
    prefixed("stytch-secret", "Stytch project secret", "secret-live- secret-test-",
             rb"secret-(?:live|test)-[A-Za-z0-9_\-=]{36}", shape=mixed),
    prefixed("riot-api-key", "Riot Games API key", "rgapi-", rb"RGAPI-" + UUID),
    prefixed("pinterest-token", "Pinterest access token", "pina_", rb"pina_[A-Za-z0-9]{60,200}", shape=mixed),
    prefixed(
        "xendit-secret-key",
        "Xendit secret key",
        "xnd_development_ xnd_production_",
        rb"xnd_(?:development|production)_[A-Za-z0-9]{50,70}",
        shape=mixed,
    ),
    prefixed("midtrans-server-key", "Midtrans server key", "mid-server-", rb"(?:SB-)?Mid-server-[A-Za-z0-9_\-]{24}",
             shape=mixed),
)
