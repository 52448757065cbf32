"""Vendor rules for clouds, code hosting, CI/CD, package registries and infrastructure tools.

Each regex is written from the provider's published token format: a distinctive prefix or structure, the
length and the alphabet. Keywords are the lowercase literal prefixes the RE2::Set prefilter looks for.
"""

from __future__ import annotations

import re

from imgforge.secrets.context import Rule
from imgforge.secrets.vendor import (
    B64_END,
    bech32,
    crc32_token,
    has_digit,
    json_payload,
    mixed,
    prefixed,
    pypi_macaroon,
)

UUID = rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

_SAME_SIX = re.compile(rb"(.)\1{5}")


def _unchecked_github(value: bytes) -> bool:
    """A GitHub token whose checksum does not verify (fine-grained ones have none) counts when no character repeats
    six times in a row (odds ~3e-8 in random base62): not @octokit/auth-token's README example, "ghp_" + a camelCase
    phrase + "00000000"."""
    return _SAME_SIX.search(value) is None


CLOUD_RULES: tuple[Rule, ...] = (
    prefixed(
        "aws-access-key-id",
        "AWS access key id",
        "akia asia abia acca a3t",
        rb"(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}",
        shape=has_digit,
    ),
    prefixed(
        "aws-session-token",
        "AWS session token",
        "fwogzxivyxdze iqojb3jpz2lux2vj",
        rb"(?:FwoGZXIvYXdzE|IQoJb3JpZ2luX2Vj)[A-Za-z0-9/+=]{100,}",
        end=B64_END,
    ),
    prefixed(
        "aws-bedrock-api-key",
        "AWS Bedrock API key",
        "absk bedrock-api-key-",
        rb"ABSKQmVkcm9ja0FQSUtleS[A-Za-z0-9+/]{40,}={0,2}|bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t"
        rb"[A-Za-z0-9+/%=&]{40,}",
        end=B64_END,
    ),
    prefixed("aws-mws-key", "Amazon MWS auth token", "amzn.mws.", rb"amzn\.mws\." + UUID),
    prefixed("alibaba-access-key-id", "Alibaba Cloud AccessKey id", "ltai", rb"LTAI[A-Za-z0-9]{12,20}", shape=mixed),
    prefixed("tencent-secret-id", "Tencent Cloud SecretId", "akid", rb"AKID[A-Za-z0-9]{32}", shape=mixed),
    prefixed("scaleway-access-key", "Scaleway access key", "scw", rb"SCW[A-Z0-9]{17}", shape=has_digit),
    prefixed(
        "azure-ad-client-secret",
        "Azure AD (Entra ID) client secret",
        "q~",
        rb"[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.\-]{31,34}",
        start=rb"(?:^|[^A-Za-z0-9_~.\\-])",
        end=rb"(?:[^A-Za-z0-9_~.\-]|$)",
    ),
    prefixed(
        "azure-devops-pat",
        "Azure DevOps personal access token",
        "azdo",
        rb"[A-Za-z0-9]{52}JQQJ9[A-Za-z0-9]{19}AZDO[A-Za-z0-9]{4}",
    ),
    prefixed(
        "azure-container-registry-key",
        "Azure Container Registry password",
        "+acr",
        rb"[A-Za-z0-9+/]{42}\+ACR[A-Za-z0-9]{6}",
    ),
    prefixed(
        "azure-shared-access-key",
        "Azure Service Bus / Event Hubs / IoT shared access key",
        "sharedaccesskey=",
        rb"SharedAccessKey=([A-Za-z0-9+/]{43}=)",
        end=rb"",
        group=2,
    ),
    prefixed("google-oauth-client-secret", "Google OAuth client secret", "gocspx-", rb"GOCSPX-[A-Za-z0-9_\-]{28}"),
    prefixed(
        "google-oauth-access-token", "Google OAuth access token", "ya29.", rb"ya29\.[A-Za-z0-9_\-]{30,}", shape=mixed
    ),
    prefixed(
        "google-oauth-refresh-token", "Google OAuth refresh token", "1//0", rb"1//0[A-Za-z0-9_\-]{40,}", shape=mixed
    ),
    prefixed("google-api-key", "Google API key", "aiza", rb"AIza[0-9A-Za-z_\-]{35}"),
    prefixed("cloudflare-origin-ca-key", "Cloudflare origin CA key", "v1.0-", rb"v1\.0-[a-f0-9]{24}-[a-f0-9]{146}"),
    prefixed("heroku-api-key", "Heroku API key", "hrku-", rb"HRKU-[A-Za-z0-9_\-]{40,80}"),
    prefixed(
        "flyio-token",
        "Fly.io access token",
        "fo1_ fm1a_ fm1r_ fm2_",
        rb"fo1_[A-Za-z0-9_\-]{43}|fm[12][ar]?_[A-Za-z0-9+/_\-]{100,}={0,3}",
        end=B64_END,
    ),
    prefixed(
        "databricks-token",
        "Databricks access token",
        "dapi dkea dose",
        rb"(?:dapi|dkea|dose)[a-f0-9]{32}(?:-\d)?",
        shape=has_digit,
        trigger=rb"(?:dapi|dkea|dose)[a-f0-9]{8}",  # "dose" and "dapi" are in words and names
    ),
    prefixed("openshift-token", "OpenShift user token", "sha256~", rb"sha256~[A-Za-z0-9_\-]{43}"),
    prefixed(
        "planetscale-token",
        "PlanetScale password or token",
        "pscale_",
        rb"pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_\-.=]{32,64}",
    ),
    prefixed("clickhouse-cloud-key", "ClickHouse Cloud API secret", "4b1d", rb"4b1d[A-Za-z0-9]{38}", shape=mixed),
    prefixed("digitalocean-token", "DigitalOcean token", "dop_v1_ doo_v1_ dor_v1_", rb"do[opr]_v1_[a-f0-9]{64}"),
    prefixed(
        "terraform-cloud-token",
        "Terraform Cloud / Enterprise token",
        "atlasv1",
        rb"[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_\-=]{60,70}",
    ),
    prefixed(
        "vault-token", "HashiCorp Vault token", "hvs. hvb. hvr.", rb"hv[sbr]\.[A-Za-z0-9_\-]{24,}", shape=has_digit
    ),
    prefixed("pulumi-token", "Pulumi access token", "pul-", rb"pul-[a-f0-9]{40}"),
    prefixed(
        "doppler-token",
        "Doppler token",
        "dp.pt. dp.st. dp.ct. dp.sa. dp.scim. dp.audit.",
        rb"dp\.(?:pt|st|ct|sa|scim|audit)\.(?:[a-z0-9_\-]{2,40}\.)?[A-Za-z0-9]{40,44}",
    ),
    prefixed(
        "harness-token",
        "Harness personal or service-account token",
        "pat. sat.",
        rb"(?:pat|sat)\.[A-Za-z0-9_\-]{22}\.[a-f0-9]{24}\.[A-Za-z0-9]{20}",
        trigger=rb"\.[a-f0-9]{24}\.",  # "compat." is in most Python files; 24 hex digits between dots are not
    ),
    prefixed("infracost-token", "Infracost API key", "ico-", rb"ico-[A-Za-z0-9]{32}", shape=has_digit),
    prefixed("prefect-token", "Prefect API key", "pnu_", rb"pnu_[A-Za-z0-9]{36}"),
    prefixed(
        "octopus-deploy-key",
        "Octopus Deploy API key",
        "api-",
        rb"API-[A-Z0-9]{26}",
        shape=has_digit,
        trigger=rb"api-[a-z0-9]{12}",  # "api-" alone is in most URLs and CLI flags
    ),
    prefixed(
        "onepassword-service-token",
        "1Password service-account token",
        "ops_eyj",
        rb"ops_eyJ[A-Za-z0-9+/_\-]{200,}={0,3}",
        end=B64_END,
    ),
    prefixed(
        "onepassword-secret-key",
        "1Password account secret key",
        "",
        rb"A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}",
        shape=has_digit,
        trigger=rb"\bA3-[A-Z0-9]{6}-",  # "a3-" alone is in every other UUID
    ),
    prefixed(
        "age-secret-key",
        "age encryption secret key",
        "age-secret-key-1",
        rb"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}",
        check=bech32,
    ),
    prefixed(
        "tailscale-key",
        "Tailscale API or auth key",
        "tskey-",
        rb"tskey-(?:api|auth|client|scim|webhook)-[A-Za-z0-9]{6,20}-[A-Za-z0-9]{20,40}",
    ),
    prefixed(
        "supabase-token",
        "Supabase access or secret key",
        "sbp_ sb_secret_",
        rb"sbp_(?:oauth_)?[a-f0-9]{40}|sb_secret_[A-Za-z0-9_\-]{31}",
    ),
    prefixed("neon-api-key", "Neon API key", "napi_", rb"napi_[a-z0-9]{64}", shape=has_digit),
    prefixed(
        "netlify-token",
        "Netlify access token",
        "nfp_ nfc_ nfo_",
        rb"nf[pco]_[A-Za-z0-9]{36,40}",
        shape=has_digit,
        trigger=rb"nf[pco]_[A-Za-z0-9]{12}",  # "info_" is in most Python files
    ),
    prefixed("render-api-key", "Render API key", "rnd_", rb"rnd_[A-Za-z0-9]{32}", shape=mixed),
    prefixed("deno-deploy-token", "Deno Deploy token", "ddp_ ddw_", rb"dd[pw]_[A-Za-z0-9]{36}", shape=mixed),
    # Code hosting and CI.
    prefixed(
        "github-token",
        "GitHub token",
        "ghp_ gho_ ghu_ ghs_ ghr_ github_pat_",
        rb"(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}",
        check=crc32_token,
        entropy=3.5,
        shape=_unchecked_github,
    ),
    prefixed(
        "gitlab-token",
        "GitLab token",
        "glpat- gldt- glrt- glptt- glcbt- glft- glsoat- glagent- glffct- gloas- glimt- gltst- glwt- gr1348941",
        rb"(?:glpat|gldt|glrt|glptt|glcbt|glft|glsoat|glagent|glffct|gloas|glimt|gltst|glwt)-[0-9A-Za-z_\-.]{20,80}"
        rb"|GR1348941[A-Za-z0-9_\-]{20,}",
        entropy=3.5,
        shape=has_digit,  # or random letters: not "glpat-python-gitlab-token_", a test suite's named stand-in
    ),
    prefixed("bitbucket-app-password", "Bitbucket app password", "atbb", rb"ATBB[A-Za-z0-9_=.\-]{32}", shape=has_digit),
    prefixed(
        "atlassian-api-token", "Atlassian API token", "atatt3 atctt3 atstt3", rb"AT[ACS]TT3[A-Za-z0-9_\-=]{150,200}"
    ),
    prefixed(
        "sourcegraph-token",
        "Sourcegraph access token",
        "sgp_ slk_",
        rb"sgp_(?:local_|[a-fA-F0-9]{16}_)?[a-fA-F0-9]{40}|slk_[a-f0-9]{64}",
    ),
    prefixed(
        "circleci-token",
        "CircleCI personal or project token",
        "ccipat_ cciprj_",
        rb"CCIP(?:AT|RJ)_[A-Za-z0-9]{22}_[a-f0-9]{40}",
    ),
    prefixed("buildkite-token", "Buildkite API token", "bkua_", rb"bkua_[a-f0-9]{40}"),
    prefixed("sonarqube-token", "SonarQube / SonarCloud token", "squ_ sqp_ sqa_", rb"sq[pua]_[a-f0-9]{40}"),
    prefixed("postman-api-key", "Postman API key", "pmak-", rb"PMAK-[a-f0-9]{24}-[a-f0-9]{34}"),
    prefixed(
        "docker-hub-token", "Docker Hub access token", "dckr_pat_ dckr_oat_", rb"dckr_(?:pat|oat)_[A-Za-z0-9_\-]{27,}"
    ),
    prefixed(
        "jfrog-token",
        "JFrog Artifactory API key or reference token",
        "akcp cmvmdgtu",
        rb"AKCp[A-Za-z0-9]{69}|cmVmdGtuOjAxOj[A-Za-z0-9]{40,60}",
    ),
    prefixed("figma-token", "Figma personal access token", "figd_", rb"figd_[A-Za-z0-9_\-]{40}"),
    prefixed(
        "launchdarkly-key",
        "LaunchDarkly API or SDK key",
        "api- sdk-",
        rb"(?:api|sdk)-" + UUID,
        trigger=rb"(?:api|sdk)-[0-9a-f]{8}-",
        start=rb"(?:^|[^A-Za-z0-9_\-])",  # not after "-": Robinhood's "rh-api-" keys end the same way
    ),
    # Package registries.
    prefixed(
        "npm-token",
        "npm access token",
        "npm_",
        rb"npm_[A-Za-z0-9]{36}",
        check=crc32_token,
        entropy=3.5,
        shape=has_digit,
    ),
    prefixed(
        "pypi-token",
        "PyPI upload token",
        "pypi-ageichlwas5vcmc pypi-agendgvzdc5wexbplm9yzw",
        rb"pypi-(?:AgEIcHlwaS5vcmc|AgENdGVzdC5weXBpLm9yZw)[A-Za-z0-9_\-]{50,}",
        check=pypi_macaroon,
        entropy=4.0,
    ),
    prefixed("rubygems-token", "RubyGems API key", "rubygems_", rb"rubygems_[a-f0-9]{48}"),
    prefixed("clojars-token", "Clojars deploy token", "clojars_", rb"CLOJARS_[a-z0-9]{60}"),
    prefixed("nuget-api-key", "NuGet API key", "oy2", rb"oy2[a-z0-9]{43}", shape=has_digit),
    prefixed(
        "crates-io-token",
        "crates.io API token",
        "cio",
        rb"cio[A-Za-z0-9]{32}",
        shape=mixed,
    ),
    prefixed(
        "sidekiq-credentials",
        "Sidekiq Pro/Enterprise gem credentials",
        "contribsys",
        rb"(?i:BUNDLE_(?:ENTERPRISE|GEMS)__CONTRIBSYS__COM)[\"']?\s*[:=]\s*[\"']?([a-f0-9]{8}:[a-f0-9]{8})",
        group=2,
    ),
    prefixed(
        "grafana-token",
        "Grafana cloud, service-account or API token",
        "glc_ glsa_ eyjrijoi",
        rb"glc_[A-Za-z0-9+/]{32,400}={0,2}|glsa_[A-Za-z0-9]{32}_[a-f0-9]{8}|eyJrIjoi[A-Za-z0-9+/]{40,100}={0,2}",
        check=lambda v: v.startswith(b"glc_") and json_payload(v, 4, "o"),
        end=B64_END,
    ),
    prefixed(
        "sentry-token",
        "Sentry auth token",
        "sntrys_ sntryu_",
        rb"sntrys_eyJ[A-Za-z0-9+/=_\-]{60,}|sntryu_[a-f0-9]{64}",
        check=lambda v: v.startswith(b"sntrys_") and json_payload(v, 7, "iat"),
        end=B64_END,
    ),
    prefixed("dynatrace-token", "Dynatrace API token", "dt0c01.", rb"dt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64}"),
    prefixed(
        "newrelic-key",
        "New Relic API, insert or browser key",
        "nrak- nrii- nrjs-",
        rb"NRAK-[A-Z0-9]{27}|NRII-[A-Za-z0-9_\-]{32}|NRJS-[a-f0-9]{19}",
    ),
    prefixed("honeycomb-key", "Honeycomb API key", "hcaik_ hcxik_ hcamk_ hcxmk_", rb"hc[ax][im]k_[a-z0-9]{58}"),
    prefixed(
        "defined-networking-key", "Defined Networking API key", "dnkey-", rb"dnkey-[a-z0-9=_\-]{26}-[a-z0-9=_\-]{52}"
    ),
    prefixed("scalingo-token", "Scalingo API token", "tk-us-", rb"tk-us-[A-Za-z0-9_\-]{48}"),
    prefixed(
        "settlemint-token", "SettleMint access token", "sm_pat_ sm_aat_ sm_sat_", rb"sm_(?:pat|aat|sat)_[A-Za-z0-9]{16}"
    ),
    prefixed("readme-api-key", "ReadMe API key", "rdme_", rb"rdme_[a-z0-9]{70}"),
    prefixed(
        "yandex-token",
        "Yandex Cloud key or token",
        "aqvn t1.9euelz",
        rb"AQVN[A-Za-z0-9_\-]{35,38}|t1\.9euelZ[A-Za-z0-9_\-]+={0,2}\.[A-Za-z0-9_\-]{86}={0,2}",
    ),
    prefixed(
        "authress-key",
        "Authress service client key",
        ".acc_ .acc-",
        rb"(?:sc|ext|scauth|authress)_[a-z0-9]{5,30}\.[a-z0-9]{4,6}\.acc[_\-][a-z0-9\-]{10,32}\.[A-Za-z0-9+/_=\-]{30,120}",
        end=B64_END,
    ),
)
