# expect: PC007
FROM rockylinux:9
RUN yum install -y httpd
USER 10001
