# The Go toolchain image: the host's Go, a module cache holding the modules
# learners may use offline, and a build cache warmed as the sandbox user.
FROM grader/base:local
COPY go /usr/local/go
COPY gomodcache /opt/gomodcache
COPY warm /opt/warm
ENV PATH=/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    GOROOT=/usr/local/go HOME=/tmp TMPDIR=/tmp GOPATH=/tmp/gopath \
    GOCACHE=/opt/gocache GOMODCACHE=/opt/gomodcache \
    GOFLAGS=-mod=mod GOPROXY=off GOSUMDB=off GOTOOLCHAIN=local GOTELEMETRY=off CGO_ENABLED=0
# test2json is no longer shipped prebuilt; the grader runs it in the sandbox.
RUN ["/bin/sh", "-c", "GOCACHE=/tmp/rootcache go build -o /usr/local/go/pkg/tool/linux_amd64/test2json cmd/test2json && rm -rf /tmp/rootcache /tmp/gopath"]
RUN ["/bin/sh", "-c", "mkdir -p /opt/gocache /work && chown -R 65534:65534 /opt/gocache /work /opt/warm && chmod -R a+rX,go-w /opt/gomodcache"]
USER 65534:65534
WORKDIR /opt/warm
RUN ["/bin/sh", "-c", "go build -o /dev/null . && go test -count=1 -vet=off ./... && go test -c -vet=off -o /dev/null . && go vet ./... && CGO_ENABLED=1 go test -c -race -vet=off -o /dev/null . && CGO_ENABLED=1 go test -race -count=1 -vet=off ./... && for d in alone*; do (cd $d && go build -o /dev/null .) || exit 1; done && go build std && rm -rf /tmp/gopath /tmp/go-build*"]
WORKDIR /work
