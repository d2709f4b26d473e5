# One image per MoocFlix process, one build target each:
#   docker build --target users -t moocflix/users .
#   targets: users courses content assessments notifications transcoder operator web
#
# Each image holds only its workspace, the kit packages it depends on (services/platform/<package>,
# directly or through another kit package: the operator has no http, storage or media; only content
# and the transcoder have media) and that workspace's production dependencies
# (`npm ci --omit=dev --workspace <ws>`), runs as user 10001, and writes nothing outside /tmp, so it runs with a read-only root filesystem and /tmp on an emptyDir (as the Helm
# charts do). The ENTRYPOINT runs the workspace's src/main.ts; container args select a mode (the
# transcoder's `worker` or `one-shot --request <json>`).
#
# The sources are TypeScript run by tsx: the workspaces export their .ts files and there is no
# compile step yet, so tsx is a runtime dependency of every image (the version the lockfile pins).
#
# Classic-builder compatible (no `# syntax=` line, no `RUN --mount`, no `COPY --chmod`): it builds
# with DOCKER_BUILDKIT=0 as on machines without BuildKit, and with BuildKit alike.
#
# Extra CA certificates for the build only: where npm is reached through a TLS-intercepting proxy
# (`npm ci` fails with "self-signed certificate in certificate chain"), put the PEM bundle at
# .build-ca/ca.crt in the build context (scripts/build-images.sh copies $BUILD_CA_BUNDLE, else
# $NODE_EXTRA_CA_CERTS, there for the build and deletes it afterwards). Only the `build` stage and
# the stages FROM it (tsx, *-build) see it, through NODE_EXTRA_CA_CERTS; the images copy /app and
# /opt/tsx out of them, never /build-ca, so no final image carries the bundle or the variable.
# Without the file (the usual case) Node ignores the variable and uses its own CA store.
# BuildKit's `RUN --mount=type=secret` would be the tidier way, but the classic builder lacks it.
#
# The base image is pinned by tag, the Node.js version of .nvmrc. Pin it by digest as well
# (node:24.22.3-bookworm-slim@sha256:...) where a registry is reachable: this repository is
# written on machines without one, where a digest cannot be looked up.
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

# tsx, at the lockfile's version, in a prefix of its own (no workspace involved).
FROM build AS tsx
COPY --from=manifests /manifests/package-lock.json /tmp/package-lock.json
RUN version="$(node -p "require('/tmp/package-lock.json').packages['node_modules/tsx'].version")" \
 && npm install --prefix /opt/tsx --omit=dev --no-save --no-package-lock "tsx@${version}" \
 && rm /tmp/package-lock.json

# What every image runs on: the non-root user, tsx, /tmp as the only writable place.
FROM base AS runtime
RUN groupadd --gid 10001 moocflix \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin moocflix
COPY --from=tsx /opt/tsx /opt/tsx
ENV HOME=/tmp \
    TMPDIR=/tmp \
    MOOCFLIX_HOME=/tmp/moocflix \
    PORT=8080
EXPOSE 8080

# The same plus Debian's ffmpeg and ffprobe on PATH (content probes uploads, the transcoder encodes);
# the kit then never falls back to the static builds of the @ffmpeg-installer npm packages.
FROM runtime AS runtime-ffmpeg
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg \
 && rm -rf /var/lib/apt/lists/*

# ---- dependencies and sources of each workspace ----------------------------------------------
FROM build AS users-build
COPY --from=manifests /manifests/ ./
RUN npm ci --omit=dev --workspace services/users --include-workspace-root=false
COPY services/platform/bus/ services/platform/bus/
COPY services/platform/core/ services/platform/core/
COPY services/platform/db/ services/platform/db/
COPY services/platform/http/ services/platform/http/
COPY services/platform/runtime/ services/platform/runtime/
COPY services/platform/storage/ services/platform/storage/
COPY services/platform/telemetry/ services/platform/telemetry/
COPY services/users/ services/users/

FROM build AS courses-build
COPY --from=manifests /manifests/ ./
RUN npm ci --omit=dev --workspace services/courses --include-workspace-root=false
COPY services/platform/bus/ services/platform/bus/
COPY services/platform/core/ services/platform/core/
COPY services/platform/db/ services/platform/db/
COPY services/platform/http/ services/platform/http/
COPY services/platform/runtime/ services/platform/runtime/
COPY services/platform/storage/ services/platform/storage/
COPY services/platform/telemetry/ services/platform/telemetry/
COPY services/courses/ services/courses/

FROM build AS content-build
COPY --from=manifests /manifests/ ./
RUN npm ci --omit=dev --workspace services/content --include-workspace-root=false
COPY services/platform/bus/ services/platform/bus/
COPY services/platform/core/ services/platform/core/
COPY services/platform/db/ services/platform/db/
COPY services/platform/http/ services/platform/http/
COPY services/platform/media/ services/platform/media/
COPY services/platform/runtime/ services/platform/runtime/
COPY services/platform/storage/ services/platform/storage/
COPY services/platform/telemetry/ services/platform/telemetry/
COPY services/content/ services/content/

FROM build AS assessments-build
COPY --from=manifests /manifests/ ./
RUN npm ci --omit=dev --workspace services/assessments --include-workspace-root=false
COPY services/platform/bus/ services/platform/bus/
COPY services/platform/core/ services/platform/core/
COPY services/platform/db/ services/platform/db/
COPY services/platform/http/ services/platform/http/
COPY services/platform/runtime/ services/platform/runtime/
COPY services/platform/storage/ services/platform/storage/
COPY services/platform/telemetry/ services/platform/telemetry/
COPY services/assessments/ services/assessments/

FROM build AS notifications-build
COPY --from=manifests /manifests/ ./
RUN npm ci --omit=dev --workspace services/notifications --include-workspace-root=false
COPY services/platform/bus/ services/platform/bus/
COPY services/platform/core/ services/platform/core/
COPY services/platform/db/ services/platform/db/
COPY services/platform/http/ services/platform/http/
COPY services/platform/runtime/ services/platform/runtime/
COPY services/platform/storage/ services/platform/storage/
COPY services/platform/telemetry/ services/platform/telemetry/
COPY services/notifications/ services/notifications/

FROM build AS transcoder-build
COPY --from=manifests /manifests/ ./
RUN npm ci --omit=dev --workspace services/transcoder --include-workspace-root=false
COPY services/platform/bus/ services/platform/bus/
COPY services/platform/core/ services/platform/core/
COPY services/platform/db/ services/platform/db/
COPY services/platform/http/ services/platform/http/
COPY services/platform/media/ services/platform/media/
COPY services/platform/runtime/ services/platform/runtime/
COPY services/platform/storage/ services/platform/storage/
COPY services/platform/telemetry/ services/platform/telemetry/
COPY services/transcoder/ services/transcoder/

FROM build AS operator-build
COPY --from=manifests /manifests/ ./
RUN npm ci --omit=dev --workspace operator --include-workspace-root=false
COPY services/platform/bus/ services/platform/bus/
COPY services/platform/core/ services/platform/core/
COPY services/platform/db/ services/platform/db/
COPY operator/ operator/

# ---- the images ------------------------------------------------------------------------------
FROM runtime AS users
COPY --from=users-build /app /app
USER 10001:10001
ENTRYPOINT ["node", "--import", "/opt/tsx/node_modules/tsx/dist/loader.mjs", "services/users/src/main.ts"]

FROM runtime AS courses
COPY --from=courses-build /app /app
USER 10001:10001
ENTRYPOINT ["node", "--import", "/opt/tsx/node_modules/tsx/dist/loader.mjs", "services/courses/src/main.ts"]

FROM runtime-ffmpeg AS content
COPY --from=content-build /app /app
USER 10001:10001
ENTRYPOINT ["node", "--import", "/opt/tsx/node_modules/tsx/dist/loader.mjs", "services/content/src/main.ts"]

FROM runtime AS assessments
COPY --from=assessments-build /app /app
USER 10001:10001
ENTRYPOINT ["node", "--import", "/opt/tsx/node_modules/tsx/dist/loader.mjs", "services/assessments/src/main.ts"]

FROM runtime AS notifications
COPY --from=notifications-build /app /app
USER 10001:10001
ENTRYPOINT ["node", "--import", "/opt/tsx/node_modules/tsx/dist/loader.mjs", "services/notifications/src/main.ts"]

# `worker` (a Deployment, the transcoder chart) or `one-shot --request <json>` (the operator's Jobs).
FROM runtime-ffmpeg AS transcoder
COPY --from=transcoder-build /app /app
USER 10001:10001
ENTRYPOINT ["node", "--import", "/opt/tsx/node_modules/tsx/dist/loader.mjs", "services/transcoder/src/main.ts"]
CMD ["worker"]

FROM runtime AS operator
COPY --from=operator-build /app /app
USER 10001:10001
ENTRYPOINT ["node", "--import", "/opt/tsx/node_modules/tsx/dist/loader.mjs", "operator/src/main.ts"]

# ---- the web console -------------------------------------------------------------------------
# Built with every workspace's dependencies, dev ones included (the build generates the API types from
# the services' OpenAPI documents, which import the kit, then runs tsc and Vite); then only web/dist and the tiny static server (web/server, plain Node, no dependency)
# go into the image: same CSP as `make dev`, non-root, read-only root filesystem.
FROM build AS web-build
ENV NODE_ENV=development
COPY --from=manifests /manifests/ ./
RUN npm ci
COPY services/ services/
COPY web/ web/
RUN NODE_ENV=production npm run build -w web

FROM base AS web
RUN groupadd --gid 10001 moocflix \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin moocflix
COPY --from=web-build /app/web/dist /app/web/dist
COPY web/server/ /app/web/server/
ENV HOME=/tmp TMPDIR=/tmp PORT=8080
EXPOSE 8080
USER 10001:10001
ENTRYPOINT ["node", "web/server/serve.mjs"]
