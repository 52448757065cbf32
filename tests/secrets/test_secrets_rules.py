"""Each rule, positively and negatively, on small inline texts with fake, format-valid values."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from imgforge.secrets import RULES, SecretDetector
from imgforge.secrets.vendors_apps import APP_RULES
from imgforge.secrets.vendors_cloud import CLOUD_RULES
from imgforge.secrets.vendors_dev import DEV_RULES
from imgforge.secrets.vendors_infra import INFRA_RULES
from imgforge.secrets.vendors_saas import SAAS_RULES

VENDOR_RULES = (*CLOUD_RULES, *SAAS_RULES, *DEV_RULES, *INFRA_RULES, *APP_RULES)

# Fake values, assembled at run time so the source file itself carries no token-shaped literal.
R36 = "Zq8Lm2Xv4Tn6Rb1Wc3Yd5Fh7Jk9Pa0Ge2Hs4"
AWS_ID = "AKIA" + "QX7ZRM4TBN2KWD5G"
AWS_SECRET = "wJ4rXutnFE" + "MI7K7MDENGbPxRfiCYz9" + "ab12Cd34eF"
PEM_BODY = base64.b64encode(bytes(range(256)) * 3).decode()
PEM = "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(PEM_BODY[i : i + 64] for i in range(0, 512, 64))
PEM += "\n-----END RSA PRIVATE KEY-----\n"


def _jwt(alg: str = "HS256") -> str:
    def enc(obj: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{enc({'alg': alg, 'typ': 'JWT'})}.{enc({'sub': 'svc-builder', 'iat': 1764201600})}.{R36[:30]}"


def _docker_auth(user_pass: str) -> str:
    return json.dumps({"auths": {"registry.invalid": {"auth": base64.b64encode(user_pass.encode()).decode()}}})


def _pull_secret(password: str) -> str:
    """A Kubernetes image pull secret: base64 of a docker config whose auth is base64 of user:password."""
    config = base64.b64encode(_docker_auth(f"ci:{password}").encode()).decode()
    return f"apiVersion: v1\nkind: Secret\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {config}\n"


POSITIVE = [
    ("aws-access-key-id", "app.py", f'key_id = "{AWS_ID}"'),
    ("aws-secret-access-key", "credentials", f"aws_secret_access_key = {AWS_SECRET}"),
    ("aws-secret-access-key", "sts.json", f'{{"SecretAccessKey": "{AWS_SECRET}"}}'),
    ("gcp-service-account", "sa.json", json.dumps({"type": "service_account", "private_key": PEM})),
    ("private-key", "id_rsa", PEM),
    ("private-key", "id_ed25519", PEM.replace("RSA PRIVATE", "OPENSSH PRIVATE")),
    ("private-key", "keys.py", "KEY = '" + PEM.replace("\n", "\\n") + "'"),
    ("private-key", "values.yaml", "tls:\n  key: |\n    " + PEM.replace("\n", "\n    ")),
    ("github-token", "ci.yml", f"token: ghp_{R36}"),
    ("github-token", "x.sh", f"export T=github_pat_{R36[:22]}_{(R36 * 2)[:59]}"),
    ("gitlab-token", "x.txt", f"glpat-{R36[:20]}"),
    ("slack-token", "x.txt", f"xoxb-2301847566-{R36[:24]}"),
    ("slack-webhook", "x.txt", f"https://hooks.slack.com/services/T0AB12CD3/B0CD34EF5/{R36[:24]}"),
    ("stripe-secret-key", "x.txt", f"sk_live_{R36[:24]}"),
    ("npm-token", ".npmrc", f"//registry.npmjs.org/:_authToken=npm_{R36}"),
    ("npmrc-auth", "Dockerfile", f"RUN echo //npm.invalid/:_authToken={R36[:20]} > .npmrc"),
    ("npmrc-auth", ".npmrc", "_auth=" + base64.b64encode(b"builder:" + R36[:12].encode()).decode()),
    ("yarnrc-auth", ".yarnrc.yml", f'nodeLinker: node-modules\nnpmScopes:\n  corp:\n    npmAuthToken: "{R36[:24]}"'),
    ("yarnrc-auth", ".yarnrc.yml", "npmAuthIdent: '" + base64.b64encode(b"ci:" + R36[:12].encode()).decode() + "'"),
    ("pypi-token", ".pypirc", f"password = pypi-AgEIcHlwaS5vcmc{R36}{R36}"),
    ("pypirc-password", ".pypirc", "[internal]\nusername = up\npassword = Tr0ub4dor-3x"),
    ("netrc-password", ".netrc", "machine git.invalid login ci password Tr0ub4dor-3x"),
    ("docker-config-auth", "config.json", _docker_auth("robot:" + R36[:16])),
    ("docker-config-auth", "config.json", json.dumps({"auths": {"r.invalid": {"identitytoken": R36}}})),
    ("jwt", "client.js", f'headers.Authorization = "Bearer {_jwt()}"'),
    (
        "kubeconfig-client-key",
        "config",
        "users:\n- user:\n    client-key-data: " + base64.b64encode(PEM.encode()).decode(),
    ),
    (
        "shadow-password-hash",
        "shadow",
        "root:$6$Zq8Lm2Xv$" + (R36 * 3)[:86] + ":19700:0:99999:7:::\nnobody:*:19700::::::",
    ),
    ("shadow-password-hash", "shadow", "app:$y$j9T$Zq8Lm2Xv4Tn6Rb1W$" + R36[:43] + ":19700:0:99999:7:::"),
    ("google-api-key", "maps.js", f'key: "AIza{R36[:35]}"'),
    ("sendgrid-api-key", ".env", f"SG.{R36[:22]}.{(R36 * 2)[:43]}"),
    ("openai-api-key", ".env", f"sk-proj-{R36[:20]}T3BlbkFJ{R36[-20:]}"),
    ("azure-storage-key", "app.cfg", f"AccountName=x;AccountKey={(R36 * 3)[:86]}==;EndpointSuffix=core"),
    ("anthropic-api-key", ".env", f"ANTHROPIC_API_KEY=sk-ant-api03-{(R36 * 3)[:93]}AA"),
    ("huggingface-token", ".env", "HF_TOKEN=hf_" + "ZqLmXvTnRbWcYdFhJkPaGeHsQwErTbUiOp"),
    ("digitalocean-token", "x.sh", "doctl auth init -t dop_v1_" + hashlib.sha256(R36.encode()).hexdigest()),
    ("vault-token", "x.sh", f"export VAULT_TOKEN=hvs.{R36[:24]}"),
    ("shopify-token", "x.py", 'client(token="shpat_' + "4f9a0c2e" * 4 + '")'),
    ("square-token", "x.py", f'SQUARE = "sq0csp-{(R36 * 2)[:43]}"'),
    ("telegram-bot-token", "bot.py", f'bot = Bot("7391846205:AA{R36[:33]}")'),
    ("mailchimp-api-key", "x.php", '$mc = new MailChimp("' + "4f9a0c2e" * 4 + '-us21");'),
    ("twilio-api-key", "x.rb", 'client = Twilio::REST::Client.new("SK' + "4f9a0c2e" * 4 + '")'),
    ("cli-credential", "deploy.sh", f"curl -s --user 'api:{R36[:16]}' https://api.invalid/v3/messages"),
    ("cli-credential", "setup.sh", f"wget --password={R36[:12]} https://files.internal/pkg.tgz"),
    ("http-auth-header", "check.sh", f'curl -H "Authorization: Bearer {R36[:32]}" https://api.invalid/me'),
    ("config-key-value", "NuGet.Config", f'<add key="ClearTextPassword" value="{R36[:16]}" />'),
    (
        "kubernetes-secret",
        "secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  username: "
        + base64.b64encode(b"svc-builder").decode()
        + "\n  password: "
        + base64.b64encode(R36[:14].encode()).decode(),
    ),
    (  # kubectl's order (data before kind), after a ConfigMap in the same file
        "kubernetes-secret",
        "all.yaml",
        "kind: ConfigMap\ndata:\n  mode: disabled\n---\napiVersion: v1\ndata:\n  api-key: "
        + base64.b64encode(R36[:20].encode()).decode()
        + "\nkind: Secret\nmetadata:\n  name: api\n",
    ),
    ("kubernetes-secret", "pull-secret.yaml", _pull_secret(R36[:18])),
    ("url-password", "settings.py", f'DB = "postgres://app:{R36[:14]}@db:5432/app"'),
    ("url-password", "pip.conf", f"index-url = https://ci:{R36[:12]}@pypi.corp.internal/simple"),
    ("url-password", ".env", f"BROKER=amqp://svc:{R36[:10]}@rabbit//"),
    ("generic-secret", "settings.py", 'DB_PASSWORD = "Tr0ub4dor&3x"'),
    ("generic-secret", "app.js", f'const apiKey = "{R36[:28]}";'),
    ("generic-secret", "config.yaml", "database:\n  password: Tr0ub4dor&3x"),
    ("generic-secret", ".env", "SMTP_PASS=Tr0ub4dor-3x"),
    ("generic-secret", ".env.production", 'export API_TOKEN="q8Zt4Lw2Vn7Rk1Xp"'),
    # A value that only ends with its name's words is still a secret when they are not its last part.
    ("generic-secret", "app.js", 'const SHARE_TOKEN = "RADICALE:q8Zt4Lw2Vn7Rk1Xp";'),
    ("generic-secret", "docker-compose.yml", "    environment:\n      - POSTGRES_PASSWORD=Tr0ub4dor-3x"),
    ("generic-secret", "main.go", f'secretKey := "{R36[:20]}"'),
    ("generic-secret", "app.properties", "jdbc.password=Tr0ub4dor-3x"),
    ("generic-secret", "run.sh", "curl --token=" + R36[:24] + " https://api.invalid"),
    ("generic-secret", "NOTES.txt", f"Use `token: {R36[:24]}` to log in."),
    # A password holding the other quote kind, but no space, is still one value.
    ("generic-secret", "app.py", """token = 'Xk9mq2Lp0vZ7"rest'"""),
]

NEGATIVE = [
    ("aws-access-key-id", "doc.md", "AKIAIOSFODNN7EXAMPLE is the documented example key"),
    ("aws-access-key-id", "doc.md", "AKIAXXXXXXXXXXXXXXXX"),
    ("aws-secret-access-key", "credentials", "aws_secret_access_key = " + "a" * 40),
    ("aws-secret-access-key", "credentials", "aws_secret_access_key = 0123456789abcdef0123456789abcdef01234567"),
    ("gcp-service-account", "sa.json", json.dumps({"type": "service_account", "private_key": "<your key>"})),
    ("private-key", "SECURITY.md", "A key starts with -----BEGIN RSA PRIVATE KEY----- and ends with -----END."),
    ("private-key", "parse.py", 'if line == "-----BEGIN PRIVATE KEY-----":\n    pass  # no -----END here'),
    ("private-key", "cert.pem", PEM.replace("RSA PRIVATE KEY", "CERTIFICATE")),
    ("private-key", "pub.pem", PEM.replace("RSA PRIVATE KEY", "PUBLIC KEY")),
    ("github-token", "x.txt", "ghp_" + "x" * 36),
    ("github-token", "x.txt", "ghp_short"),
    ("gitlab-token", "x.txt", "glpat-xxxxxxxxxxxxxxxxxxxx"),
    ("slack-token", "x.txt", "xoxb-your-token-here"),
    ("stripe-secret-key", "x.txt", "sk_live_xxxxxxxxxxxxxxxxxxxxxxxx"),
    ("npm-token", "package.json", '"npm_config_registry_url_value_setting": 1'),
    ("npmrc-auth", ".npmrc", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}"),
    ("npmrc-auth", "client.py", "self._auth = auth_handler_value"),
    # @nuxt/cli (nuxt/starter v4's image): the token is read with a regex built around the setting's name.
    ("npmrc-auth", "app/node_modules/@nuxt/cli/dist/add.mjs",
     "const re = new RegExp(`^//${registryHost}/:_authToken=(.+)$`, \"m\");"),
    ("npmrc-auth", "app/lib/npm.js", "const re = new RegExp(`^//${host}/:_authToken=([^\\s]+)`);"),
    ("yarnrc-auth", ".yarnrc.yml", "npmAlwaysAuth: true\nnpmAuthToken: ${NPM_TOKEN}\n"),
    ("yarnrc-auth", ".yarnrc.yml", 'npmAuthToken: "<your token>"'),
    ("pypi-token", ".pypirc", "password = pypi-<your token>"),
    ("pypirc-password", ".pypirc", "password = <your password>"),
    ("pypirc-password", "setup.cfg", "[upload]\npassword = Tr0ub4dor-3x"),  # the generic rule may report it
    ("slack-webhook", "x.txt", "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"),
    ("stripe-secret-key", "x.txt", "sk_live_" + "0" * 24),
    ("sendgrid-api-key", "x.txt", "SG.xxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
    ("openai-api-key", "x.txt", "sk-proj-xxxxxxxxxxxxxxxxxxxxT3BlbkFJxxxxxxxxxxxxxxxxxxxx"),
    ("azure-storage-key", "x.cfg", "AccountKey=<your-account-key>;EndpointSuffix=core.windows.net"),
    ("netrc-password", ".netrc", "machine x login y password $NETRC_PASSWORD"),
    ("docker-config-auth", "config.json", json.dumps({"auths": {"r.invalid": {}}, "credsStore": "desktop"})),
    ("docker-config-auth", "config.json", _docker_auth("no-colon-in-here")),
    ("jwt", "x.txt", _jwt("none")),
    (
        "kubeconfig-client-key",
        "config",
        "client-key-data: " + base64.b64encode(b"-----BEGIN CERTIFICATE-----" * 4).decode(),
    ),
    ("shadow-password-hash", "shadow", "root:*:19700:0:99999:7:::\nnobody:!:19700::::::\nuser:!$6$locked:1::::::"),
    ("shadow-password-hash", "notes.txt", "root:$6$Zq8Lm2Xv$" + (R36 * 3)[:86] + ":19700:0:99999:7:::"),
    ("jwt", "x.txt", "eyJub3RqdWRzb24.eyJub3RqdWRzb24.abcdefghijklmnopqrstu"),
    ("google-api-key", "x.txt", "AIza" + "x" * 35),
    ("anthropic-api-key", "x.txt", "sk-ant-api03-xxxxxxxx"),
    ("huggingface-token", "x.py", "from huggingface_hub import hf_hub_download; hf_token = None"),
    ("digitalocean-token", "x.txt", "dop_v1_" + "0" * 64),
    ("vault-token", "x.txt", "hvs.xxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
    ("shopify-token", "x.txt", "shpat_" + "0" * 32),
    ("square-token", "x.txt", "EAAAxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
    ("telegram-bot-token", "x.txt", "at 12:34:56 12345678:AAxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
    ("mailchimp-api-key", "x.txt", "md5 " + "0" * 32 + "-us1"),
    ("twilio-api-key", "x.txt", "SK" + "0" * 32),
    ("cli-credential", "deploy.sh", 'curl -u "$API_USER:$API_PASSWORD" https://api.invalid/'),
    ("cli-credential", "README.md", "Credentials can be given with the --username and --password options."),
    ("http-auth-header", "check.sh", 'curl -H "Authorization: Bearer ${TOKEN}" https://api.invalid/me'),
    # A stopword with one letter as a symbol (dj-database-url's README on escaping).
    ("url-password", "METADATA", "    postgres://user:p%23ssword!@localhost/foobar"),
    # Percent-encoded words for a password (httpx's _urls.py docstring).
    ("url-password", "_urls.py", 'url = httpx.URL("HTTPS://jo%40email.com:a%20secret@m\u00fcller.de:1234/pa%20th")'),
    # A docstring's hex filler (FastAPI's security/http.py).
    ("http-auth-header", "http.py", '    """A client sends:\n\n    Authorization: Bearer deadbeef12346\n"""'),
    # A template string holding the other quote kind and spaces (Django's template/base.py doctest).
    ("generic-secret", "base.py", """    >>> token = 'variable|default:"Default value"|date:"Y-m-d"'"""),
    ("config-key-value", "NuGet.Config", '<add key="ClearTextPassword" value="%NUGET_PASSWORD%" />'),
    ("kubernetes-secret", "cm.yaml", "kind: ConfigMap\ndata:\n  mode: " + base64.b64encode(b"release-mode").decode()),
    (
        "kubernetes-secret",
        "tls.yaml",
        "kind: Secret\ndata:\n  ca.crt: "
        + base64.b64encode(PEM.replace("RSA PRIVATE KEY", "CERTIFICATE").encode()).decode(),
    ),
    (  # a ConfigMap's words are valid base64 too ("disabled"), even in a file that also holds a Secret
        "kubernetes-secret",
        "serving.yaml",
        "kind: Secret\ndata:\n  token: \n---\nkind: ConfigMap\ndata:\n  secure-pod-defaults: \"disabled\"\n"
        "  pod-spec-fieldref: \"disabled\"\n",
    ),
    ("kubernetes-secret", "secret.yaml", "kind: Secret\ndata:\n  key: " + base64.b64encode(b"admin_password").decode()),
    ("kubernetes-secret", "tls.yaml", "kind: Secret\ndata:\n  tls.ca: " + base64.b64encode(b"TESTROOTCAS0").decode()),
    ("kubernetes-secret", "pull-secret.yaml", _pull_secret("changeme")),
    ("url-password", "x.txt", "postgres://app:password@db/app"),
    ("url-password", "x.txt", "postgres://app:${DB_PASSWORD}@db/app"),
    ("url-password", "x.txt", "https://user:pass@host.internal/"),
    # louislam/uptime-kuma's server/client.js: an ORM call on the api_key table with a parameterised condition.
    ("generic-secret", "client.js", 'const list = await R.find("api_key", "user_id=?", [socket.userID]);'),
    # louislam/uptime-kuma's notification form: Apprise's URL syntax names each part (also in the built bundle).
    ("url-password", "Apprise.vue", '<p>{{ $t("Example:", ["twilio://AccountSid:AuthToken@FromPhoneNo"]) }}</p>'),
    ("url-password", "index.js", 'e("Example:",["mailgun://Sender:ApiKey@Domain"])'),
    ("url-password", "url.md", "const myURL = new URL('https://abc:xyz@example.com');"),
    ("url-password", "auth.md", "https://user:he%2F%2Fo@pypi.example.com/simple"),
    ("url-password", "x.txt", "mysql://root:12345678@db/app"),
    ("url-password", "x.txt", "https://host.invalid:8443/path and mailto:a@b.invalid"),
    ("generic-secret", "auth.py", 'password = os.environ["DB_PASSWORD"]'),
    ("generic-secret", "auth.py", "token = request.headers.get('X-Token')"),
    ("generic-secret", "auth.py", 'PASSWORD_FIELD = "password"'),
    ("generic-secret", "auth.py", 'password = "changeme"'),
    ("generic-secret", "auth.py", 'secret = "xxxxxxxxxxxx"'),
    ("generic-secret", "auth.py", 'api_key = "<set me>"'),
    ("generic-secret", "auth.py", 'api_key = "${API_KEY}"'),
    ("generic-secret", "auth.py", 'token = "{{ .Values.token }}"'),
    ("generic-secret", "auth.py", 'access_token = "%s:%s" % (a, b)'),
    ("generic-secret", "app.ts", "const token: string = getToken();"),
    ("generic-secret", "app.go", "PrivateKey: testP256PrivateKey2,"),
    ("generic-secret", "ids.json", '{"token_id": "3f2b8c1e-9d4a-4e7b-8f6c-2a1d0e9b7c5f"}'),
    ("generic-secret", "sums.txt", "sha256 token = e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("generic-secret", "lock.json", '"secret-handshake": {"integrity": "sha512-' + PEM_BODY[:86] + '=="}'),
    ("generic-secret", "messages.de.json", '{"password": "Passwort", "api_key": "API-Schlüssel"}'),
    ("generic-secret", "arn.json", '"pattern": "arn:aws:secretsmanager:*:*:secret:Prod-.+"'),
    ("generic-secret", "run.py", 'REQUEST_TYPE_ACCESS_TOKEN = "auth-request-type/at"'),
    ("generic-secret", "x.yaml", "secret: projects/my-project/secrets/db-password"),
    ("generic-secret", "x.min.js", 'function a(b){return b.token||b.secret}var c=d.password;e.apiKey="request";'),
    ("generic-secret", "login.html", '<img src="data:image/png;base64,' + PEM_BODY[:200] + '"> token'),
    ("generic-secret", "README.md", "password: 'bm90IG15IHJlYWwgcGFzc3dvcmQ='"),
    ("generic-secret", "test_x.py", "user = User(password='p@ssw0rd1')"),
    ("generic-secret", "list.rst", '"NextToken": "eyJOZXh0VG9rZW4iOiBudWxsLCAiYm90byI6IDJ9"'),
    (
        "generic-secret",
        "waf.json",
        '{"ChangeToken": "12cs345-67cd-890b-1cd2-c3a4567d89f1", "ClientToken": "a1b2c3d4e5f6"}',
    ),
    ("generic-secret", "policies.json", '"IAMUserChangePassword": "arn:aws:iam::aws:policy/IAMUserChangePassword"'),
    ("generic-secret", "hpke.py", "MLKEM768X25519PrivateKey = rust_openssl.hpke.MLKEM768X25519PrivateKey"),
    ("generic-secret", "pager.py", "    Next page token: eav1OzQB0OM8rLdGXOEsyQWSG"),
    ("generic-secret", "schemas.py", '"AWS::ApiGateway::ApiKey": "48205d4ffd7feba3",'),
    ("generic-secret", "manifest.xml", '<assemblyIdentity publicKeyToken="1fc8b3b9a1e18e3b" />'),
    # Kozea/Radicale's web UI: a namespaced property key that spells the constant's own name.
    ("generic-secret", "collection.js", '    static #_SHARE_TOKEN = "RADICALE:share-token";'),
    ("generic-secret", "keys.py", 'API_KEY = "app.auth.api-key"'),
]


@pytest.fixture(scope="module")
def detector() -> SecretDetector:
    return SecretDetector(strict=True)


def test_every_rule_has_positive_and_negative_cases() -> None:
    """Vendor rules are exercised by the generated provider corpus (test_secrets_vendors.py); the rest here."""
    ids = {rule.id for rule in RULES} - {rule.id for rule in VENDOR_RULES}
    assert ids <= {rule for rule, _, _ in POSITIVE}
    assert ids <= {rule for rule, _, _ in NEGATIVE}


@pytest.mark.parametrize(("rule", "path", "text"), POSITIVE, ids=[f"{r}:{p}" for r, p, _ in POSITIVE])
def test_rule_finds(detector: SecretDetector, rule: str, path: str, text: str) -> None:
    found = detector.scan_bytes(text.encode(), f"/srv/{path}")
    assert [m.rule for m in found] == [rule]


@pytest.mark.parametrize(("rule", "path", "text"), NEGATIVE, ids=[f"{r}:{p}" for r, p, _ in NEGATIVE])
def test_rule_ignores(detector: SecretDetector, rule: str, path: str, text: str) -> None:
    found = detector.scan_bytes(text.encode(), f"/srv/{path}")
    assert rule not in {m.rule for m in found}, [(m.rule, m.redacted) for m in found]
    if not path.startswith("setup.cfg"):
        assert found == [], [(m.rule, m.redacted) for m in found]


def test_specific_rule_wins_over_generic(detector: SecretDetector) -> None:
    found = detector.scan_bytes(f'GITHUB_TOKEN = "ghp_{R36}"\naws_secret = "{AWS_SECRET}"\n'.encode(), "/a.py")
    assert [(m.rule, m.line) for m in found] == [("github-token", 1), ("aws-secret-access-key", 2)]


def test_line_numbers_are_one_based(detector: SecretDetector) -> None:
    text = "\n".join(["x = 1"] * 41 + [f"token = 'ghp_{R36}'"] + ["y = 2"] * 5)
    assert [m.line for m in detector.scan_bytes(text.encode(), "/a.py")] == [42]


# What libraries ship: docstring connection URLs, option defaults named like credentials, test keys, sample
# tokens in docs. Modelled on ORM docs, database drivers, TLS test suites and Bootstrap's data-api constants.
LIBRARY_TEXT = "\n".join([
    '    engine = create_engine("postgresql://scott:tig3r@localhost/test")',
    "    this.password = opts.password || 'latin1';",
    "const DATA_API_KEY = '.data-api'",
    f"token = {_jwt()}",
    # node-modules/formstream's README (funnyzak/koa-starter's image): a sample request header.
    "  'Authorization': 'Bearer kq3vz81mf0xw7d2hpl5rn9cty4',",
    PEM,
])
THIRD_PARTY = [
    "/opt/venv/lib/python3.13/site-packages/sqlalchemy/engine/create.py",
    "/usr/lib/python3/dist-packages/requests/tests/key.pem",
    "/usr/local/lib/python3.12/test/certdata/keycert.pem",
    "/app/node_modules/mysql2/lib/packets/change_user.js",
    "/app/static/bootstrap/js/bootstrap.bundle.min.js.map",
    "/app/vendor/github.com/acme/client/doc.go",
    "/usr/local/bundle/gems/pg-1.5.4/README.md",
    "/usr/share/doc/libpq5/examples.txt",
    # pydeck's bundled notebook extension (streamlit/demo-uber-nyc-pickups): minified JS installed into the venv.
    "/opt/venv/share/jupyter/nbextensions/pydeck/index.js",
    # Next.js's per-build preview-mode keys (vercel/nextjs-portfolio-starter): in every Next.js image, by design.
    "/app/.next/prerender-manifest.json",
    # Next.js 15/16 (vercel/next-learn basics): the preview keys moved, and the server actions' key is beside them.
    "/app/.next/server/preview-props.json",
    "/app/.next/server/server-reference-manifest.js",
]


@pytest.mark.parametrize("path", THIRD_PARTY)
def test_sample_credentials_in_third_party_code_are_not_findings(path: str) -> None:
    assert SecretDetector(strict=True).scan_bytes(LIBRARY_TEXT.encode(), path) == []


@pytest.mark.parametrize("path", ["/app/myapp/settings.py", "/app/config/db.js", "/srv/site/static/js/app.js.map",
                                  "/app/certs/server.pem", "/usr/share/nginx/html/config.js"])
def test_the_same_text_in_the_images_own_files_is_reported(path: str) -> None:
    rules = {m.rule for m in SecretDetector(strict=True).scan_bytes(LIBRARY_TEXT.encode(), path)}
    assert {"url-password", "jwt", "private-key", "http-auth-header"} <= rules


def test_vendor_tokens_are_found_in_third_party_code_too() -> None:
    text = f"//registry.npmjs.org/:_authToken=npm_{R36}\naws_access_key_id = {AWS_ID}\n"
    for path in THIRD_PARTY[:4]:
        rules = {m.rule for m in SecretDetector(strict=True).scan_bytes(text.encode(), path)}
        assert {"npm-token", "aws-access-key-id"} <= rules, (path, rules)


def test_nextjs_preview_keys_are_not_findings_but_a_real_token_there_is() -> None:
    keys = {"previewModeId": hashlib.sha256(b"id").hexdigest()[:32],
            "previewModeSigningKey": hashlib.sha256(b"sign").hexdigest(),
            "previewModeEncryptionKey": hashlib.sha256(b"enc").hexdigest()}
    text = json.dumps({"version": 4, "routes": {}, "preview": keys})
    detector = SecretDetector(strict=True)
    assert detector.scan_bytes(text.encode(), "/app/.next/prerender-manifest.json") == []
    assert detector.scan_bytes(text.encode(), "/app/config/preview.json") != []
    token = f"aws_access_key_id = {AWS_ID}\n"
    assert detector.scan_bytes(token.encode(), "/app/.next/prerender-manifest.js") != []
    # Next.js 15+: the keys in their own file, and the server actions' key in the server reference manifest.
    assert detector.scan_bytes(json.dumps(keys, indent=2).encode(), "/app/.next/server/preview-props.json") == []
    actions = json.dumps({"node": {}, "edge": {}, "encryptionKey": base64.b64encode(bytes(range(32))).decode()})
    assert detector.scan_bytes(actions.encode(), "/app/.next/server/server-reference-manifest.json") == []
    assert detector.scan_bytes(actions.encode(), "/app/config/manifest.json") != []
    assert detector.scan_bytes(token.encode(), "/app/.next/server/preview-props.json") != []


def test_an_algolia_search_key_beside_its_app_id_and_index_is_not_a_finding() -> None:
    # vuejs/docs (VitePress): every built page carries the DocSearch config, whose apiKey is Algolia's search-only
    # key, public by design. The same key under another name, or without the app id and index beside it, is found.
    key = hashlib.md5(b"search").hexdigest()
    site = json.dumps({"algolia": {"indexName": "docs", "appId": "AB12CD34EF", "apiKey": key}})
    page = f"<script>window.__DATA__ = {json.dumps(site)}</script>\n"
    config = (f"themeConfig: {{\n  algolia: {{\n    appId: 'AB12CD34EF',\n    apiKey: '{key}',\n"
              "    indexName: 'docs'\n  }\n}\n")
    detector = SecretDetector(strict=True)
    assert detector.scan_bytes(page.encode(), "/www/guide/index.html") == []
    assert detector.scan_bytes(config.encode(), "/app/docusaurus.config.js") == []
    for text in (json.dumps({"appId": "AB12CD34EF", "writeApiKey": key, "indexName": "docs"}),
                 json.dumps({"service": {"apiKey": key, "indexName": "docs"}})):
        assert [m.rule for m in detector.scan_bytes(text.encode(), "/app/config/search.json")] == ["generic-secret"]


def test_a_translated_sentence_under_a_token_key_is_not_a_finding() -> None:
    # louislam/uptime-kuma's src/lang/ja.json and zh-TW.json: keys that end in Token hold sentences in scripts
    # written without spaces (so the value pattern takes the whole sentence); a token beside them is still found.
    text = ('{\n  "wayToGetChatToken": "{0}からアクセストークンを入手できます",\n'
            '  "howToGetBotToken": "你可以從{0}取得Token。",\n  "apiToken": "x9Fk2LmQ8vR3tZ7wYp1q"\n}\n')
    found = SecretDetector(strict=True).scan_bytes(text.encode(), "/app/src/lang/ja.json")
    assert [(m.rule, m.line) for m in found] == [("generic-secret", 4)]


def _blob(seed: str, size: int) -> str:
    """Deterministic base64 of `size` pseudo-random bytes (an embedded binary's shape)."""
    raw = b"".join(hashlib.sha256(f"{seed}{i}".encode()).digest() for i in range(size // 32 + 1))[:size]
    return base64.b64encode(raw).decode()


def test_a_token_shaped_stretch_of_an_embedded_binary_is_not_a_token() -> None:
    # undici's lib/llhttp/llhttp-wasm.js (in remix-run/remix's template image): a wasm module as one base64
    # string, a stretch of which matched the Facebook token format.
    token = "EAAG" + "".join(R36 for _ in range(3))[:100]
    text = f"module.exports = Buffer.from('{_blob('a', 1200)}/{token}+{_blob('b', 1200)}', 'base64')\n"
    assert SecretDetector(strict=True).scan_bytes(text.encode(), "/app/node_modules/undici/lib/llhttp/wasm.js") == []
    # The same token written out, and between short base64 neighbours, is found.
    for shown in (f"const FB = '{token}';\n", f"token: {_blob('c', 30)}/{token}\n"):
        found = SecretDetector(strict=True).scan_bytes(shown.encode(), "/app/src/config.js")
        assert [m.rule for m in found] == ["facebook-access-token"], shown[:40]


# The project's own tests, docs and examples: sample values, judged like third-party code.
SAMPLES = ["/app/tests/test_notify.py", "/app/radicale/tests/static/key.pem", "/app/SHARING.md", "/srv/docs/setup.rst",
           "/app/src/api/client.spec.ts", "/app/pkg/store/store_test.go", "/app/examples/compose/settings.py",
           "/app/.env.example", "/app/spec/fixtures/users.yml", "/app/hc/tests/conftest.py"]


@pytest.mark.parametrize("path", SAMPLES)
def test_sample_credentials_in_the_projects_tests_and_docs_are_not_findings(path: str) -> None:
    assert SecretDetector(strict=True).scan_bytes(LIBRARY_TEXT.encode(), path) == []


@pytest.mark.parametrize("path", ["/app/testimonials/views.py", "/app/latest/config.py", "/app/contest.py",
                                  "/app/docsearch/settings.py", "/app/specification.yml", "/app/attest/keys.pem"])
def test_names_that_only_contain_the_words_are_the_images_own_files(path: str) -> None:
    rules = {m.rule for m in SecretDetector(strict=True).scan_bytes(LIBRARY_TEXT.encode(), path)}
    assert {"url-password", "jwt", "private-key", "http-auth-header"} <= rules, (path, rules)


def test_vendor_tokens_are_found_in_the_projects_tests_and_docs_too() -> None:
    text = f"//registry.npmjs.org/:_authToken=npm_{R36}\naws_access_key_id = {AWS_ID}\n"
    for path in SAMPLES:
        rules = {m.rule for m in SecretDetector(strict=True).scan_bytes(text.encode(), path)}
        assert {"npm-token", "aws-access-key-id"} <= rules, (path, rules)


def test_a_value_that_declares_itself_insecure_is_a_development_stand_in() -> None:
    # Django's startproject writes SECRET_KEY = 'django-insecure-<50 random characters>': the prefix says it is the
    # development key (Django's own `check --deploy` rejects it), committed with the project it was made for.
    detector = SecretDetector(strict=True)
    random_part = "k3#v9!qz0w8x@b7n2m5c1r4t6y8u0i2o4p6a8s0d2f4g6h8j0"
    assert detector.scan_bytes(f"SECRET_KEY = 'django-insecure-{random_part}'\n".encode(), "mysite/settings.py") == []
    assert detector.scan_bytes(f"SECRET_KEY = '{random_part}zzq'\n".encode(), "mysite/settings.py")


def test_a_sed_expression_that_flips_a_setting_is_not_a_secret() -> None:
    detector = SecretDetector(strict=True)
    flip = b"""sed -i 's|"allow_empty_password" : false|"allow_empty_password" : true|g' /etc/app.conf\n"""
    assert detector.scan_bytes(flip, "install.sh") == []
    # a real value written by sed still is one
    assert detector.scan_bytes(b"sed -i 's/^password=.*/password=Xk9mQ2vL8pZr4T/' app.ini\n", "install.sh")


@pytest.mark.parametrize("version", ["^4.0.23", "~1.2.3", ">=2.0.0 <3.0.0", "1.x", "v2.3.1-beta.2", "^1.0.0 || ^2.0.0"])
def test_a_package_named_password_at_a_version_is_not_a_secret(version: str) -> None:
    # npm has packages named password (@inquirer/password, pulled in by @nestjs/cli): their lockfile entries name
    # the package and a version range.
    lock = f'{{"dependencies": {{"@inquirer/password": "{version}", "@inquirer/confirm": "^5.1.0"}}}}\n'
    assert SecretDetector(strict=True).scan_bytes(lock.encode(), "app/package-lock.json") == []


def test_a_password_next_to_versions_is_still_found() -> None:
    text = b'{"version": "4.0.23", "password": "Xk9mQ2vL8pZr4T"}\n'
    assert SecretDetector(strict=True).scan_bytes(text, "app/config.json")
