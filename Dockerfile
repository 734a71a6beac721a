# One image for both roles: an API node (the default command) or a training node (`luislite worker`).
# Its install step is scripts/install.sh, the script `make` and CI run. See README "Production".
# BASE: any Debian-like image with python3 >= 3.11 and venv (`make image BASE=...` where Docker Hub is unreachable)
ARG BASE=docker.io/library/python:3.11-slim
FROM ${BASE}
RUN useradd --create-home --uid 10001 luislite && mkdir /data && chown luislite /data
WORKDIR /app
COPY . /app
RUN scripts/install.sh /opt/venv production,postgres && rm -rf /root/.cache
ENV PATH=/opt/venv/bin:$PATH LUISLITE_DATA_DIR=/data HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
USER luislite
VOLUME /data
EXPOSE 5000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5000/health', timeout=4)"
CMD ["luislite", "serve", "--host", "0.0.0.0", "--port", "5000", "--workers", "0"]
