# One image per MoocFlix process, one build target each:
#   docker build --target users -t moocflix/users .
#   targets: users courses content assessments notifications transcoder operator web
#
# The images run JavaScript compiled by tsc, not TypeScript: the `compile` stage (all dependencies,
# dev ones included, for typescript and the @types) runs `tsc -p tsconfig.build.json` once for every
# workspace. tsc keeps each file's path under dist/ (services/users/src/main.ts →
# dist/services/users/src/main.js), so code that finds its assets through __dirname
# (`join(__dirname, '../migrations')`, the operator's ../config/rbac) finds them once the assets are
# copied next to the .js files. The workspaces export ./src/*.ts for tsx and jest in the repository;
# scripts/images/compiled-manifests.mjs writes their manifests under dist/ with those entries
# rewritten to .js. No tsx and no TypeScript in any image.
#
# Each image holds only its workspace, the kit packages it depends on (services/platform/<package>,
# directly or through another kit package: the operator has no http, storage or media; only content
# and the transcoder have media), compiled, and that workspace's production dependencies
# (`npm ci --omit=dev --workspace <ws>`), runs as user 10001, and writes nothing outside /tmp, so it
# runs with a read-only root filesystem and /tmp on an emptyDir (as the Helm charts do). The
# ENTRYPOINT runs the workspace's compiled src/main.js; container args select a mode (the
# transcoder's `worker` or `one-shot --request <json>`). Workspaces that depend on the telemetry kit
# package load its `instrument` register file with `node --import` before main.js, as `make dev`
# does: OpenTelemetry must patch express, pg and kafkajs before anything requires them.
#
# Classic-builder compatible (no `# syntax=` line, no `RUN --mount`, no `COPY --chmod`): it builds
# with DOCKER_BUILDKIT=0 as on machines without BuildKit, and with BuildKit alike.
#
# Extra CA certificates for the build only: where npm is reached through a TLS-intercepting proxy
# (`npm ci` fails with "self-signed certificate in certificate chain"), put the PEM bundle at
# .build-ca/ca.crt in the build context (scripts/build-images.sh copies $BUILD_CA_BUNDLE, else
# $NODE_EXTRA_CA_CERTS, there for the build and deletes it afterwards). Only the `build` stage and
# the stages FROM it (deps, compile, *-build, web-build) see it, through NODE_EXTRA_CA_CERTS; the
# images copy /app out of them, never /build-ca, so no final image carries the bundle or the
# variable. Without the file (the usual case) Node ignores the variable and uses its own CA store.
# BuildKit's `RUN --mount=type=secret` would be the tidier way, but the classic builder lacks it.
#
# The base image is pinned by tag, the Node.js version of .nvmrc. Pin it by digest as well
# (node:24.22.3-bookworm-slim@sha256:...) where a registry is reachable: this repository is
# written on machines without one, where a digest cannot be looked up; there
# e2e/kind/images/base-images.sh builds local images under the official names, so nothing is pulled.
ARG NODE_IMAGE=node:24.22.3-bookworm-slim

FROM ${NODE_IMAGE} AS base
ENV NODE_ENV=production \
    npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false
WORKDIR /app

# Every workspace's package.json and the lockfile, and nothing else: the dependency layers below are
# rebuilt when a manifest changes, not when a source file does.
FROM base AS manifests
COPY . /src
RUN mkdir /manifests \
 && cd /src \
 && cp package.json package-lock.json /manifests/ \
 && find services operator e2e web -maxdepth 3 -name package.json -not -path '*/node_modules/*' -exec cp --parents {} /manifests/ \;

# Where npm runs: the base plus the build-only CA bundle (see the top of this file).
FROM base AS build
COPY .build-ca/ /build-ca/
ENV NODE_EXTRA_CA_CERTS=/build-ca/ca.crt

# Every dependency of every workspace, dev ones included: tsc and the @types for `compile`, Vite for
# `web-build`. One `npm ci` layer, cached until a manifest or the lockfile changes.
FROM build AS deps
ENV NODE_ENV=development
COPY --from=manifests /manifests/ ./
RUN npm ci

# tsc over every workspace the images run (tsconfig.build.json says which files), then each compiled
# workspace's manifest (exports rewritten to .js) and the assets its code reads at run time
# (migrations/, config/) next to the .js files under /app/dist.
FROM deps AS compile
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/images/ scripts/images/
COPY services/ services/
COPY operator/ operator/
RUN npx tsc -p tsconfig.build.json \
 && node scripts/images/compiled-manifests.mjs dist services/*/ services/platform/*/ operator/ \
 && for dir in services/*/ services/platform/*/ operator/; do \
      for asset in migrations config; do \
        if [ -d "dist/$dir" ] && [ -d "$dir$asset" ]; then cp -r "$dir$asset" "dist/$dir"; fi; \
      done; \
    done \
 && ! find dist -name '*.ts' | grep .

# What every image runs on: the non-root user, /tmp as the only writable place.
FROM base AS runtime
RUN groupadd --gid 10001 moocflix \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin moocflix
ENV HOME=/tmp \
    TMPDIR=/tmp \
    MOOCFLIX_HOME=/tmp/moocflix \
    PORT=8080
EXPOSE 8080

# The same plus Debian's ffmpeg and ffprobe on PATH (content probes uploads, the transcoder encodes);
# the kit then never falls back to the static builds of the @ffmpeg-installer npm packages, so the
# content and transcoder stages install without optional dependencies (`--omit=optional`): the media
# kit declares those packages optional, and their 140 MB of binaries stay out of both images.
FROM runtime AS runtime-ffmpeg
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg \
 && rm -rf /var/lib/apt/lists/*

# ---- production dependencies and compiled code of each workspace -----------------------------
FROM build AS users-build
COPY --from=manifests /manifests/ ./
RUN npm ci --omit=dev --workspace services/users --include-workspace-root=false
COPY --from=compile /app/dist/services/platform/bus/ services/platform/bus/
COPY --from=compile /app/dist/services/platform/core/ services/platform/core/
COPY --from=compile /app/dist/services/platform/db/ services/platform/db/
COPY --from=compile /app/dist/services/platform/http/ services/platform/http/
COPY --from=compile /app/dist/services/platform/runtime/ services/platform/runtime/
COPY --from=compile /app/dist/services/platform/storage/ services/platform/storage/
COPY --from=compile /app/dist/services/platform/telemetry/ services/platform/telemetry/
COPY --from=compile /app/dist/services/users/ services/users/

FROM build AS courses-build
COPY --from=manifests /manifests/ ./
RUN npm ci --omit=dev --workspace services/courses --include-workspace-root=false
COPY --from=compile /app/dist/services/platform/bus/ services/platform/bus/
COPY --from=compile /app/dist/services/platform/core/ services/platform/core/
COPY --from=compile /app/dist/services/platform/db/ services/platform/db/
COPY --from=compile /app/dist/services/platform/http/ services/platform/http/
COPY --from=compile /app/dist/services/platform/runtime/ services/platform/runtime/
COPY --from=compile /app/dist/services/platform/storage/ services/platform/storage/
COPY --from=compile /app/dist/services/platform/telemetry/ services/platform/telemetry/
COPY --from=compile /app/dist/services/courses/ services/courses/

FROM build AS content-build
COPY --from=manifests /manifests/ ./
RUN npm ci --omit=dev --omit=optional --workspace services/content --include-workspace-root=false
COPY --from=compile /app/dist/services/platform/bus/ services/platform/bus/
COPY --from=compile /app/dist/services/platform/core/ services/platform/core/
COPY --from=compile /app/dist/services/platform/db/ services/platform/db/
COPY --from=compile /app/dist/services/platform/http/ services/platform/http/
COPY --from=compile /app/dist/services/platform/media/ services/platform/media/
COPY --from=compile /app/dist/services/platform/runtime/ services/platform/runtime/
COPY --from=compile /app/dist/services/platform/storage/ services/platform/storage/
COPY --from=compile /app/dist/services/platform/telemetry/ services/platform/telemetry/
COPY --from=compile /app/dist/services/content/ services/content/

FROM build AS assessments-build
COPY --from=manifests /manifests/ ./
RUN npm ci --omit=dev --workspace services/assessments --include-workspace-root=false
COPY --from=compile /app/dist/services/platform/bus/ services/platform/bus/
COPY --from=compile /app/dist/services/platform/core/ services/platform/core/
COPY --from=compile /app/dist/services/platform/db/ services/platform/db/
COPY --from=compile /app/dist/services/platform/http/ services/platform/http/
COPY --from=compile /app/dist/services/platform/runtime/ services/platform/runtime/
COPY --from=compile /app/dist/services/platform/storage/ services/platform/storage/
COPY --from=compile /app/dist/services/platform/telemetry/ services/platform/telemetry/
COPY --from=compile /app/dist/services/assessments/ services/assessments/

FROM build AS notifications-build
COPY --from=manifests /manifests/ ./
RUN npm ci --omit=dev --workspace services/notifications --include-workspace-root=false
COPY --from=compile /app/dist/services/platform/bus/ services/platform/bus/
COPY --from=compile /app/dist/services/platform/core/ services/platform/core/
COPY --from=compile /app/dist/services/platform/db/ services/platform/db/
COPY --from=compile /app/dist/services/platform/http/ services/platform/http/
COPY --from=compile /app/dist/services/platform/runtime/ services/platform/runtime/
COPY --from=compile /app/dist/services/platform/storage/ services/platform/storage/
COPY --from=compile /app/dist/services/platform/telemetry/ services/platform/telemetry/
COPY --from=compile /app/dist/services/notifications/ services/notifications/

FROM build AS transcoder-build
COPY --from=manifests /manifests/ ./
RUN npm ci --omit=dev --omit=optional --workspace services/transcoder --include-workspace-root=false
COPY --from=compile /app/dist/services/platform/bus/ services/platform/bus/
COPY --from=compile /app/dist/services/platform/core/ services/platform/core/
COPY --from=compile /app/dist/services/platform/db/ services/platform/db/
COPY --from=compile /app/dist/services/platform/http/ services/platform/http/
COPY --from=compile /app/dist/services/platform/media/ services/platform/media/
COPY --from=compile /app/dist/services/platform/runtime/ services/platform/runtime/
COPY --from=compile /app/dist/services/platform/storage/ services/platform/storage/
COPY --from=compile /app/dist/services/platform/telemetry/ services/platform/telemetry/
COPY --from=compile /app/dist/services/transcoder/ services/transcoder/

FROM build AS operator-build
COPY --from=manifests /manifests/ ./
RUN npm ci --omit=dev --workspace operator --include-workspace-root=false
COPY --from=compile /app/dist/services/platform/bus/ services/platform/bus/
COPY --from=compile /app/dist/services/platform/core/ services/platform/core/
COPY --from=compile /app/dist/services/platform/db/ services/platform/db/
COPY --from=compile /app/dist/operator/ operator/

# ---- the images ------------------------------------------------------------------------------
FROM runtime AS users
COPY --from=users-build /app /app
USER 10001:10001
ENTRYPOINT ["node", "--import", "@moocflix/platform-telemetry/instrument", "services/users/src/main.js"]

FROM runtime AS courses
COPY --from=courses-build /app /app
USER 10001:10001
ENTRYPOINT ["node", "--import", "@moocflix/platform-telemetry/instrument", "services/courses/src/main.js"]

FROM runtime-ffmpeg AS content
COPY --from=content-build /app /app
USER 10001:10001
ENTRYPOINT ["node", "--import", "@moocflix/platform-telemetry/instrument", "services/content/src/main.js"]

FROM runtime AS assessments
COPY --from=assessments-build /app /app
USER 10001:10001
ENTRYPOINT ["node", "--import", "@moocflix/platform-telemetry/instrument", "services/assessments/src/main.js"]

FROM runtime AS notifications
COPY --from=notifications-build /app /app
USER 10001:10001
ENTRYPOINT ["node", "--import", "@moocflix/platform-telemetry/instrument", "services/notifications/src/main.js"]

# `worker` (a Deployment, the transcoder chart) or `one-shot --request <json>` (the operator's Jobs).
FROM runtime-ffmpeg AS transcoder
COPY --from=transcoder-build /app /app
USER 10001:10001
ENTRYPOINT ["node", "--import", "@moocflix/platform-telemetry/instrument", "services/transcoder/src/main.js"]
CMD ["worker"]

FROM runtime AS operator
COPY --from=operator-build /app /app
USER 10001:10001
ENTRYPOINT ["node", "operator/src/main.js"]

# ---- the web console -------------------------------------------------------------------------
# Built with every workspace's dependencies, dev ones included (the build generates the API types from
# the services' OpenAPI documents, which import the kit, then runs tsc and Vite); then only web/dist and the tiny static server (web/server, plain Node, no dependency)
# go into the image: same CSP as `make dev`, non-root, read-only root filesystem.
FROM deps AS web-build
COPY services/ services/
COPY web/ web/
RUN NODE_ENV=production npm run build -w web

FROM runtime AS web
COPY --from=web-build /app/web/dist /app/web/dist
COPY web/server/ /app/web/server/
USER 10001:10001
ENTRYPOINT ["node", "web/server/serve.mjs"]
