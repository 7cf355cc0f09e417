# grader/go:local: the host's Go toolchain on the base image, the modules
# learners may use in a module cache they cannot write, and a build cache
# warmed as the sandbox user so their builds compile only their own code.
FROM grader/base:local

# Root-owned: the toolchain, and the module cache downloaded on the host.
COPY go /usr/local/go
COPY gomodcache /opt/gomodcache
# The warm modules: one using every offline module, one per module alone
# (alone, a module selects its own dependency versions, which compile to
# other cache entries).
COPY --chown=65534:65534 warm /opt/warm

ENV PATH=/usr/local/go/bin:/usr/bin:/bin \
    GOROOT=/usr/local/go \
    HOME=/tmp \
    TMPDIR=/tmp \
    GOCACHE=/opt/gocache \
    GOMODCACHE=/opt/gomodcache \
    GOPATH=/tmp/gopath \
    GOFLAGS=-mod=mod \
    GOPROXY=off \
    GOSUMDB=off \
    GOTOOLCHAIN=local \
    CGO_ENABLED=0

# test2json is no longer shipped prebuilt; the grader runs it in the box.
RUN GOCACHE=/tmp/root-gocache go build -o "$(go env GOTOOLDIR)/test2json" cmd/test2json \
 && rm -rf /tmp/root-gocache /tmp/gopath /tmp/.config \
 && chmod -R a+rX,go-w /usr/local/go /opt/gomodcache \
 && mkdir /opt/gocache /work \
 && chown 65534:65534 /opt/gocache /work

USER 65534:65534
# Warm the build cache the way the grader builds: go build (services),
# go test -c -vet=off with and without -race (go suites), and a plain go
# test with its default vet checks. Then give every cache entry a far
# future modification time: Go deletes entries unused for five days, and
# refreshes the time of entries older than an hour on each use, which in
# a fresh container copies every entry used up from the image.
RUN set -e; \
    for m in /opt/warm/*/; do \
      cd "$m"; \
      go build -o /dev/null .; \
      go test -count=1 .; \
      go test -c -vet=off -o /dev/null .; \
      CGO_ENABLED=1 go test -race -count=1 .; \
      CGO_ENABLED=1 go test -c -race -vet=off -o /dev/null .; \
    done; \
    find /opt/gocache -name '*-[ad]' -exec touch -h -d '2100-01-01 00:00:00 UTC' '{}' +; \
    rm -rf /tmp/gopath /tmp/.config /tmp/go-build*

WORKDIR /work
