# slicebroker: one image with the server, the agent and the web dashboard (multi-stage; the
# build stage runs the same cargo build CI does, with the checked-in .sqlx data instead of a
# live database; the web stage runs `npm ci` and Vite's build from the checked-in lock file).
#   docker build -t slicebroker .
# See docker-compose.yml for PostgreSQL + server + a simulated agent.

FROM node:20-bookworm-slim AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY clients/typescript/src/schema.d.ts /src/clients/typescript/src/schema.d.ts
COPY web/ ./
RUN npx --no-install vite build

# The compiler CI builds and tests with (the workspace's rust-version; sqlx 0.9 needs 1.94).
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
ENV SQLX_OFFLINE=true
RUN cargo build --release --locked --bin slicebroker-server --bin slicebroker-agent

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/slicebroker --create-home slicebroker
COPY --from=build /src/target/release/slicebroker-server /src/target/release/slicebroker-agent /usr/local/bin/
COPY --from=web /src/web/dist /usr/share/slicebroker/web
USER slicebroker
WORKDIR /var/lib/slicebroker
ENV SLICEBROKER_LISTEN=0.0.0.0:8080 SLICEBROKER_LOG_FORMAT=json \
    SLICEBROKER_WEB_DIR=/usr/share/slicebroker/web
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=3s --retries=20 CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
CMD ["slicebroker-server"]
