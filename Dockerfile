# watcher: the daemon in a container. Build from the repository root:
#   docker build -t watcher .
#   docker run -v "$PWD/deploy:/config:ro" -v watcher-data:/data -e TG_TOKEN -e TG_CHAT -p 127.0.0.1:8080:8080 watcher
# deploy/docker-compose.yml does the same with a named volume and an optional Prometheus.

# Build stage: install watcher and its dependencies from pyproject.toml into a virtualenv.
FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
WORKDIR /src
RUN python -m venv /opt/watcher
COPY pyproject.toml README.md ./
COPY watcher ./watcher
RUN /opt/watcher/bin/pip install --no-cache-dir .

# Run stage: the virtualenv only, run by an unprivileged user.
FROM python:3.11-slim-bookworm
ENV PATH=/opt/watcher/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    WATCHER_CONFIG=/config/watcher.yaml \
    WATCHER_HEALTHZ=http://127.0.0.1:8080/healthz
RUN useradd --system --no-log-init --uid 10001 --user-group --create-home --home-dir /home/watcher watcher \
    && mkdir -p /data /config \
    && chown watcher:watcher /data
COPY --from=build /opt/watcher /opt/watcher
# /data: the SQLite database (and its -wal file); /config: watcher.yaml and rules/, mounted read-only
VOLUME ["/data"]
WORKDIR /data
USER 10001:10001
EXPOSE 8080
# `docker stop` sends SIGTERM and kills after 10 s; watcher gives polls in flight 6 s, then exits 0
STOPSIGNAL SIGTERM
# needs `server: listen: 0.0.0.0:8080` in watcher.yaml (or set WATCHER_HEALTHZ to where it listens)
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; sys.exit(urllib.request.urlopen(os.environ['WATCHER_HEALTHZ'], timeout=4).status != 200)"]
# the config comes from $WATCHER_CONFIG; other commands run the same way: `docker run IMAGE check`
ENTRYPOINT ["watcher"]
CMD ["run"]
