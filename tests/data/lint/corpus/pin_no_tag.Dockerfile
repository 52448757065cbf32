# expect: PIN001
FROM ubuntu
USER 10001
