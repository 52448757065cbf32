# expect: PIN002 PIN002
ARG REGISTRY=docker.io
FROM ${REGISTRY}/library/alpine:latest AS a
FROM registry.example.com:5000/team/app:latest
USER 10001
