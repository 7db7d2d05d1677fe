# The server's image: built with the dev dependencies, shipped without them, run as a non-root user
# with nothing to write (deploy/base/deployment.yaml sets a read-only root filesystem).
#   docker build -t <registry>/aws-service-apiserver:0.1.0 .
FROM node:20-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the sources are not copied yet, so the "prepare" build has nothing to compile.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json ./
COPY src ./src
COPY certs/*.ts ./certs/
RUN npm run build && npm prune --omit=dev

FROM node:20-alpine
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER 10001:10001
EXPOSE 8443
ENTRYPOINT ["node", "dist/src/main.js"]
