# expect: BL001 BL001
FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt ./
COPY wheels/ /wheels/
RUN pip install --no-cache-dir --no-index --find-links=/wheels -r requirements.txt
RUN rm -rf /wheels
COPY installer.run /opt/
RUN sh /opt/installer.run
RUN rm /opt/installer.run
USER 10001
