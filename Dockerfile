# modelplane gateway image: Node 20 slim, runs as the unprivileged `node` user.
# Not built in CI (CI cannot build images); kept small so it can be checked by reading.
#
#   docker build -t modelplane .
#   docker run --rm -p 4000:4000 -e MODELPLANE_MASTER_KEY \
#     -v "$PWD/gateway.yaml:/etc/modelplane/gateway.yaml:ro" \
#     -v modelplane-data:/etc/modelplane/.modelplane modelplane

# Build stage: compile TypeScript, pack the package exactly as it is published, and install the
# tarball (better-sqlite3 is compiled here when no prebuilt binary is available, hence g++/make/python3).
FROM node:20-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends g++ make python3 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npx tsc -p tsconfig.json \
 && npm pack --ignore-scripts \
 && npm install -g --prefix /opt/modelplane --no-audit --no-fund ./modelplane-*.tgz

# Runtime stage: the installed package only, no compilers, no sources.
FROM node:20-slim
COPY --from=build /opt/modelplane /opt/modelplane
ENV PATH=/opt/modelplane/bin:$PATH NODE_ENV=production
# The responses store (storage.data_dir) defaults to .modelplane beside the config file.
RUN mkdir -p /etc/modelplane/.modelplane && chown node:node /etc/modelplane/.modelplane
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:4000/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# --host/--port override server.host/server.port: inside a container the gateway must listen on
# every interface, on the port the healthcheck and EXPOSE name.
CMD ["modelplane", "serve", "--config", "/etc/modelplane/gateway.yaml", "--host", "0.0.0.0", "--port", "4000"]
