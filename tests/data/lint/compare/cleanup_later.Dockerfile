FROM ubuntu:22.04
RUN apt-get update
RUN apt-get install -y --no-install-recommends python3 python3-pip
RUN rm -rf /var/lib/apt/lists/*
ADD https://example.com/model.bin /models/model.bin
RUN python3 /opt/convert.py /models/model.bin
RUN rm /models/model.bin
COPY requirements.txt /tmp/requirements.txt
RUN pip3 install -r /tmp/requirements.txt
USER 1000
