# expect: none
# expect-info: PIN003
# a language image whose command is its REPL behind a wrapper entrypoint: a base to build on
FROM debian:bookworm-slim
COPY docker-php-entrypoint /usr/local/bin/
ENTRYPOINT ["docker-php-entrypoint"]
CMD ["php", "-a"]
