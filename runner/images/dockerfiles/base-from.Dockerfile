# grader/base:local on a machine that can pull images: an official Debian
# image with the packages the debootstrap root filesystem holds. The only
# build whose RUN step has network (it downloads the packages).
ARG BASE_FROM=debian:bookworm-slim
FROM ${BASE_FROM}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gcc libc6-dev redis-server ca-certificates \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb /var/cache/apt/*.bin
CMD ["/bin/bash"]
