"""Vendor rules for application services earlier rounds did not cover: AI platforms, payments and fintech, logistics,
IoT, collaboration, and the capability URLs of automation services (webhooks whose URL is the credential).

Each rule is written from the vendor's documented token format: a distinctive prefix, the length and the
alphabet, or the URL the vendor hands out. Keywords are lowercase literal prefixes for the RE2::Set prefilter; a
trigger stands in where the prefix is common text (``as-``, ``fw_``, ``cs_``, ``service:``).
"""

from __future__ import annotations

from imgforge.secrets.context import Rule
from imgforge.secrets.vendor import has_digit, mixed, mixed_random, prefixed

UUID = rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

APP_RULES: tuple[Rule, ...] = (
    # AI and compute platforms.
    prefixed("nvidia-api-key", "NVIDIA API key", "nvapi-", rb"nvapi-[A-Za-z0-9_\-]{64}", shape=mixed),
    prefixed(
        "modal-token",
        "Modal token id or secret",
        "",
        rb"a[ks]-[A-Za-z0-9]{22}",
        shape=mixed_random,
        trigger=rb"\ba[ks]-[a-z0-9]{22}",  # "as-" and "ak-" alone are in words and CSS names
    ),
    prefixed("anyscale-api-key", "Anyscale endpoint key", "esecret_", rb"esecret_[a-z0-9]{26}", shape=has_digit),
    prefixed("runpod-api-key", "RunPod API key", "rpa_", rb"rpa_[A-Za-z0-9]{36,48}", shape=has_digit),
    prefixed(
        "fireworks-api-key",
        "Fireworks AI API key",
        "",
        rb"fw_[A-Za-z0-9]{24}",
        shape=mixed_random,
        trigger=rb"fw_[a-z0-9]{24}",  # "fw_" is a firmware prefix in identifiers
    ),
    prefixed(
        "helicone-api-key",
        "Helicone API key",
        "sk-helicone- pk-helicone-",
        rb"[sp]k-helicone-(?:eu-)?[a-z0-9]{7}-[a-z0-9]{7}-[a-z0-9]{7}-[a-z0-9]{7}",
        shape=has_digit,
    ),
    prefixed("salad-cloud-api-key", "SaladCloud API key", "salad_cloud_",
             rb"salad_cloud_[0-9A-Za-z]{1,7}_[0-9A-Za-z]{7,235}", shape=mixed),
    # Developer and identity services.
    prefixed("honeybadger-token", "Honeybadger API token", "hbu_ hba_ hbo_", rb"hb[uao]_[A-Za-z0-9]{20,64}",
             shape=mixed),
    prefixed("ory-api-key", "Ory Network project or workspace API key", "ory_pat_ ory_wak_",
             rb"ory_(?:pat|wak)_[A-Za-z0-9]{24,64}", shape=mixed),
    prefixed(
        "apollo-graph-key",
        "Apollo GraphOS graph or user API key",
        "",
        rb"(?:service:[A-Za-z0-9][A-Za-z0-9_\-]{0,63}|user:(?:gh|em)\.[A-Za-z0-9_.@\-]{1,64}):[A-Za-z0-9_\-]{22}",
        shape=mixed,
        # "service:" alone is in every compose file
        trigger=rb"(?:service:[a-z0-9_\-]+|user:(?:gh|em)\.[a-z0-9_.@\-]+):[a-z0-9_\-]{22}",
    ),
    prefixed("trello-token", "Trello API token", "", rb"ATTA[a-fA-F0-9]{64,72}", shape=has_digit,
             trigger=rb"atta[a-f0-9]{16}"),  # "atta" starts "attach" and "attack"
    prefixed(
        "webex-token",
        "Webex access or bot token",
        "webex ciscospark",
        rb"[A-Za-z0-9]{64}_[A-Z0-9]{4}_" + UUID,
        shape=mixed,  # no literal part: found where the file names Webex (an RE2::Set entry of "_" and classes
    ),                # slowed the prefilter on every file with "_" in it)
    prefixed(
        "roblox-cookie",
        "Roblox .ROBLOSECURITY session cookie",
        "_|warning:-do-not-share-this.",
        rb"_\|WARNING:-DO-NOT-SHARE-THIS\.[A-Za-z0-9\-.,]{0,200}\|_([A-F0-9]{100,})",
        group=2,
        start=rb"",
    ),
    # Payments, fintech and logistics.
    prefixed(
        "mercadopago-access-token",
        "Mercado Pago access token",
        "",
        rb"(?:APP_USR|TEST)-\d{13,16}-\d{6}-[a-f0-9]{32}-\d{6,12}",
        trigger=rb"(?:app_usr|test)-\d{13}",
    ),
    prefixed("pagarme-api-key", "Pagar.me API key", "ak_live_ ak_test_", rb"ak_(?:live|test)_[A-Za-z0-9]{30}",
             shape=mixed),
    prefixed("ramp-client-secret", "Ramp API client secret", "ramp_sec_", rb"ramp_sec_[A-Za-z0-9]{48}", shape=mixed),
    prefixed("robinhood-crypto-key", "Robinhood Crypto API key", "rh-api-", rb"rh-api-" + UUID),
    prefixed("flexport-api-key", "Flexport API key", "shltm_", rb"shltm_[0-9A-Za-z_\-]{40}", shape=mixed),
    prefixed("fleetbase-api-key", "Fleetbase API key", "flb_live_", rb"flb_live_[0-9A-Za-z]{20}", shape=mixed),
    prefixed(
        "woocommerce-key",
        "WooCommerce REST API consumer key or secret",
        "",
        rb"c[ks]_[a-f0-9]{40}",
        shape=has_digit,
        trigger=rb"c[ks]_[a-f0-9]{12}",  # "cs_" and "ck_" alone are in identifiers
    ),
    prefixed("ubidots-token", "Ubidots token", "bbff-", rb"BBFF-[0-9A-Za-z]{30}", shape=mixed),
    # Capability URLs: whoever has the URL can post to it.
    prefixed(
        "google-chat-webhook",
        "Google Chat incoming-webhook URL",
        "chat.googleapis.com/v1/spaces/",
        rb"chat\.googleapis\.com/v1/spaces/[A-Za-z0-9_\-]{6,20}/messages\?[^\s\"'<>]{0,200}?token="
        rb"([A-Za-z0-9_\-]{43}(?:%3D|=)?)",
        group=2,
    ),
    prefixed(
        "zapier-webhook",
        "Zapier catch-hook URL",
        "hooks.zapier.com/hooks/catch/",
        rb"hooks\.zapier\.com/hooks/catch/(\d{4,12}/[a-z0-9]{5,10})",
        group=2,
        entropy=2.5,  # a short random part after the account number
    ),
    prefixed(
        "ifttt-webhook",
        "IFTTT Webhooks key",
        "maker.ifttt.com/",
        rb"maker\.ifttt\.com/(?:trigger/[^/\s\"'<>]{1,80}/(?:json/)?with/key|use)/([A-Za-z0-9_\-]{22})",
        group=2,
    ),
    prefixed(
        "make-webhook",
        "Make (Integromat) custom webhook URL",
        ".make.com/ hook.integromat.com/",
        rb"hook\.(?:(?:eu|us)[12]\.make\.com|integromat\.com)/([a-z0-9]{32})",
        group=2,
        shape=has_digit,
    ),
)
