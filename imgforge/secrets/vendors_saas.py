"""Vendor rules for SaaS APIs: payments, messaging and e-mail, AI, productivity, social and data services.

Written from each provider's published token format (prefix or structure, length, alphabet); keywords are
the lowercase literal prefixes the RE2::Set prefilter looks for.
"""

from __future__ import annotations

from imgforge.secrets.context import Rule
from imgforge.secrets.vendor import (
    B64_END,
    digits_base64,
    has_digit,
    jwt_header,
    mixed,
    mixed_random,
    prefixed,
    wrapped_jwt,
)

UUID = rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

SAAS_RULES: tuple[Rule, ...] = (
    # Payments and commerce.
    prefixed(
        "stripe-secret-key",
        "Stripe secret or restricted key (live or test)",
        "sk_live_ rk_live_ sk_test_ rk_test_ rk_prod_ sk_prod_",
        rb"(?:sk|rk)_(?:live|test|prod)_[0-9A-Za-z]{20,247}",
        shape=has_digit,
    ),
    prefixed(
        "stripe-webhook-secret", "Stripe webhook signing secret", "whsec_", rb"whsec_[A-Za-z0-9+/]{32,}", shape=mixed
    ),
    prefixed(
        "shopify-token", "Shopify access token", "shpat_ shpca_ shppa_ shpss_", rb"shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}"
    ),
    prefixed(
        "square-token",
        "Square access token or OAuth secret",
        "sq0atp- sq0csp- eaaa",
        rb"sq0atp-[0-9A-Za-z\-_]{22}|sq0csp-[0-9A-Za-z\-_]{43}|EAAA[A-Za-z0-9_\-]{60}",
        shape=has_digit,
        entropy=4.0,
    ),
    prefixed(
        "braintree-token",
        "Braintree / PayPal access token",
        "access_token$production$ access_token$sandbox$",
        rb"access_token\$(?:production|sandbox)\$[a-z0-9]{16}\$[a-f0-9]{32}",
    ),
    prefixed("easypost-api-key", "EasyPost API key", "ezak eztk", rb"EZ[AT]K[A-Za-z0-9]{54}", shape=mixed),
    prefixed(
        "flutterwave-key",
        "Flutterwave secret or encryption key",
        "flwseck",
        rb"FLWSECK(?:_TEST)?-[a-hA-H0-9]{32}-X|FLWSECK_TEST[a-hA-H0-9]{12}",
    ),
    prefixed("shippo-token", "Shippo API token", "shippo_live_ shippo_test_", rb"shippo_(?:live|test)_[a-f0-9]{40}"),
    prefixed(
        "duffel-token", "Duffel API token", "duffel_test_ duffel_live_", rb"duffel_(?:test|live)_[A-Za-z0-9_\-=]{43}"
    ),
    prefixed(
        "plaid-access-token",
        "Plaid access token",
        "access-sandbox- access-development- access-production-",
        rb"access-(?:sandbox|development|production)-" + UUID,
    ),
    prefixed(
        "gocardless-token",
        "GoCardless access token",
        "live_",
        rb"live_[A-Za-z0-9_\-=]{40}",
        shape=mixed,
    ),
    prefixed(
        "mollie-api-key",
        "Mollie API key",
        "live_ test_",
        rb"(?:live|test)_[A-Za-z0-9]{30}",
        shape=mixed_random,
        trigger=rb"(?:live|test)_[A-Za-z0-9]{20}",  # "test_" + 12-19 letters is in most Python test suites
    ),
    prefixed("lob-api-key", "Lob API key", "live_ test_", rb"(?:live|test)_[a-f0-9]{35}",
             trigger=rb"(?:live|test)_[a-f0-9]{12}"),  # a prefix of the pattern: never misses a match
    prefixed(
        "razorpay-key", "Razorpay key id", "rzp_live_ rzp_test_", rb"rzp_(?:live|test)_[A-Za-z0-9]{14}", shape=mixed
    ),
    prefixed(
        "salesforce-access-token",
        "Salesforce access token",
        "00d",
        rb"00D[A-Za-z0-9]{12,15}![A-Za-z0-9_.]{80,}",
    ),
    # E-mail, messaging and social.
    prefixed(
        "sendgrid-api-key", "SendGrid API key", "sg.", rb"SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}", entropy=4.0
    ),
    prefixed(
        "brevo-api-key",
        "Brevo (Sendinblue) API or SMTP key",
        "xkeysib- xsmtpsib-",
        rb"x(?:keysib|smtpsib)-[a-f0-9]{64}-[A-Za-z0-9]{16}",
    ),
    prefixed("mailgun-api-key", "Mailgun API key", "key-", rb"key-[a-f0-9]{32}", shape=has_digit,
             trigger=rb"key-[a-f0-9]{8}"),  # "key-" is in "key-value", CLI flags...
    prefixed("mailchimp-api-key", "Mailchimp API key", "-us", rb"[0-9a-f]{32}-us[0-9]{1,2}",
             trigger=rb"[0-9a-f]{4}-us[0-9]"),  # "-us" alone is in "en-us" and "--use-..."
    prefixed(
        "mandrill-api-key",
        "Mandrill API key",
        "md-",
        rb"md-[A-Za-z0-9_\-]{22}",
        shape=mixed,
    ),
    prefixed(
        "resend-api-key",
        "Resend API key",
        "",
        rb"re_[A-Za-z0-9]{8}_[A-Za-z0-9]{24}",
        shape=mixed,
        trigger=rb"\bre_[A-Za-z0-9]{8}_",  # "re_" alone is in most source files
    ),
    prefixed(
        "slack-token",
        "Slack token",
        "xoxb- xoxp- xoxa- xoxo- xoxs- xoxr- xoxc- xoxe",
        rb"xox[abposrc]-(?:\d{6,}-)+[0-9A-Za-z\-]{8,250}|xoxe\.xox[bp]-1-[A-Za-z0-9]{100,}|xoxe-1-[A-Za-z0-9\-]{100,}",
        shape=has_digit,
    ),
    prefixed("slack-app-token", "Slack app-level token", "xapp-", rb"xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+"),
    prefixed(
        "slack-webhook",
        "Slack incoming-webhook URL",
        "hooks.slack.com",
        rb"hooks\.slack\.com/(?:services|workflows|triggers)/(T[A-Z0-9]{6,}/[A-Z0-9]{6,}/[A-Za-z0-9]{16,})",
        group=2,
    ),
    prefixed(
        "discord-bot-token",
        "Discord bot token",
        "discord",
        rb"[MNO][A-Za-z0-9_\-]{23,25}\.[A-Za-z0-9_\-]{6}\.[A-Za-z0-9_\-]{27,38}",
        check=digits_base64,
        entropy=9.0,
    ),
    prefixed(
        "discord-webhook",
        "Discord webhook URL",
        "discord.com/api/webhooks discordapp.com/api/webhooks",
        rb"discord(?:app)?\.com/api/webhooks/\d{17,20}/([A-Za-z0-9_\-]{60,68})",
        group=2,
    ),
    prefixed(
        "telegram-bot-token",
        "Telegram bot token",
        ":aa",
        rb"\d{8,10}:AA[0-9A-Za-z_\-]{33}",
        entropy=4.0,
        trigger=rb"[0-9]:aa[0-9a-z_\-]{8}",  # ":aa" alone is in IPv6 addresses and hex dumps
    ),
    prefixed(
        "twitter-bearer-token",
        "Twitter / X bearer token",
        "aaaaaaaaaaaaaaaaaaaaa",
        rb"AAAAAAAAAAAAAAAAAAAAA[B-Za-z0-9%][A-Za-z0-9%]{40,}",
        shape=has_digit,
    ),
    prefixed(
        "facebook-access-token",
        "Facebook / Meta access token",
        "eaab eaac eaad eaag eaai eaaj eaam eaap eaau eaaw",
        rb"EAA[A-Z][A-Za-z0-9]{90,}",
        shape=mixed,
    ),
    prefixed("instagram-token", "Instagram access token", "igqv", rb"IGQV[A-Za-z0-9_\-]{100,}", shape=mixed),
    prefixed(
        "teams-webhook",
        "Microsoft Teams incoming-webhook URL",
        "incomingwebhook",
        rb"(?:outlook\.office\.com|[a-z0-9\-]+\.webhook\.office\.com)/webhookb?2?/"
        + UUID
        + rb"@"
        + UUID
        + rb"/IncomingWebhook/[a-f0-9]{32}/"
        + UUID,
    ),
    prefixed("twilio-api-key", "Twilio API key", "", rb"SK[0-9a-f]{32}", trigger=rb"\bSK[0-9a-fA-F]{32}"),
    # AI and data services.
    prefixed(
        "openai-api-key",
        "OpenAI API key",
        "t3blbkfj",
        rb"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}T3BlbkFJ[A-Za-z0-9_\-]{20,}",
        entropy=4.0,
    ),
    prefixed(
        "anthropic-api-key",
        "Anthropic API key",
        "sk-ant-",
        rb"sk-ant-(?:api|admin|oat)\d{2}-[A-Za-z0-9_\-]{80,100}",
        entropy=4.0,
    ),
    prefixed(
        "huggingface-token",
        "Hugging Face user or organisation token",
        "hf_ api_org_",
        rb"(?:hf_|api_org_)[A-Za-z]{34}",
        entropy=4.0,
    ),
    prefixed("perplexity-api-key", "Perplexity API key", "pplx-", rb"pplx-[A-Za-z0-9]{48}"),
    prefixed("groq-api-key", "Groq API key", "gsk_", rb"gsk_[A-Za-z0-9]{52}"),
    prefixed("xai-api-key", "xAI API key", "xai-", rb"xai-[A-Za-z0-9]{80}"),
    prefixed("replicate-token", "Replicate API token", "r8_", rb"r8_[A-Za-z0-9]{37}", shape=mixed),
    prefixed("openrouter-api-key", "OpenRouter API key", "sk-or-v1-", rb"sk-or-v1-[a-f0-9]{64}"),
    prefixed(
        "langsmith-api-key", "LangSmith API key", "lsv2_pt_ lsv2_sk_", rb"lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}"
    ),
    prefixed("pinecone-api-key", "Pinecone API key", "pcsk_", rb"pcsk_[A-Za-z0-9]{5,6}_[A-Za-z0-9]{50,70}"),
    prefixed("elevenlabs-api-key", "ElevenLabs API key", "sk_", rb"sk_[a-f0-9]{48}",
             trigger=rb"sk_[a-f0-9]{8}"),  # "task_" is in most Python files
    prefixed("posthog-personal-key", "PostHog personal API key", "phx_", rb"phx_[A-Za-z0-9]{43}", shape=mixed),
    prefixed(
        "mapbox-secret-token", "Mapbox secret token", "sk.eyj", rb"sk\.eyJ[A-Za-z0-9_\-]{50,}\.[A-Za-z0-9_\-]{20,}"
    ),
    prefixed("maxmind-license-key", "MaxMind license key", "_mmk", rb"[A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk"),
    prefixed("adafruit-io-key", "Adafruit IO key", "aio_", rb"aio_[A-Za-z0-9]{28}", shape=mixed),
    prefixed("adobe-client-secret", "Adobe client secret", "p8e-", rb"p8e-[A-Za-z0-9\-]{32}", shape=has_digit),
    prefixed("frameio-token", "Frame.io API token", "fio-u-", rb"fio-u-[A-Za-z0-9\-_=]{64}"),
    prefixed("intra42-secret", "42 Intra client secret", "s-s4t2ud- s-s4t2af-", rb"s-s4t2(?:ud|af)-[a-f0-9]{64}"),
    prefixed(
        "beamer-api-key",
        "Beamer API key",
        "beamer",
        rb"b_[A-Za-z0-9=_\-]{44}",
        shape=mixed,
    ),
    # Productivity, CRM and support.
    prefixed(
        "notion-token",
        "Notion integration token",
        "ntn_",
        rb"ntn_[0-9]{11}[A-Za-z0-9]{35}",
        shape=mixed,
    ),
    prefixed(
        "notion-token",
        "Notion integration token (legacy format, next to the vendor's name)",
        "notion",  # "secret_" alone is in most source files
        rb"secret_[A-Za-z0-9]{43}",
        shape=mixed,
    ),
    prefixed(
        "linear-api-key", "Linear API key", "lin_api_ lin_oauth_", rb"lin_api_[A-Za-z0-9]{40}|lin_oauth_[a-f0-9]{64}"
    ),
    prefixed(
        "airtable-token",
        "Airtable personal access token",
        "airtable",
        rb"pat[A-Za-z0-9]{14}\.[a-f0-9]{64}",
    ),
    prefixed(
        "asana-token",
        "Asana personal access token",
        "asana",
        rb"[012]/\d{13,20}(?:/\d{13,20})?:[A-Za-z0-9]{32}",
    ),
    prefixed("clickup-token", "ClickUp personal token", "pk_", rb"pk_\d{6,10}_[A-Z0-9]{32}"),
    prefixed("hubspot-token", "HubSpot private-app token", "pat-na1- pat-eu1-", rb"pat-(?:na|eu)1-" + UUID),
    prefixed("intercom-token", "Intercom access token", "dg9roj", rb"dG9rOj[A-Za-z0-9+/]{40,}={0,2}", end=B64_END),
    prefixed("typeform-token", "Typeform personal token", "tfp_", rb"tfp_[A-Za-z0-9_\-.=]{40,60}", shape=mixed),
    prefixed(
        "dropbox-token",
        "Dropbox access token",
        "sl.",
        rb"sl\.(?:u\.)?[A-Za-z0-9_\-]{120,}",
        shape=mixed,
    ),
    prefixed("contentful-token", "Contentful personal access token", "cfpat-", rb"CFPAT-[A-Za-z0-9_\-]{43}"),
    # More APIs with a distinctive prefix.
    prefixed("together-api-key", "Together AI API key", "tgp_v1_", rb"tgp_v1_[A-Za-z0-9_\-]{43}"),
    # "task-", "disk-"... : both triggers are the same Set entry (one DFA path), a prefix of both patterns.
    prefixed("deepseek-api-key", "DeepSeek API key", "sk-", rb"sk-[a-f0-9]{32}", shape=has_digit,
             trigger=rb"sk-[A-Za-z0-9]{12}"),
    prefixed("openai-legacy-key", "OpenAI (legacy) or Stability API key", "sk-", rb"sk-[A-Za-z0-9]{48}", shape=mixed,
             trigger=rb"sk-[A-Za-z0-9]{12}"),
    prefixed("langfuse-secret-key", "Langfuse secret key", "sk-lf-", rb"sk-lf-" + UUID),
    prefixed("paddle-api-key", "Paddle API key", "pdl_live_ pdl_sdbx_", rb"pdl_(?:live|sdbx)_apikey_[A-Za-z0-9_]{30,}"),
    prefixed("checkout-secret-key", "Checkout.com sandbox secret key", "sk_sbox_", rb"sk_sbox_[a-z0-9]{20,40}"),
    prefixed("mailersend-token", "MailerSend API token", "mlsn.", rb"mlsn\.[A-Za-z0-9]{60,70}", shape=mixed),
    prefixed("klaviyo-private-key", "Klaviyo private API key", "pk_", rb"pk_[a-f0-9]{34}", shape=has_digit),
    prefixed(
        "fcm-server-key",
        "Firebase Cloud Messaging server key",
        "apa91b",
        rb"AAAA[A-Za-z0-9_\-]{7}:APA91b[A-Za-z0-9_\-]{134}",
    ),
    prefixed(
        "akamai-edgegrid-token",
        "Akamai EdgeGrid client or access token",
        "akab-",
        rb"akab-[a-z0-9]{16}-[a-z0-9]{16}",
        shape=has_digit,
    ),
    prefixed("pubnub-secret-key", "PubNub secret key", "sec-c-", rb"sec-c-[A-Za-z0-9]{48}", shape=mixed),
    prefixed(
        "amazon-lwa-refresh-token",
        "Login with Amazon refresh token",
        "atzr|",
        rb"Atzr\|[A-Za-z0-9\-_]{100,}",
        shape=mixed,
    ),
    prefixed(
        "teamcity-token",
        "TeamCity access token",
        "eyj0exaioiaivenwmij9",
        rb"eyJ0eXAiOiAiVENWMiJ9\.[A-Za-z0-9_\-]{20,}\.[A-Za-z0-9_\-]{20,}",
    ),
    prefixed("dbt-cloud-token", "dbt Cloud service token", "dbtc_", rb"dbtc_[A-Za-z0-9_\-]{30,80}", shape=mixed),
    prefixed("xata-api-key", "Xata API key", "xau_", rb"xau_[A-Za-z0-9]{30,64}", shape=mixed),
    # Structured tokens recognised by what they decode to.
    prefixed(
        "jwt",
        "JSON Web Token",
        "eyj",
        rb"eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{16,}",
        check=jwt_header,
        entropy=9.0,
        third_party=False,  # libraries' docs and tests are full of sample tokens
    ),
    prefixed(
        "jwt",
        "JSON Web Token (base64-wrapped)",
        "zxlk",
        rb"ZXlK[A-Za-z0-9+/]{60,}={0,2}",
        check=wrapped_jwt,
        entropy=9.0,
        end=B64_END,
        third_party=False,
    ),
)
