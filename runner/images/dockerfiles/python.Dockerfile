# grader/python:local: Debian bookworm's python3 and the Python packages
# learners may import, from Debian's archive, on the base image. The RUN
# step that installs them has network; nothing does at grading, and the
# image has no pip. The offered list (runner/images/offered.go) is written
# from what was installed.
FROM grader/base:local
ARG RUNTIME
ARG PACKAGES
COPY offered.py /tmp/offered.py
# No translations, and no fsync per unpacked file (the layer is written
# once, at the end): about half the time of a plain apt-get install.
RUN apt-get -o Acquire::Languages=none update \
 && DEBIAN_FRONTEND=noninteractive apt-get -o Dpkg::Options::=--force-unsafe-io install -y --no-install-recommends $RUNTIME $PACKAGES \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb /var/cache/apt/*.bin \
 && mkdir -p /opt/grader \
 && python3 /tmp/offered.py $PACKAGES > /opt/grader/offered.json \
 && rm /tmp/offered.py \
 && mkdir /work \
 && chown 65534:65534 /work

# No bytecode written next to learner files, output unbuffered so logs
# keep up, no user site-packages under HOME.
ENV HOME=/tmp \
    TMPDIR=/tmp \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONNOUSERSITE=1
USER 65534:65534
WORKDIR /work
