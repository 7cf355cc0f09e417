# grader/node:local: Debian bookworm's Node.js 18 and the packages
# learners may require, from Debian's archive (installed under
# /usr/share/nodejs, found by require without node_modules), on the base
# image. The RUN step that installs them has network; nothing does at
# grading, and the image has no npm. The offered list
# (runner/images/offered.go) is written from what was installed.
FROM grader/base:local
ARG RUNTIME
ARG PACKAGES
COPY offered.js /tmp/offered.js
# No translations, and no fsync per unpacked file (the layer is written
# once, at the end): about half the time of a plain apt-get install.
RUN apt-get -o Acquire::Languages=none update \
 && DEBIAN_FRONTEND=noninteractive apt-get -o Dpkg::Options::=--force-unsafe-io install -y --no-install-recommends $RUNTIME $PACKAGES \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb /var/cache/apt/*.bin \
 && mkdir -p /opt/grader \
 && HOME=/root node /tmp/offered.js $PACKAGES > /opt/grader/offered.json \
 && rm /tmp/offered.js \
 && mkdir /work \
 && chown 65534:65534 /work

ENV HOME=/tmp \
    TMPDIR=/tmp
USER 65534:65534
WORKDIR /work
