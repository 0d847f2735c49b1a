# One image for every service: APP selects which one runs (ingress, cache, retriever, router,
# inference-worker, cost-ledger, evaluator, model-sim). Tools (migrations, topic setup) run from it too.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm install --no-audit --no-fund
COPY . .
RUN npx prisma generate --config libs/db/prisma.config.ts \
 && npm run build \
 && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production HTTP_HOST=0.0.0.0 NODE_OPTIONS=--disable-warning=TimeoutNegativeWarning
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/libs/db/prisma ./libs/db/prisma
COPY --from=build --chown=node:node /app/infra/catalog ./infra/catalog
# Routing policy, complexity scorer (router) and the cascade's answer-check (inference worker) are read at boot.
COPY --from=build --chown=node:node /app/infra/routing ./infra/routing
COPY --from=build --chown=node:node /app/tools/sample-traffic/prompts.json ./tools/sample-traffic/prompts.json
# The evaluator's reports folder (EVAL_REPORTS_DIR in docker-compose.yml): a fresh volume takes this ownership.
RUN mkdir -p /reports && chown node:node /reports
USER node
ARG APP=ingress
ENV APP=${APP}
# Services drain in-flight Kafka work on SIGTERM; node is PID 1 here and receives it directly.
CMD ["sh", "-c", "exec node dist/apps/${APP}/src/main.js"]
