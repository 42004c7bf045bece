# One image for the gateway and the four subgraphs; docker-compose.yml picks the
# command. Build stage compiles TypeScript (tsc keeps the decorator metadata that
# type-graphql and MikroORM read); the runtime stage carries production deps only.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/common/package.json packages/common/
COPY packages/sdk/package.json packages/sdk/
COPY gateway/package.json gateway/
COPY subgraphs/users/package.json subgraphs/users/
COPY subgraphs/catalog/package.json subgraphs/catalog/
COPY subgraphs/orders/package.json subgraphs/orders/
COPY subgraphs/payments/package.json subgraphs/payments/
RUN npm install --no-audit --no-fund
COPY tsconfig.base.json tsconfig.build.json supergraph.graphql ./
COPY packages packages
COPY gateway gateway
COPY subgraphs subgraphs
COPY scripts scripts
COPY bench bench
COPY examples examples
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production APP_MODE=production
WORKDIR /app
COPY --from=build /app /app
USER node
CMD ["node", "gateway/dist/main.js"]
