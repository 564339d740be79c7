# syntax=docker/dockerfile:1
# One Dockerfile, one target per service: order-service, payment-service, logger-service.
#   docker build --target order-service -t addispay/order-service .
# Stages: manifests (package.json files only, so dependency layers survive source edits) -> build (all deps,
# tsc -b) -> prod-deps (production deps, native pulsar-client checked to load) -> one small runtime per service.

ARG NODE_IMAGE=node:24-bookworm-slim

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

FROM base AS prod-deps
# The native pulsar-client addon downloads a prebuilt binary at install time (needs the network).
COPY --from=manifests /out/ ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund
# An optional dependency that failed to install is silently skipped by npm: fail the build instead.
# (Resolved from packages/pulsar, which declares it, wherever npm placed it.)
WORKDIR /app/packages/pulsar
RUN node -e "require('pulsar-client'); console.log('pulsar-client native addon loads')"

FROM base AS runtime
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

FROM runtime AS order-service
COPY --from=build /runtime/apps/order-service ./apps/order-service
EXPOSE 50051 9464
CMD ["node", "--import", "@addispay/telemetry/instrumentation", "apps/order-service/dist/main.js"]

FROM runtime AS payment-service
COPY --from=build /runtime/apps/payment-service ./apps/payment-service
EXPOSE 9464
CMD ["node", "--import", "@addispay/telemetry/instrumentation", "apps/payment-service/dist/main.js"]

FROM runtime AS logger-service
COPY --from=build /runtime/apps/logger-service ./apps/logger-service
EXPOSE 50051 9464
CMD ["node", "--import", "@addispay/telemetry/instrumentation", "apps/logger-service/dist/main.js"]
