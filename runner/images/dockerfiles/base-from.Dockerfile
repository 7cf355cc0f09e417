# The base image on a machine that can pull one: the same packages as the
# debootstrap root filesystem.
ARG FROM_IMAGE=debian:bookworm-slim
FROM ${FROM_IMAGE}
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gcc libc6-dev redis-server ca-certificates && rm -rf /var/lib/apt/lists/*
