# meshproof in a container, for `--target existing` from a CI job or a Kubernetes Job/CronJob
# (examples/kubernetes/cronjob.yaml). The build context is made by `npm run image:build`
# (scripts/image-build.ts): app/ holds node_modules/ with meshproof installed from the tarball
# `npm pack` makes, and its production dependencies. Nothing is downloaded while building.
#
#   npm run image:build                       Debian's nodejs on a base made here with debootstrap
#   docker build --build-arg BASE=… <context> any image with Node.js 20.18 or later on PATH
ARG BASE=node:22-slim
FROM ${BASE}

COPY app/ /opt/meshproof/

# The shipped plans are reachable as plans/…; reports and caches go to writable folders, and the
# process runs as an unprivileged user (any uid works: nothing is written under /opt).
WORKDIR /opt/meshproof/node_modules/meshproof
ENV MESHPROOF_REPORTS_DIR=/reports \
    MESHPROOF_CACHE_DIR=/tmp/meshproof \
    CI=true \
    NODE_ENV=production
RUN mkdir -p /reports && chmod 1777 /reports
USER 65532:65532

ENTRYPOINT ["node", "/opt/meshproof/node_modules/meshproof/dist/meshproof.js"]
CMD ["--help"]
