# expect: none
FROM fedora:40
RUN dnf install -y --setopt=install_weak_deps=False nginx && dnf clean all
USER 10001
CMD ["nginx", "-g", "daemon off;"]
