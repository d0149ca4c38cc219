# One image recipe for the three services. Pick the service with the APP build
# argument (ingest, query or consumer); docker-compose.yml sets it per service.
#   docker build --build-arg APP=ingest -t gallery-ingest .

FROM node:20-bookworm-slim AS build
WORKDIR /app
# Copied first so that the dependency layer is reused when only sources change.
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
ARG APP
ENV NODE_ENV=production \
    APP=${APP}
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The consumer applies these SQL migrations at start; it finds them above dist/.
COPY --from=build /app/libs/clickhouse/migrations ./libs/clickhouse/migrations
# Each app's Node options, such as the consumer's heap limit.
COPY --from=build /app/scripts/node-options.sh ./scripts/node-options.sh
# Fails the build early, instead of at container start, when APP is missing or
# names a service that `npm run build` did not produce.
RUN if [ -z "$APP" ]; then \
      echo "Build argument APP is missing. Pass --build-arg APP=ingest, query or consumer." >&2; exit 1; \
    fi; \
    if [ ! -f "dist/apps/$APP/src/main.js" ]; then \
      echo "dist/apps/$APP/src/main.js not found after npm run build. Check APP=$APP and the build output path." >&2; exit 1; \
    fi
USER node
# exec makes node PID 1, so it receives SIGTERM from `docker stop` directly.
CMD ["sh", "-c", "exec node $(sh scripts/node-options.sh \"$APP\") \"dist/apps/$APP/src/main.js\""]
