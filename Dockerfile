# syntax=docker/dockerfile:1
# One Dockerfile, one target per service: order-service, payment-service, logger-service.
#   docker build --target order-service -t addispay/order-service .
# Stages: manifests (package.json files only, so dependency layers survive source edits) -> build (all deps,
# tsc -b) -> prod-deps (production deps, native pulsar-client checked to load) -> one small runtime per service.
# Builds with Docker BuildKit and with buildah (`buildah bud --format docker`, scripts/images.sh; buildah 1.28
# prunes stages before it applies ARG defaults: pass --build-arg PULSAR_NATIVE=... explicitly, as images.sh does).

# Any Node 24 image with bash, useradd and groupadd (scripts/images.sh makes one without Docker Hub).
ARG NODE_IMAGE=node:24-bookworm-slim
# required: the build fails unless the native pulsar-client addon loads (its install downloads a prebuilt binary,
# so it needs the network); the images for production. skip: no native addon, the services reach Pulsar over its
# WebSocket API only (PULSAR_TRANSPORT=websocket); such images carry the label io.addispay.pulsar-client=absent.
ARG PULSAR_NATIVE=required

FROM ${NODE_IMAGE} AS base
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
WORKDIR /app

FROM base AS manifests
WORKDIR /src
COPY . .
# Keep only what npm ci needs: the lockfile and every workspace's package.json, at their paths.
RUN mkdir -p /out && cp package.json package-lock.json /out/ \
 && find apps packages -name package.json -not -path '*/node_modules/*' -exec cp --parents {} /out/ \;

FROM base AS build
COPY --from=manifests /out/ ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY . .
# pipefail is on (SHELL is set in the base stage, which hadolint does not follow across stages).
# hadolint ignore=DL4006
RUN npx tsc -b \
 # The runtime tree: package.json, dist/ and non-TypeScript assets (migrations, topology.yaml), no sources/tests.
 && mkdir -p /runtime \
 && tar --create --exclude=node_modules --exclude=src --exclude=test --exclude='*.tsbuildinfo' \
      --exclude='tsconfig*.json' --exclude='*.ts' --exclude='*.map' apps packages \
    | tar --extract --directory /runtime

FROM base AS prod-deps-installed
# The native pulsar-client addon downloads a prebuilt binary at install time (needs the network).
COPY --from=manifests /out/ ./
# Only what the three services need (not the CLI's or the test kit's dependencies).
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund \
      --workspace apps/order-service --workspace apps/payment-service --workspace apps/logger-service
# (pulsar-client resolved from packages/pulsar, which declares it, wherever npm placed it.)
WORKDIR /app/packages/pulsar

# PULSAR_NATIVE picks one of the two stages below by name (no ARG inside a stage: skaffold's Dockerfile parser
# would read a re-declared ARG as empty). An optional dependency that failed to install is silently skipped by npm:
# `required` fails the build instead; `skip` removes the addon even where it did install, so the label stays true.
FROM prod-deps-installed AS prod-deps-required
RUN node -e "require('pulsar-client'); console.log('pulsar-client native addon loads')"
FROM prod-deps-installed AS prod-deps-skip
RUN rm -rf /app/node_modules/pulsar-client /app/packages/pulsar/node_modules/pulsar-client \
 && if node -e "require.resolve('pulsar-client')" 2>/dev/null; then exit 1; fi \
 && echo 'pulsar-client: skipped (PULSAR_NATIVE=skip): websocket transport only'
# hadolint ignore=DL3006
FROM prod-deps-${PULSAR_NATIVE} AS prod-deps
# (One instruction: buildah 1.28 leaves a working container behind for a stage made of FROM alone.)
WORKDIR /app

# What the image carries, as a label chosen by PULSAR_NATIVE (only the selected stage is used).
FROM base AS pulsar-native-required
LABEL io.addispay.pulsar-client="native addon (pulsar:// and websocket transports)"
FROM base AS pulsar-native-skip
LABEL io.addispay.pulsar-client="absent (websocket transport only)"

# hadolint ignore=DL3006
FROM pulsar-native-${PULSAR_NATIVE} AS runtime
WORKDIR /app
ENV NODE_ENV=production
RUN groupadd --gid 10001 addispay && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin addispay
COPY --from=prod-deps /app/ ./
COPY --from=build /runtime/packages ./packages
USER 10001:10001
# The root filesystem is read-only in Kubernetes; only /tmp (an emptyDir) is writable.
ENV TMPDIR=/tmp
# V8 sizes its old generation from the host's memory and collects lazily: bounded, a service stays near its live
# heap (~40 MB) instead of growing to 250 MB and more under load (docs/benchmarks.md, Memory).
ENV NODE_OPTIONS=--max-old-space-size=128
ARG VERSION=dev
ARG REVISION=unknown
ARG SOURCE=https://github.com/addispay/addispay
LABEL org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.vendor="Addispay"

FROM runtime AS order-service
LABEL org.opencontainers.image.title="order-service" \
      org.opencontainers.image.description="Addispay order-service: gRPC orders API"
COPY --from=build /runtime/apps/order-service ./apps/order-service
EXPOSE 50051 9464
CMD ["node", "--import", "@addispay/telemetry/instrumentation", "apps/order-service/dist/main.js"]

FROM runtime AS payment-service
LABEL org.opencontainers.image.title="payment-service" \
      org.opencontainers.image.description="Addispay payment-service: payments from order events"
COPY --from=build /runtime/apps/payment-service ./apps/payment-service
EXPOSE 9464
CMD ["node", "--import", "@addispay/telemetry/instrumentation", "apps/payment-service/dist/main.js"]

FROM runtime AS logger-service
LABEL org.opencontainers.image.title="logger-service" \
      org.opencontainers.image.description="Addispay logger-service: log entries from every service, QueryLogs API"
COPY --from=build /runtime/apps/logger-service ./apps/logger-service
EXPOSE 50051 9464
CMD ["node", "--import", "@addispay/telemetry/instrumentation", "apps/logger-service/dist/main.js"]
