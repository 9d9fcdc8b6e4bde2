# The ioasim image: every service (`ioasim serve <kind>`) and the runner
# (`ioasim run ... --transport nats`) run from it; see docker-compose.yml.
FROM node:20
WORKDIR /ioasim
COPY package.json package-lock.json tsconfig.json tsconfig.base.json ./
COPY packages packages
COPY services services
COPY scripts scripts
COPY examples examples
# npm ci runs the `prepare` script: tsc -b builds every workspace.
RUN npm ci --no-audit --no-fund
ENTRYPOINT ["node", "--max-semi-space-size=64", "packages/cli/bin/ioasim.js"]
CMD ["--help"]
