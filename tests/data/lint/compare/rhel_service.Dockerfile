FROM registry.access.redhat.com/ubi9/ubi
RUN dnf install -y httpd
RUN yum install -y mod_ssl
RUN microdnf install -y tar
RUN zypper install -y less
COPY site/ /var/www/html/
USER 1001
CMD ["httpd", "-DFOREGROUND"]
