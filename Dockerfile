# Akari on Node 22 LTS, running the compiled JS (`npm run build` → `node dist/main.js`).
# Build stage: the toolchain for better-sqlite3 and the dev dependencies for tsc stay here.
FROM node:22-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0 DATABASE_URL=file:/app/data/akari.db
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json tsconfig.json ./
# `npm run richmenu:deploy` runs its script with tsx (a runtime dependency) over the sources.
COPY scripts ./scripts
COPY src ./src
COPY flows ./flows
COPY assets ./assets
COPY spec ./spec
RUN mkdir -p /app/data && chown -R node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 3000
# Ready = the store answers and no stop is under way (/readyz says 503 while draining).
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node itself is PID 1 (exec form, no npm or shell in between): SIGTERM reaches it and starts the drain.
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
