# expect: PC004
FROM python:3.12-slim
COPY requirements.txt .
RUN python3 -m pip install -r requirements.txt
USER 10001
