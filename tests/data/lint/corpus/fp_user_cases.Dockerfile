# expect: none
# expect-info: PIN003
# USER root in the middle is routine; the container runs as the numeric UID held by the ARG
FROM ubuntu:24.04
ARG NB_UID=1000
USER root
RUN useradd -l -u "${NB_UID}" -m jovyan
USER "${NB_UID}"
CMD ["start.sh"]
