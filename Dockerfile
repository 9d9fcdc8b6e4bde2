# The ioasim image: every service (`ioasim serve <kind>`) and the runner
# (`ioasim run ... --transport nats`) run from it; see docker-compose.yml.
#
# Two stages: `build` installs every dependency and compiles the workspaces
# (npm ci runs the `prepare` script, tsc -b), then prunes the dev
# dependencies (TypeScript, vitest, playwright...); the image itself takes
# the compiled workspaces and the production dependencies only, and runs as
# the unprivileged `node` user of the node image.
FROM node:20 AS build
WORKDIR /ioasim
COPY package.json package-lock.json tsconfig.json tsconfig.base.json ./
COPY packages packages
COPY services services
COPY scripts scripts
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /ioasim
COPY --from=build /ioasim/package.json /ioasim/package-lock.json ./
COPY --from=build /ioasim/node_modules node_modules
COPY --from=build /ioasim/packages packages
COPY --from=build /ioasim/services services
COPY examples examples
USER node
ENTRYPOINT ["node", "--max-semi-space-size=64", "packages/cli/bin/ioasim.js"]
CMD ["--help"]
