"""A deterministic generator of fake, format-valid tokens for ~120 providers (test input, never stored).

Each provider's template was written from its published token format: the prefix, length and alphabet, plus
the checksum or structure where the format has one (GitHub/npm CRC32 in base62, PyPI macaroons, JWTs,
bech32). Random parts come from a seeded generator, so every run builds the same corpus and nothing
token-shaped is kept in the repository. Template fields: ``{a32}`` base62, ``{h40}`` lower hex, ``{H8}``
upper hex, ``{u26}`` upper+digits, ``{l64}`` lower+digits, ``{d10}`` digits, ``{b43}`` base64url,
``{s40}`` standard base64 alphabet, ``{L34}`` letters, ``{B16}`` base32, ``{uuid}``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
import string
import zlib
from collections.abc import Callable

ALPHABETS = {
    "a": string.ascii_letters + string.digits,
    "h": "0123456789abcdef",
    "H": "0123456789ABCDEF",
    "u": string.ascii_uppercase + string.digits,
    "l": string.ascii_lowercase + string.digits,
    "d": string.digits,
    "b": string.ascii_letters + string.digits + "-_",
    "s": string.ascii_letters + string.digits + "+/",
    "L": string.ascii_letters,
    "B": string.ascii_uppercase + "234567",
}
_FIELD = re.compile(r"\{(uuid|[ahHuldbsLB]\d+)\}")
_B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def fill(template: str, rng: random.Random) -> str:
    """Replace every field of ``template`` with random characters of its alphabet."""

    def one(m: re.Match[str]) -> str:
        field = m.group(1)
        if field == "uuid":
            h = "".join(rng.choice("0123456789abcdef") for _ in range(32))
            return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"
        alphabet = ALPHABETS[field[0]]
        return "".join(rng.choice(alphabet) for _ in range(int(field[1:])))

    return _FIELD.sub(one, template)


def _crc62(prefix: str) -> Callable[[random.Random], str]:
    def make(rng: random.Random) -> str:
        body = fill("{a30}", rng)
        n, out = zlib.crc32(body.encode()), ""
        while n:
            n, r = divmod(n, 62)
            out = _B62[r] + out
        return prefix + body + out.rjust(6, "0")

    return make


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _jwt(rng: random.Random) -> str:
    head = _b64url(json.dumps({"alg": rng.choice(["HS256", "RS256", "ES256"]), "typ": "JWT"}).encode())
    body = _b64url(json.dumps({"sub": fill("{l12}", rng), "iat": 1764000000 + rng.randrange(10**6)}).encode())
    return f"{head}.{body}.{fill('{b43}', rng)}"


def _pypi(rng: random.Random) -> str:
    ident = json.dumps({"version": 1, "permissions": "user", "user": str(rng.getrandbits(64))}).encode()
    caveat = json.dumps([1, fill("{h32}", rng)]).encode()
    macaroon = (
        b"\x02\x01\x08pypi.org\x02"
        + bytes([len(ident)])
        + ident
        + b"\x00\x02"
        + bytes([len(caveat)])
        + caveat
        + b"\x00\x00\x06\x20"
        + rng.randbytes(32)
    )
    return "pypi-" + _b64url(macaroon)


def _bech32(hrp: str, data: list[int]) -> str:
    """``hrp`` + ``1`` + the 5-bit ``data`` and its bech32 checksum."""
    values = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + data + [0] * 6
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i, g in enumerate((0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)):
            chk ^= g if (top >> i) & 1 else 0
    polymod = chk ^ 1
    return hrp + "1" + "".join(_BECH32[d] for d in data + [(polymod >> 5 * (5 - i)) & 31 for i in range(6)])


def _age(rng: random.Random) -> str:
    return _bech32("age-secret-key-", [rng.randrange(32) for _ in range(52)]).upper()


def _nsec(rng: random.Random) -> str:
    return _bech32("nsec", [rng.randrange(32) for _ in range(51)] + [rng.randrange(2) << 4])


_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _xprv(version: bytes) -> Callable[[random.Random], str]:
    """A BIP32 extended private key: version, depth, fingerprint, index, chain code, 0 + key, in Base58Check."""

    def make(rng: random.Random) -> str:
        raw = version + bytes([rng.randrange(4)]) + rng.randbytes(40) + b"\0" + rng.randbytes(32)
        raw += hashlib.sha256(hashlib.sha256(raw).digest()).digest()[:4]
        n, out = int.from_bytes(raw, "big"), ""
        while n:
            n, r = divmod(n, 58)
            out = _B58[r] + out
        return out

    return make


def _azure_key(signature: str, size: int) -> Callable[[random.Random], str]:
    """A Microsoft identifiable key: random base64 with the service signature at its fixed place."""

    def make(rng: random.Random) -> str:
        if size == 44:
            return fill("{s33}", rng) + signature + rng.choice("ABCDEFGHIJKLMNOP") + fill("{s5}", rng) + "="
        return fill("{s76}", rng) + signature + fill("{s5}", rng) + rng.choice("AQgw") + "=="

    return make


def _b64(prefix: bytes, size: int) -> Callable[[random.Random], str]:
    return lambda rng: base64.b64encode(prefix + rng.randbytes(size)).decode()


def _scram(rng: random.Random) -> str:
    salt, stored, server = (base64.b64encode(rng.randbytes(n)).decode() for n in (16, 32, 32))
    return f"SCRAM-SHA-256$4096:{salt}${stored}:{server}"


def _sas(rng: random.Random) -> str:
    sig = base64.b64encode(rng.randbytes(32)).decode().replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
    url = "https://{l10}.blob.core.windows.net/c/f.tar?sp=r&se=2099-01-01T00:00:00Z&sv=2022-11-02&sr=b&sig="
    return fill(url, rng) + sig


def _b64json(
    prefix: str, obj: dict[str, object], suffix: str = "", compact: bool = False
) -> Callable[[random.Random], str]:
    """Base64 of ``obj`` with its fields filled; ``compact`` as Go's json.Marshal writes it (no spaces)."""

    def make(rng: random.Random) -> str:
        filled = {k: fill(v, rng) if isinstance(v, str) else v for k, v in obj.items()}
        text = json.dumps(filled, separators=(",", ":") if compact else None)
        return prefix + base64.b64encode(text.encode()).decode().rstrip("=") + fill(suffix, rng)

    return make


def _discord(rng: random.Random) -> str:
    user = str(rng.randrange(10**17, 12 * 10**17))
    return _b64url(user.encode()) + "." + fill("{b6}.{b38}", rng)


def _wrapped_jwt(rng: random.Random) -> str:
    return base64.b64encode(_jwt(rng).encode()).decode()


def _matrix(prefix: str) -> Callable[[random.Random], str]:
    """Synapse's ``syt_<base64 localpart>_<20 letters>_<base62 CRC32 of all before it>``."""

    def make(rng: random.Random) -> str:
        local = base64.b64encode(fill("{l9}", rng).encode()).decode().rstrip("=")
        head = f"{prefix}{local}_{fill('{L20}', rng)}"
        n, out = zlib.crc32(head.encode()), ""
        while n:
            n, r = divmod(n, 62)
            out = _B62[r] + out
        return f"{head}_{out.rjust(6, '0')}"

    return make


def _t(template: str) -> Callable[[random.Random], str]:
    return lambda rng: fill(template, rng)


# (provider, generator). Providers without a distinctive format are included on purpose: they are found
# only under a credential-like name, which is what the "named" half of the corpus measures.
PROVIDERS: list[tuple[str, Callable[[random.Random], str]]] = [
    ("aws-access-key", _t("AKIA{B16}")),
    ("aws-sts-key", _t("ASIA{B16}")),
    ("aws-session-token", _t("IQoJb3JpZ2luX2Vj{s300}")),
    ("aws-bedrock", _t("ABSKQmVkcm9ja0FQSUtleS{s100}")),
    ("amazon-mws", _t("amzn.mws.{uuid}")),
    ("alibaba", _t("LTAI{a20}")),
    ("tencent", _t("AKID{a32}")),
    ("scaleway", _t("SCW{u17}")),
    ("azure-ad", _t("{a3}8Q~{b34}")),
    ("azure-devops", _t("{a52}JQQJ9{a19}AZDO{a4}")),
    ("azure-acr", _t("{s42}+ACR{a6}")),
    ("azure-servicebus", _t("Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKey={s43}=")),
    ("azure-storage", _t("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={s86}==")),
    ("gcp-oauth-secret", _t("GOCSPX-{b28}")),
    ("gcp-access-token", _t("ya29.{b120}")),
    ("gcp-refresh", _t("1//0{b100}")),
    ("google-api", _t("AIza{b35}")),
    ("cloudflare-origin-ca", _t("v1.0-{h24}-{h146}")),
    ("heroku", _t("HRKU-AA{b58}")),
    ("flyio", _t("fo1_{b43}")),
    ("flyio-macaroon", _t("FlyV1 fm2_{s300}")),
    ("databricks", _t("dapi{h32}")),
    ("openshift", _t("sha256~{b43}")),
    ("planetscale", _t("pscale_tkn_{b43}")),
    ("planetscale-pw", _t("pscale_pw_{b43}")),
    ("clickhouse", _t("4b1d{a38}")),
    ("digitalocean", _t("dop_v1_{h64}")),
    ("terraform", _t("{a14}.atlasv1.{b67}")),
    ("vault", _t("hvs.{b90}")),
    ("pulumi", _t("pul-{h40}")),
    ("doppler", _t("dp.pt.{a43}")),
    ("doppler-sa", _t("dp.sa.{a43}")),
    ("harness", _t("pat.{b22}.{h24}.{a20}")),
    ("infracost", _t("ico-{a32}")),
    ("prefect", _t("pnu_{a36}")),
    ("octopus", _t("API-{u26}")),
    (
        "1password-sa",
        _b64json(
            "ops_",
            {
                "signInAddress": "my.1password.com",
                "userAuth": {"method": "SRPg-4096"},
                "email": "{l20}@1passwordserviceaccounts.com",
                "srpX": "{h64}",
                "muk": "{b200}",
                "secretKey": "A3-{u6}-{u6}-{u5}-{u5}-{u5}-{u5}",
                "deviceUuid": "{l26}",
            },
        ),
    ),
    ("1password-key", _t("A3-{u6}-{u6}-{u5}-{u5}-{u5}-{u5}")),
    ("age", _age),
    ("tailscale", _t("tskey-api-{a12}-{a30}")),
    ("supabase", _t("sbp_{h40}")),
    ("neon", _t("napi_{l64}")),
    ("netlify", _t("nfp_{a36}")),
    ("render", _t("rnd_{a32}")),
    ("deno", _t("ddp_{a36}")),
    ("github-classic", _crc62("ghp_")),
    ("github-oauth", _crc62("gho_")),
    ("github-app", _crc62("ghs_")),
    ("github-fine", _t("github_pat_{a22}_{a59}")),
    ("gitlab-pat", _t("glpat-{b20}")),
    ("gitlab-runner", _t("glrt-{b20}")),
    ("gitlab-deploy", _t("gldt-{b20}")),
    ("gitlab-scim", _t("glsoat-{b20}")),
    ("gitlab-agent", _t("glagent-{b50}")),
    ("gitlab-featureflag", _t("glffct-{b20}")),
    ("gitlab-oauth", _t("gloas-{h64}")),
    ("gitlab-runner-reg", _t("GR1348941{b20}")),
    ("bitbucket", _t("ATBB{a32}")),
    ("atlassian", _t("ATATT3xFfGF0{b174}")),
    ("sourcegraph", _t("sgp_{h16}_{h40}")),
    ("circleci", _t("CCIPAT_{a22}_{h40}")),
    ("buildkite", _t("bkua_{h40}")),
    ("sonarqube", _t("squ_{h40}")),
    ("postman", _t("PMAK-{h24}-{h34}")),
    ("docker-hub", _t("dckr_pat_{b27}")),
    ("artifactory", _t("AKCp{a69}")),
    ("artifactory-ref", _t("cmVmdGtuOjAxOj{a50}")),
    ("figma", _t("figd_{b40}")),
    ("launchdarkly", _t("sdk-{uuid}")),
    ("npm", _crc62("npm_")),
    ("pypi", _pypi),
    ("rubygems", _t("rubygems_{h48}")),
    ("clojars", _t("CLOJARS_{l60}")),
    ("nuget", _t("oy2{l43}")),
    ("crates-io", _t("cio{a32}")),
    ("grafana-cloud", _b64json("glc_", {"o": "{d6}", "n": "stack-{d6}-hm-read", "k": "{a24}", "m": {"r": "us"}})),
    ("grafana-sa", _t("glsa_{a32}_{h8}")),
    ("sentry-user", _t("sntryu_{h64}")),
    ("sentry-org", _b64json("sntrys_", {"iat": 1764000000, "url": "https://sentry.io", "org": "acme"}, "_{b43}")),
    ("dynatrace", _t("dt0c01.{u24}.{u64}")),
    ("newrelic", _t("NRAK-{u27}")),
    ("honeycomb", _t("hcaik_{l58}")),
    ("defined-networking", _t("dnkey-{l26}-{l52}")),
    ("scalingo", _t("tk-us-{b48}")),
    ("settlemint", _t("sm_pat_{a16}")),
    ("readme", _t("rdme_{l70}")),
    ("yandex", _t("AQVN{b38}")),
    ("stripe-live", _t("sk_live_{a99}")),
    ("stripe-test", _t("sk_test_{a99}")),
    ("stripe-restricted", _t("rk_live_{a99}")),
    ("stripe-webhook", _t("whsec_{a32}")),
    ("shopify", _t("shpat_{h32}")),
    ("square", _t("EAAA{b60}")),
    ("braintree", _t("access_token$production${l16}${h32}")),
    ("easypost", _t("EZAK{a54}")),
    ("flutterwave", _t("FLWSECK_TEST-{h32}-X")),
    ("shippo", _t("shippo_live_{h40}")),
    ("duffel", _t("duffel_test_{b43}")),
    ("plaid", _t("access-sandbox-{uuid}")),
    ("gocardless", _t("live_{b40}")),
    ("mollie", _t("live_{a30}")),
    ("salesforce", _t("00D{a15}!{a96}")),
    ("sendgrid", _t("SG.{b22}.{b43}")),
    ("brevo", _t("xkeysib-{h64}-{a16}")),
    ("mailgun", _t("key-{h32}")),
    ("mailchimp", _t("{h32}-us21")),
    ("resend", _t("re_{a8}_{a24}")),
    ("slack-bot", _t("xoxb-{d12}-{d13}-{a24}")),
    ("slack-user", _t("xoxp-{d12}-{d12}-{d13}-{h32}")),
    ("slack-config", _t("xoxe.xoxp-1-{a160}")),
    ("slack-app", _t("xapp-1-A{u10}-{d13}-{h64}")),
    ("slack-webhook", _t("https://hooks.slack.com/services/T{u10}/B{u10}/{a24}")),
    ("discord-bot", _discord),
    ("discord-webhook", _t("https://discord.com/api/webhooks/{d18}/{b68}")),
    ("telegram", _t("{d10}:AA{b33}")),
    ("twitter-bearer", _t("AAAAAAAAAAAAAAAAAAAAA{a20}%3D{a50}")),
    ("facebook", _t("EAAG{a180}")),
    ("teams-webhook", _t("https://acme.webhook.office.com/webhookb2/{uuid}@{uuid}/IncomingWebhook/{h32}/{uuid}")),
    ("twilio", _t("SK{h32}")),
    ("openai", _t("sk-proj-{b74}T3BlbkFJ{b74}")),
    ("anthropic", _t("sk-ant-api03-{b93}AA")),
    ("huggingface", _t("hf_{L34}")),
    ("huggingface-org", _t("api_org_{L34}")),
    ("perplexity", _t("pplx-{a48}")),
    ("groq", _t("gsk_{a52}")),
    ("xai", _t("xai-{a80}")),
    ("replicate", _t("r8_{a37}")),
    ("openrouter", _t("sk-or-v1-{h64}")),
    ("langsmith", _t("lsv2_pt_{h32}_{h10}")),
    ("pinecone", _t("pcsk_{a6}_{a60}")),
    ("elevenlabs", _t("sk_{h48}")),
    ("posthog", _t("phx_{a43}")),
    ("mapbox", _t("sk.eyJ1Ijoi{b60}.{b22}")),
    ("maxmind", _t("{a6}_{a29}_mmk")),
    ("adafruit", _t("aio_{a28}")),
    ("adobe", _t("p8e-{a32}")),
    ("frameio", _t("fio-u-{b64}")),
    ("intra42", _t("s-s4t2ud-{h64}")),
    ("notion", _t("ntn_{d11}{a35}")),
    ("notion-legacy", _t("secret_{a43}")),
    ("linear", _t("lin_api_{a40}")),
    ("airtable", _t("pat{a14}.{h64}")),
    ("asana", _t("2/{d16}/{d16}:{h32}")),
    ("clickup", _t("pk_{d8}_{u32}")),
    ("hubspot", _t("pat-na1-{uuid}")),
    ("typeform", _t("tfp_{b44}_{a14}")),
    ("dropbox", _t("sl.{b140}")),
    ("authress", _t("sc_{l12}.{l5}.acc_{l20}.{b60}")),
    ("beamer", _t("b_{b44}")),
    ("instagram", _t("IGQV{b150}")),
    ("intercom", _t("dG9rOj{s60}")),
    ("lob", _t("live_{h35}")),
    ("mandrill", _t("md-{b22}")),
    ("razorpay", _t("rzp_live_{a14}")),
    ("contentful", _t("CFPAT-{b43}")),
    ("jwt", _jwt),
    ("jwt-base64", _wrapped_jwt),
    ("together", _t("tgp_v1_{b43}")),
    ("deepseek", _t("sk-{h32}")),
    ("openai-legacy", _t("sk-{a48}")),
    ("langfuse", _t("sk-lf-{uuid}")),
    ("paddle", _t("pdl_live_apikey_01{l24}_{a22}")),
    ("checkout", _t("sk_sbox_{l26}")),
    ("mailersend", _t("mlsn.{a64}")),
    ("klaviyo", _t("pk_{h34}")),
    ("fcm", _t("AAAA{b7}:APA91b{b134}")),
    ("akamai", _t("akab-{l16}-{l16}")),
    ("pubnub", _t("sec-c-{a48}")),
    ("amazon-lwa", _t("Atzr|{b150}")),
    ("teamcity", _t("eyJ0eXAiOiAiVENWMiJ9.{b36}.{b48}")),
    ("dbt-cloud", _t("dbtc_{b40}")),
    ("xata", _t("xau_{a40}")),
    ("infisical", _t("st.{h24}.{h32}.{h32}")),
    ("bitwarden-sm", _t("0.{uuid}.{a30}:{s22}==")),
    ("inngest", _t("signkey-prod-{h64}")),
    ("trigger-dev", _t("tr_prod_{a24}")),
    ("packagist", _t("packagist_ort_{h68}")),
    ("postman-collection", _t("PMAT-{u26}")),
    ("axiom", _t("xaat-{uuid}")),
    ("rootly", _t("rootly_{h64}")),
    ("cloudflare-tunnel", _b64json("", {"a": "{h32}", "t": "{uuid}", "s": "{s44}"}, compact=True)),
    ("matrix", _matrix("syt_")),
    ("tavily", _t("tvly-dev-{a32}")),
    ("cerebras", _t("csk-{l48}")),
    ("firecrawl", _t("fc-{h32}")),
    ("e2b", _t("e2b_{h40}")),
    ("jina", _t("jina_{a60}")),
    ("neptune", _b64json("", {"api_address": "https://app.neptune.ai", "api_key": "{uuid}"}, compact=True)),
    ("qstash", _b64json("", {"UserID": "{uuid}", "Password": "{h32}"}, compact=True)),
    ("onesignal", _t("os_v2_app_{B26}{B26}{B26}{B26}")),
    ("stytch", _t("secret-live-{b36}")),
    ("riot", _t("RGAPI-{uuid}")),
    ("pinterest", _t("pina_{a100}")),
    ("xendit", _t("xnd_production_{a60}")),
    ("midtrans", _t("Mid-server-{b24}")),
    ("slack-client", _t("xoxc-{d12}-{d12}-{d13}-{h64}")),
    ("telnyx", _t("KEY{H32}_{a22}")),
    # Round 16: kinds from gitleaks', Microsoft's and vendors' documented formats.
    ("azure-storage-idkey", _azure_key("+ASt", 88)),
    ("azure-cosmos-idkey", _azure_key("ACDb", 88)),
    ("azure-batch-idkey", _azure_key("+ABa", 88)),
    ("azure-ml-idkey", _azure_key("+AMC", 88)),
    ("azure-apim-idkey", _azure_key("APIM", 88)),
    ("azure-relay-idkey", _azure_key("+ARm", 44)),
    ("azure-eventhub-idkey", _azure_key("+AEh", 44)),
    ("azure-servicebus-idkey", _azure_key("+ASb", 44)),
    ("azure-iot-idkey", _azure_key("AIoT", 44)),
    ("azure-redis-idkey", _azure_key("AzCa", 44)),
    ("azure-eventgrid-idkey", _azure_key("AZEG", 44)),
    ("azure-functions-idkey", _t("{b44}AzFu{b5}A==")),
    ("azure-search-idkey", _t("{a42}AzSeB{a5}")),
    ("azure-sas", _sas),
    ("azure-logic-app", _t("https://prod-{d2}.westus.logic.azure.com:443/workflows/{h32}/triggers/manual/paths/invoke"
                           "?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={b43}")),
    ("cloudflare-user", _t("cfut_{a40}{h8}")),
    ("cloudflare-account", _t("cfat_{a40}{h8}")),
    ("cloudflare-global", _t("cfk_{a40}{h8}")),
    ("aws-appsync", _t("da2-{l26}")),
    ("amazon-lwa-secret", _t("amzn1.oa2-cs.v1.{h64}")),
    ("okta", _t("SSWS 00{b40}")),
    ("bitbucket-dc", _t("BBDC-{s44}")),
    ("sonarcloud", _t("sqco_{a59}")),
    ("figma-v3", _t("figp_{b48}")),
    ("portainer", _t("ptr_{s43}=")),
    ("newrelic-license", _t("{h32}FFFFNRAL")),
    ("newrelic-mobile", _t("AA{h40}-NRMA")),
    ("newrelic-query", _t("NRIQ-{b32}")),
    ("k3s", _t("K10{h64}::server:{h32}")),
    ("kubeadm", _t("kubeadm join 10.0.0.5:6443 --token {l6}.{l16}")),
    ("rancher", _t("token-{l5}:{l54}")),
    ("jetbrains", _t("perm:{s8}==.{s6}==.{a30}")),
    ("gitlab-session", _t("_gitlab_session={h32}")),
    ("wireguard", _t("PrivateKey = {s43}=")),
    ("bip32", _xprv(bytes.fromhex("0488ade4"))),
    ("nostr", _nsec),
    ("lnd-macaroon", _b64(b"\x02\x01\x03lnd\x02\xf8\x01", 120)),
    ("postgres-scram", _scram),
    ("nvidia", _t("nvapi-{b64}")),
    ("modal", _t("as-{a22}")),
    ("anyscale", _t("esecret_{l26}")),
    ("runpod", _t("rpa_{u40}")),
    ("fireworks", _t("fw_{a24}")),
    ("helicone", _t("sk-helicone-{l7}-{l7}-{l7}-{l7}")),
    ("salad", _t("salad_cloud_{a6}_{a40}")),
    ("honeybadger", _t("hbu_{a32}")),
    ("ory", _t("ory_pat_{a32}")),
    ("apollo", _t("service:shop-graph:{b22}")),
    ("trello", _t("ATTA{h64}{H8}")),
    ("webex", _t("{a64}_{u4}_{uuid}")),
    ("roblox", _t("_|WARNING:-DO-NOT-SHARE-THIS.--Sharing-this-will-allow-someone-to-log-in-as-you-and-to-steal-"
                  "your-ROBUX-and-items.|_{H300}")),
    ("mercadopago", _t("APP_USR-{d16}-{d6}-{h32}-{d9}")),
    ("pagarme", _t("ak_live_{a30}")),
    ("ramp", _t("ramp_sec_{a48}")),
    ("robinhood-crypto", _t("rh-api-{uuid}")),
    ("flexport", _t("shltm_{b40}")),
    ("fleetbase", _t("flb_live_{a20}")),
    ("woocommerce", _t("cs_{h40}")),
    ("ubidots", _t("BBFF-{a30}")),
    ("google-chat", _t("https://chat.googleapis.com/v1/spaces/{b11}/messages?key=AIza{b35}&token={b43}%3D")),
    ("zapier", _t("https://hooks.zapier.com/hooks/catch/{d7}/{l7}/")),
    ("ifttt", _t("https://maker.ifttt.com/trigger/door/with/key/{b22}")),
    ("make", _t("https://hook.eu1.make.com/{l32}")),
    ("snyk", _t("{uuid}")),
    ("heroku-legacy", _t("{uuid}")),
    ("datadog", _t("{h32}")),
    ("algolia", _t("{h32}")),
    ("cloudflare-token", _t("{b40}")),
    ("okta", _t("00{b40}")),
    ("mistral", _t("{a32}")),
    ("cohere", _t("{a40}")),
]


def tokens(per_provider: int = 3, seed: int = 13) -> list[tuple[str, str]]:
    """``per_provider`` fresh (provider, token) pairs for every provider, the same on every run."""
    rng = random.Random(seed)
    return [(name, make(rng)) for name, make in PROVIDERS for _ in range(per_provider)]


def credential_name(provider: str) -> str:
    """An environment-style name for the provider's credential (``STRIPE_LIVE_API_KEY``)."""
    return provider.upper().replace("-", "_") + "_API_KEY"
