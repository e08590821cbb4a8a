# syntax=docker/dockerfile:1
# Rapport's image: `docker build -t rapport:0.1.0 .` (docs/deploy.md: build and push).
# Two stages: the builder turns Rapport and every dependency into wheels (with compilers: setup.py
# compiles Rapport's promise detection with mypyc, and a dependency may have no wheel for the
# target platform); the final image installs those
# wheels into a slim Python with no compilers, and runs as a non-root user on a read-only root
# file system (the app writes only under /tmp, an emptyDir in Kubernetes).

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY habits ./habits
COPY bot ./bot
COPY adapters ./adapters
RUN pip wheel --wheel-dir /wheels .

FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="rapport" \
      org.opencontainers.image.description="Slack and Microsoft Teams bot for soft-power habits at work" \
      org.opencontainers.image.licenses="Proprietary"
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=3978 \
    RAPPORT_DATA_DIR=/tmp/rapport
RUN groupadd --system --gid 10001 rapport \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin rapport
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --no-index --find-links=/wheels rapport
USER 10001:10001
WORKDIR /tmp
EXPOSE 3978
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3978'), timeout=2)"]
ENTRYPOINT ["rapport"]
CMD ["serve"]
