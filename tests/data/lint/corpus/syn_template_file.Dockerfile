# expect: none
# expect-info: SYN014
{{
	def pkg_install: if .distro == "alpine" then "apk add --no-cache" else "apt-get install -y" end;
-}}
FROM registry.example.com/base/{{ .distro }}:{{ .version }}
RUN set -eux; \
{{ if .distro == "alpine" then ( -}}
	{{ pkg_install }} ca-certificates; \
{{ ) else ( -}}
	apt-get update; {{ pkg_install }} --no-install-recommends ca-certificates=20240203; \
	rm -rf /var/lib/apt/lists/*; \
{{ ) end -}}
	mkdir -p /srv/app
ENV APP_VERSION {{ .version }}
USER 10001
CMD ["/srv/app/run"]
