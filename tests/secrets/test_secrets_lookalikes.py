"""Values under a credential-like name that describe or point at a secret rather than being one.

Each case is paired with a nearby one that must still be found. Random parts come from tokengen's seeded
generator, so nothing token-shaped is stored here.
"""

from __future__ import annotations

import base64
import random

import pytest

from imgforge.secrets import SecretDetector
from tokengen import fill

_RNG = random.Random(14)
_RANDOM = fill("{a20}", _RNG)


@pytest.fixture(scope="module")
def detector() -> SecretDetector:
    return SecretDetector(strict=True)


@pytest.mark.parametrize("rules", [
    "required|string|min:8|confirmed",
    "sometimes|min:8",
    "required|min:12|max:64",
    "nullable|string|current_password",
])
def test_a_validation_rule_list_under_a_password_key_is_not_a_secret(
    detector: SecretDetector, rules: str,
) -> None:
    # Laravel's (and validatorjs') rules for a form field: pipe-separated rule names, some with arguments.
    php = f"return [\n    'email' => 'required|email',\n    'password' => '{rules}',\n];\n"
    assert detector.scan_bytes(php.encode(), "app/Http/Requests/SignUp.php") == []


def test_a_password_with_pipes_in_it_is_still_found(detector: SecretDetector) -> None:
    # the parts are not rule names: a password someone wrote with `|` between its words
    php = f"$config = ['password' => 'k{_RANDOM[:8]}|min:{_RANDOM[8:14]}'];\n"
    assert [m.rule for m in detector.scan_bytes(php.encode(), "config/mail.php")] == ["generic-secret"]


@pytest.mark.parametrize("password", ["s3cret1234$", "Passw0rd2024#", "t0ken99!$"])
def test_a_stopword_with_digits_and_symbols_appended_is_a_placeholder(
    detector: SecretDetector, password: str,
) -> None:
    # A commented sample login in a .env for a dev identity provider: a stopword dressed up for a password policy.
    env = f'#IDP_USERNAME="someone@mail.test"\n#IDP_PASSWORD="{password}"\n'
    assert detector.scan_bytes(env.encode(), "app/.env") == []


def test_random_text_ending_in_digits_and_symbols_is_still_found(detector: SecretDetector) -> None:
    env = f'IDP_PASSWORD="{_RANDOM[:10]}1234$"\n'
    assert [m.rule for m in detector.scan_bytes(env.encode(), "app/.env")] == ["generic-secret"]


def test_a_secret_store_reference_whose_field_is_the_names_credential_word_is_not_a_secret(
    detector: SecretDetector,
) -> None:
    # A CI step that maps secret-store entries (path:field) to environment variables.
    workflow = (
        "      - uses: org/get-vault-secrets@v1\n"
        "        with:\n"
        "          repo_secrets: |\n"
        "            SIGNING_PRIVATE_KEY=release-signing-key:private_key\n"
        "            SIGNING_PASSPHRASE=ci/release-signing-key:passphrase\n"
        "            DEPLOY_TOKEN=deploy/prod.token\n"
    )
    assert detector.scan_bytes(workflow.encode(), "app/.github/workflows/release.yaml") == []


def test_a_value_with_a_colon_and_a_random_tail_is_still_found(detector: SecretDetector) -> None:
    # the last part is not the name's credential word: a user:password pair, or a key with a colon in it
    text = f"SIGNING_PASSPHRASE=release:{_RANDOM}\nDEPLOY_TOKEN=ci:{_RANDOM[::-1]}\n"
    assert [m.rule for m in detector.scan_bytes(text.encode(), "app/.env")] == ["generic-secret"] * 2


def test_composer_constraints_under_a_package_named_like_a_password_are_not_secrets(detector: SecretDetector) -> None:
    # A lockfile's map of packages to affected versions: Composer ORs with one bar and writes a bare major.
    lock = (
        '{"conflict": {\n'
        '    "acme/fe_reset_pwd": "<2.0.5|>=3,<3.0.3",\n'
        '    "acme/api_token": "<=2.1.3|==2.2.0.0-beta|>=7,<7.4",\n'
        '    "acme/user_password": "^1.0|^2.0"\n'
        "}}\n"
    )
    assert detector.scan_bytes(lock.encode(), "app/composer.lock") == []


def test_a_password_beside_composer_constraints_is_still_found(detector: SecretDetector) -> None:
    text = f'{{"require": {{"acme/pkg": "<2.0.5|>=3"}}, "password": ">={_RANDOM[:12]}|<3"}}\n'
    assert [m.rule for m in detector.scan_bytes(text.encode(), "app/auth.json")] == ["generic-secret"]


@pytest.mark.parametrize("key", ["DEPLOY_K8S_PATH", "db-conn-v2", "api.key.v2"])
def test_the_name_of_a_key_in_a_kubernetes_secret_is_not_a_secret(detector: SecretDetector, key: str) -> None:
    # Helm values that map a Secret's key to an environment variable: secretKey names the key, secretName the Secret.
    values = f"agent:\n  secretEnvVars:\n    - key: TOKEN\n      secretKey: {key}\n      secretName: ci-agent-secrets\n"
    assert detector.scan_bytes(values.encode(), "app/charts/agent/values.yaml") == []


def test_a_secret_key_value_beside_a_secret_name_is_still_found(detector: SecretDetector) -> None:
    # an object store's credentials in the same file: a random key is a key, whatever sits beside it
    values = f"s3:\n  accessKey: minio\n  secretKey: {_RANDOM}\n  secretName: ''\n"
    assert [m.rule for m in detector.scan_bytes(values.encode(), "app/charts/store/values.yaml")] == ["generic-secret"]


def test_a_symfony_parameter_reference_is_not_a_secret(detector: SecretDetector) -> None:
    # Symfony's config reads a secret from the environment (an env processor) or from another parameter.
    yaml = "framework:\n    secret: '%env(APP_SECRET)%'\n    mailer_password: '%env(resolve:MAIL_PASS)%'\n"
    yaml += "security:\n    remember_me_secret: '%kernel.secret%'\n"
    assert detector.scan_bytes(yaml.encode(), "app/config/packages/framework.yaml") == []


def test_a_percent_wrapped_random_value_is_still_found(detector: SecretDetector) -> None:
    yaml = f"framework:\n    secret: '%{_RANDOM[:6]}-{_RANDOM[6:]}%'\n"
    assert [m.rule for m in detector.scan_bytes(yaml.encode(), "app/config/packages/framework.yaml")] == [
        "generic-secret"
    ]


@pytest.mark.parametrize("value", ["not-a-secret--for-the-demo-only!", "not-so-secret-dev-42"])
def test_a_value_that_says_it_is_not_a_secret_is_a_stand_in(detector: SecretDetector, value: str) -> None:
    assert detector.scan_bytes(f"APP_SECRET={value}\n".encode(), "app/.env.local.demo") == []


def test_a_random_value_in_the_same_place_is_still_found(detector: SecretDetector) -> None:
    text = f"APP_SECRET=note-{_RANDOM}\n"
    assert [m.rule for m in detector.scan_bytes(text.encode(), "app/.env.local.demo")] == ["generic-secret"]


def test_a_variable_passed_in_a_script_inside_yaml_is_not_a_secret(detector: SecretDetector) -> None:
    # A workflow step's inline script: the bare value is a variable, and the closers after it end the call.
    workflow = (
        "        with:\n"
        "          script: |\n"
        "            const { PD_API_TOKEN } = process.env\n"
        "            const pd = api({token: PD_API_TOKEN})\n"
        "            const other = client({auth: {token: PD_API_TOKEN}})\n"
    )
    assert detector.scan_bytes(workflow.encode(), "app/.github/workflows/triage.yml") == []


def test_a_random_value_passed_in_a_script_inside_yaml_is_still_found(detector: SecretDetector) -> None:
    workflow = f"        script: |\n            const pd = api({{token: {_RANDOM}}})\n"
    found = detector.scan_bytes(workflow.encode(), "app/.github/workflows/triage.yml")
    assert [m.rule for m in found] == ["generic-secret"]
    assert found[0].redacted.endswith(_RANDOM[-4:])  # the value ends where the call's closers begin


# Round 15 (SDKs, CI and infrastructure-as-code repositories): five classes of values that only look like secrets.


def test_a_pnpm_lockfile_version_with_its_peers_is_not_a_secret(detector: SecretDetector) -> None:
    lock = (
        "  '@acme/prompts@1.4.0':\n"
        "    dependencies:\n"
        "      '@inquirer/password': 4.0.21(@types/node@20.19.43)\n"
        "      gtoken: 7.1.0(encoding@0.1.13)\n"
        "      '@acme/wallet-token': 0.4.13(@acme/web3.js@1.98.4(bufferutil@4.0.9)(typescript@5.8.3))(utf-8@5.0.10)\n"
    )
    assert detector.scan_bytes(lock.encode(), "app/pnpm-lock.yaml") == []


def test_a_password_in_the_same_yaml_is_still_found(detector: SecretDetector) -> None:
    text = f"      password: 4.0.21{_RANDOM}\n"  # starts like a version, then random text: no version at all
    assert [m.rule for m in detector.scan_bytes(text.encode(), "app/settings.yaml")] == ["generic-secret"]


def test_a_python_entry_point_named_like_a_secret_is_not_a_secret(detector: SecretDetector) -> None:
    scripts = (
        "[project.scripts]\n"
        'generate_signing_key = "acme._scripts.generate_signing_key:main"\n'
        'hash_password = "acme._scripts.hash_password:main"\n'
        'rotate_token = "acme.cli:rotate"\n'
    )
    assert detector.scan_bytes(scripts.encode(), "app/pyproject.toml") == []


def test_a_namespaced_random_value_is_still_found(detector: SecretDetector) -> None:
    text = f'api_key = "acme.prod:{_RANDOM}"\n'
    assert [m.rule for m in detector.scan_bytes(text.encode(), "app/settings.toml")] == ["generic-secret"]


def test_an_assignment_as_the_value_is_not_a_secret(detector: SecretDetector) -> None:
    # tox's factor-conditional settings: `factor: NAME=value`, where the factor names a tokenizer library
    tox = "[testenv]\nsetenv =\n    acme-notiktoken: _TESTPATH=tests/integrations/acme\n    SECRET_KEY: DJANGO_ENV=ci\n"
    assert detector.scan_bytes(tox.encode(), "app/tox.ini") == []


def test_a_previous_page_token_is_a_cursor(detector: SecretDetector) -> None:
    page = '{"meta": {"pageSize": 50, "previousToken": "xyz789", "prevToken": "abc123def456"}}\n'
    assert detector.scan_bytes(page.encode(), "app/acme/pagination.py") == []


def test_a_numbered_example_in_an_authorization_header_is_not_a_token(detector: SecretDetector) -> None:
    doc = "    e.g. {\n        'Authorization': 'Bearer xoxb-1234-5678',\n        'X-Api': 'Token 9876-5432-1098'\n"
    assert detector.scan_bytes(doc.encode(), "app/acme/web/internal_utils.py") == []
    text = f"    'Authorization': 'Bearer {_RANDOM}',\n"
    assert [m.rule for m in detector.scan_bytes(text.encode(), "app/acme/web/client.py")] == ["http-auth-header"]


def test_a_vendor_prefix_followed_by_words_is_a_stand_in(detector: SecretDetector) -> None:
    text = "token.set_token('glpat-acme-project-token_');\nTOKEN = 'glrt-runner-registration-token'\n"
    assert detector.scan_bytes(text.encode(), "app/scripts/set_token.rb") == []


def test_a_docker_config_in_a_test_is_a_sample(detector: SecretDetector) -> None:
    auth = base64.b64encode(f"ci:{_RANDOM}".encode()).decode()
    config = f'{{"auths": {{"registry.invalid": {{"auth": "{auth}"}}}}}}'
    assert detector.scan_bytes(config.encode(), "app/server/registry/combined_test.go") == []
    assert [m.rule for m in detector.scan_bytes(config.encode(), "root/.docker/config.json")] == ["docker-config-auth"]


def test_a_test_files_folder_holds_fixtures(detector: SecretDetector) -> None:
    sql = f"INSERT INTO server_configs VALUES ('jwt-secret', '{_RANDOM}');\n"
    assert detector.scan_bytes(sql.encode(), "app/server/migration/test-files/postgres.sql") == []
    assert [m.rule for m in detector.scan_bytes(sql.encode(), "app/server/migration/seed/postgres.sql")] == [
        "generic-secret"
    ]


def test_a_value_that_spells_its_own_name_is_a_name(detector: SecretDetector) -> None:
    code = (
        'X_AWS_EC2_METADATA_TOKEN = "x-aws-ec2-metadata-token"\n'
        'const AUTH_TOKEN_HEADER_KEY = "auth-token-header-key"\n'
    )
    assert detector.scan_bytes(code.encode(), "app/src/imds.py") == []
    text = f'X_AUTH_TOKEN = "x-auth-token-{_RANDOM}"\n'
    assert [m.rule for m in detector.scan_bytes(text.encode(), "app/src/imds.py")] == ["generic-secret"]


def test_the_scott_tiger_demo_login_is_documentation(detector: SecretDetector) -> None:
    text = 'engine = create_engine("postgresql://scott:tiger@db.internal/test")\n'
    assert detector.scan_bytes(text.encode(), "app/models.py") == []
    text = f'engine = create_engine("postgresql://scott:{_RANDOM}@db.internal/test")\n'
    assert [m.rule for m in detector.scan_bytes(text.encode(), "app/models.py")] == ["url-password"]


def test_a_camel_case_test_name_is_no_mollie_key() -> None:
    """Twisted's test methods (`test_` and 30 letters and digits) blocked the scan of every Twisted-based image; a
    key's random base62 flips case every few letters, a camelCase name once a word."""
    from imgforge.secrets import default_detector

    detector = default_detector()
    name = b"    def test_exceptionGreaterThan64kEncoded(self):\n"
    assert [m.rule for m in detector.scan_bytes(name, path="/app/tests/test_protocol.py")] == []
    assert [m.rule for m in detector.scan_bytes(name, path="/app/protocol.py")] == []
    key = b'MOLLIE_KEY = "live_' + b"hT4kQ9wPz2LmXc7RvB3nJy8sFd6GaE5u" [:30] + b'"\n'
    assert "mollie-api-key" in [m.rule for m in detector.scan_bytes(key, path="/app/settings.py")]


@pytest.mark.parametrize("value", ["top-secret!", "Top_Secret", "super-secret-1"])
def test_a_top_secret_stand_in_is_a_placeholder(detector: SecretDetector, value: str) -> None:
    # A tutorial's Flask key (Flask-SocketIO's example: app.config['SECRET_KEY'] = 'top-secret!').
    text = f"app.config['SECRET_KEY'] = '{value}'\n"
    assert detector.scan_bytes(text.encode(), "app/sessions.py") == []


def test_a_random_key_beside_the_word_is_still_found(detector: SecretDetector) -> None:
    text = f"app.config['SECRET_KEY'] = 'top-secret-{_RANDOM}'\n"
    assert [m.rule for m in detector.scan_bytes(text.encode(), "app/sessions.py")] == ["generic-secret"]


@pytest.mark.parametrize("code", [
    # A cookie read in a page script (and Astro's bundle of it): `'token='` is a string, and what follows its
    # closing quote is code, not a value.
    "const token = document.cookie.split('; ').find(row => row.startsWith('token='))?.split('=')[1];\n",
    'const key = qs.find(p => p.startsWith("api_key="))?.slice(8) ?? fallbackKey;\n',
    # The same script minified into a server bundle's JSON string (Astro's dist/server/manifest_*.mjs).
    '"scripts":[{"type":"inline","value":"const n=document.cookie.split(\\"; \\").find(e=>e.startsWith('
    '\\"token=\\"))?.split(\\"=\\")[1];if(!n){alert(\\"x\\")}"}]\n',
])
def test_a_string_ending_in_name_equals_is_no_assignment(detector: SecretDetector, code: str) -> None:
    assert detector.scan_bytes(code.encode(), "src/pages/dashboard.astro") == []


def test_a_quoted_value_after_name_equals_inside_a_string_is_still_found(detector: SecretDetector) -> None:
    # The same quote pair around `name=value` text (an env line inside a string) still holds a value.
    code = f"const env = \"API_TOKEN='{_RANDOM}'\";\n"
    assert [f.rule for f in detector.scan_bytes(code.encode(), "src/env.ts")] == ["generic-secret"]


# Round 16's false-positive classes, from SDKs, crypto libraries and their docs (each beside a case still found).


def test_a_json_pointer_under_a_password_key_is_a_reference(detector: SecretDetector) -> None:
    # Okta's OpenAPI spec: `okta_password: '#/components/schemas/PasswordCredential'`
    assert detector.scan_bytes(b"  okta_password: '#/components/schemas/OktaPasswordHash'\n", "openapi/api.yaml") == []
    found = detector.scan_bytes(f"  okta_password: '#{_RANDOM}'\n".encode(), "openapi/api.yaml")
    assert [m.rule for m in found] == ["generic-secret"]


def test_a_comment_listing_empty_keys_has_no_password(detector: SecretDetector) -> None:
    # pgbouncer.ini's comment: `;;   dbname= host= port= user= password= auth_user=`
    assert detector.scan_bytes(b";;   dbname= host= port= user= password= auth_user=\n", "etc/pgbouncer.ini") == []
    found = detector.scan_bytes(f"password= {_RANDOM}\n".encode(), "etc/pgbouncer.ini")
    assert [m.rule for m in found] == ["generic-secret"]


@pytest.mark.parametrize("text", ['const char *secret = "tls1-prf-test-secret";', 'token = "prime256v1";',
                                  'signing_key = "hmac-sha256";'])
def test_a_label_or_an_algorithm_name_is_no_secret(detector: SecretDetector, text: str) -> None:
    # OpenVPN's crypto.c test vector label; its OpenSSL glue setting a parser token to a curve name.
    assert detector.scan_bytes(text.encode() + b"\n", "src/openvpn/crypto.c") == []


def test_a_random_secret_with_dashes_is_still_found(detector: SecretDetector) -> None:
    text = f'const char *secret = "{_RANDOM[:7]}-{_RANDOM[7:14]}-{_RANDOM[14:]}";\n'
    assert [m.rule for m in detector.scan_bytes(text.encode(), "src/app.c")] == ["generic-secret"]


def test_a_bare_password_word_as_a_calls_first_argument_is_its_input(detector: SecretDetector) -> None:
    # noble-hashes' docstring: argon2d('password', 'salt1234', { t: 1, m: 8, p: 1, dkLen: 32 })
    text = b" * argon2d('password', 'salt1234', { t: 1, m: 8, p: 1, dkLen: 32 });\n"
    assert detector.scan_bytes(text, "src/argon2.ts") == []
    named = f'setProperty("DB_PASSWORD", "{_RANDOM}");\n'.encode()
    assert [m.rule for m in detector.scan_bytes(named, "src/Config.java")] == ["generic-secret"]


def test_a_numbered_bearer_example_is_no_credential(detector: SecretDetector) -> None:
    # Modal's CLI help text: `Authorization: Bearer wk-123.ws-456`
    assert detector.scan_bytes(b'help = "Authorization: Bearer wk-123.ws-456"\n', "/app/cli/workspace.py") == []
    found = detector.scan_bytes(f'"Authorization: Bearer {_RANDOM}"\n'.encode(), "/app/cli/workspace.py")
    assert [m.rule for m in found] == ["http-auth-header"]


def test_a_github_token_phrase_with_a_zero_tail_is_a_readme_example(detector: SecretDetector) -> None:
    # @octokit/auth-token's README: "ghp_" + a camelCase phrase + digits + a run of zeros, no checksum.
    example = "ghp_" + "PersonalAccessToken" + "0124567890" + "0" * 7
    assert detector.scan_bytes(f'createTokenAuth("{example}");\n'.encode(), "/app/auth.js") == []
    key = "ghp_" + fill("{a36}", random.Random(16))
    assert [m.rule for m in detector.scan_bytes(f'createTokenAuth("{key}");\n'.encode(), "/app/auth.js")] == [
        "github-token"
    ]


def test_the_storage_emulators_published_key_is_not_reported(detector: SecretDetector) -> None:
    key = base64.b64encode(random.Random(16).randbytes(64)).decode()
    emulator = f"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={key};BlobEndpoint=http://a\n"
    # @azure/storage-blob's constants: the emulator's connection string, whose key Microsoft publishes
    assert [m.rule for m in detector.scan_bytes(emulator.encode(), "/app/settings.py")] == []
    account = emulator.replace("devstoreaccount1", "shop").encode()
    assert [m.rule for m in detector.scan_bytes(account, "/app/settings.py")] == ["azure-storage-key"]
