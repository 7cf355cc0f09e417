//go:build integration

package images_test

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/client"

	"github.com/gradebox/grader/runner/images"
)

// testLabel marks, with this run's ID, every container these tests make,
// so they remove their own leftovers and nobody else's.
const testLabel = "grader.imagestest"

// sandboxUser is the user learner code runs as.
const sandboxUser = "65534:65534"

func dockerClient(t *testing.T) *client.Client {
	t.Helper()
	cli, err := client.New(client.FromEnv)
	if err != nil {
		t.Fatalf("docker client: %v", err)
	}
	t.Cleanup(func() { cli.Close() })
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if _, err := cli.Ping(ctx, client.PingOptions{}); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("Docker daemon unreachable in CI: %v", err)
		}
		t.Skipf("Docker daemon unreachable, skipping (set CI to make this a failure): %v", err)
	}
	removeLeftovers(t, cli)
	return cli
}

// removeLeftovers removes containers an interrupted run of these tests
// left behind.
func removeLeftovers(t *testing.T, cli *client.Client) {
	t.Helper()
	list, err := cli.ContainerList(t.Context(), client.ContainerListOptions{All: true, Filters: make(client.Filters).Add("label", testLabel)})
	if err != nil {
		t.Fatalf("list leftover containers: %v", err)
	}
	for _, c := range list.Items {
		if _, err := cli.ContainerRemove(t.Context(), c.ID, client.ContainerRemoveOptions{Force: true}); err != nil && !cerrdefs.IsNotFound(err) {
			t.Logf("remove leftover container %s: %v", c.ID, err)
		}
	}
}

// toolsBinary returns the grader binary for the tools image: GRADER_BIN
// (make integration sets it), else ./cmd/grader built as make build does,
// so both give the same digest. Empty when it does not build: the tools
// image is then left alone.
func toolsBinary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("GRADER_BIN"); p != "" {
		return p
	}
	out := t.TempDir() + "/grader"
	cmd := exec.CommandContext(t.Context(), "go", "build", "-trimpath", "-o", out, "github.com/gradebox/grader/cmd/grader")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Logf("the grader binary does not build, so the tools image is not checked: %v\n%s", err, b)
		return ""
	}
	return out
}

// TestBuild builds every image, then again: the second run must find
// everything up to date within seconds.
func TestBuild(t *testing.T) {
	cli := dockerClient(t)
	ctx := t.Context()
	opts := images.Options{
		Client:      cli,
		Logger:      slog.New(slog.NewTextHandler(t.Output(), nil)),
		ToolsBinary: toolsBinary(t),
	}
	first, err := images.Build(ctx, opts)
	if err != nil {
		t.Fatalf("first build: %v", err)
	}
	t.Logf("first build:\n%s", first)

	start := time.Now()
	second, err := images.Build(ctx, opts)
	if err != nil {
		t.Fatalf("second build: %v", err)
	}
	took := time.Since(start)
	t.Logf("second build, %.1fs:\n%s", took.Seconds(), second)
	if len(second) != len(first) {
		t.Fatalf("second build did %d images, the first %d", len(second), len(first))
	}
	for i, e := range second {
		if e.Built || e.ID != first[i].ID {
			t.Errorf("second build: %s built=%v id=%s, want up to date with id %s", e.Tag, e.Built, e.ID, first[i].ID)
		}
	}
	if took > 10*time.Second {
		t.Errorf("an up-to-date build took %v", took)
	}

	missing, err := images.Missing(ctx, cli)
	if err != nil {
		t.Fatal(err)
	}
	if opts.ToolsBinary == "" {
		missing = slices.DeleteFunc(missing, func(s string) bool { return s == images.Tools })
	}
	if len(missing) > 0 {
		t.Errorf("after a build, Missing = %v", missing)
	}
	for _, tag := range images.Required {
		insp, err := cli.ImageInspect(ctx, tag)
		if err != nil {
			continue
		}
		t.Logf("%s: %d MB", tag, insp.Size>>20)
		if insp.Config.Labels[images.LabelManaged] != "true" || len(insp.Config.Labels[images.LabelDigest]) != 64 {
			t.Errorf("%s labels %v", tag, insp.Config.Labels)
		}
	}
}

// result is how a container ended.
type result struct {
	exit    int
	output  string
	changes []string // paths the container changed, from ContainerDiff
}

// box describes a short-lived container.
type box struct {
	image      string
	cmd        []string
	entrypoint []string
	files      map[string]string // copied into /work, owned by the sandbox user
	readOnly   bool
	network    string // "" means none
	timeout    time.Duration
	mounts     []mount.Mount
}

// run runs b to its end and removes it.
func run(t *testing.T, cli *client.Client, b box) result {
	t.Helper()
	id := start(t, cli, b)
	ctx, cancel := context.WithTimeout(t.Context(), b.timeout)
	defer cancel()
	wait := cli.ContainerWait(ctx, id, client.ContainerWaitOptions{Condition: container.WaitConditionNotRunning})
	var res result
	select {
	case w := <-wait.Result:
		res.exit = int(w.StatusCode)
	case err := <-wait.Error:
		t.Fatalf("wait for %v: %v", b.cmd, err)
	}
	res.output = logs(t, cli, id)
	diff, err := cli.ContainerDiff(t.Context(), id, client.ContainerDiffOptions{})
	if err != nil {
		t.Fatalf("diff: %v", err)
	}
	for _, c := range diff.Changes {
		res.changes = append(res.changes, c.Path)
	}
	return res
}

// start creates and starts b, hardened like a grader box, and removes it
// when the test ends.
func start(t *testing.T, cli *client.Client, b box) string {
	t.Helper()
	ctx := t.Context()
	runID := make([]byte, 4)
	_, _ = rand.Read(runID)
	network := container.NetworkMode("none")
	if b.network != "" {
		network = container.NetworkMode("container:" + b.network)
	}
	pids := int64(256)
	created, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{
		Name: "grader-imagestest-" + hex.EncodeToString(runID),
		Config: &container.Config{
			Image: b.image, Cmd: b.cmd, Entrypoint: b.entrypoint, User: sandboxUser, WorkingDir: "/work",
			Labels: map[string]string{testLabel: hex.EncodeToString(runID)},
		},
		HostConfig: &container.HostConfig{
			NetworkMode:    network,
			ReadonlyRootfs: b.readOnly,
			CapDrop:        []string{"ALL"},
			SecurityOpt:    []string{"no-new-privileges"},
			Tmpfs:          map[string]string{"/tmp": "rw,exec,nosuid,nodev,size=512m,uid=65534,gid=65534"},
			Resources: container.Resources{
				Memory: 2 << 30, MemorySwap: 2 << 30, NanoCPUs: 2_000_000_000, PidsLimit: &pids,
			},
			Mounts: b.mounts,
		},
	})
	if err != nil {
		t.Fatalf("create container: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(t.Context()), 30*time.Second)
		defer cancel()
		if _, err := cli.ContainerRemove(ctx, created.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true}); err != nil && !cerrdefs.IsNotFound(err) {
			t.Errorf("remove container: %v", err)
		}
	})
	if len(b.files) > 0 {
		// Ownership comes from the tar headers, as in the runner: CopyUIDGID
		// would look the numeric user up in a passwd database and fail
		// ("getent unable to find entry").
		_, err := cli.CopyToContainer(ctx, created.ID, client.CopyToContainerOptions{DestinationPath: "/work", Content: tarOf(t, b.files)})
		if err != nil {
			t.Fatalf("copy files: %v", err)
		}
	}
	if _, err := cli.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
		t.Fatalf("start container: %v", err)
	}
	return created.ID
}

func logs(t *testing.T, cli *client.Client, id string) string {
	t.Helper()
	rc, err := cli.ContainerLogs(t.Context(), id, client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true})
	if err != nil {
		t.Fatalf("logs: %v", err)
	}
	defer rc.Close()
	var out bytes.Buffer
	if _, err := stdcopy.StdCopy(&out, &out, rc); err != nil {
		t.Fatalf("read logs: %v", err)
	}
	return out.String()
}

func tarOf(t *testing.T, files map[string]string) io.Reader {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, text := range files {
		h := &tar.Header{Name: name, Mode: 0o644, Size: int64(len(text)), Uid: 65534, Gid: 65534, ModTime: time.Now()}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(text)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf
}

// requireImages skips the test when an image is missing and Build cannot
// be relied on to have run before (go test -run).
func requireImages(t *testing.T, cli *client.Client, tags ...string) {
	t.Helper()
	for _, tag := range tags {
		if _, err := cli.ImageInspect(t.Context(), tag); err != nil {
			t.Fatalf("image %s: %v (run TestBuild or make images first)", tag, err)
		}
	}
}

// millis reads "<name>=<n>" from a script's output.
func millis(t *testing.T, output, name string) time.Duration {
	t.Helper()
	m := regexp.MustCompile(name + `=([0-9]+)`).FindStringSubmatch(output)
	if m == nil {
		t.Fatalf("no %s in output:\n%s", name, output)
	}
	n, _ := strconv.Atoi(m[1])
	return time.Duration(n) * time.Millisecond
}

// timed is a shell snippet running cmd and printing name=<milliseconds>.
func timed(name, cmd string) string {
	return fmt.Sprintf(`t0=$(date +%%s%%N); %s || exit $?; echo %s=$(( ($(date +%%s%%N) - t0) / 1000000 ))`, cmd, name)
}

const ginMain = `package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/gin-gonic/gin"
)

func main() {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/ping", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"message": "pong"}) })
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/ping", nil))
	fmt.Println(w.Code, w.Body.String())
}
`

// racyTest races on a counter through a gin handler. Every handler writes
// the counter before any of them returns: gin recycles its contexts through
// a sync.Pool, and a context put back by one request and taken by the next
// orders their writes for the race detector, which would hide the race
// whenever the requests happened to run one after another.
const racyTest = `package main

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"
)

func TestRace(t *testing.T) {
	hits := 0
	var inside sync.WaitGroup
	inside.Add(8)
	r := gin.New()
	r.GET("/", func(c *gin.Context) {
		hits++
		inside.Done()
		inside.Wait()
		c.Status(http.StatusNoContent)
	})
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
		}()
	}
	wg.Wait()
	if hits == 0 {
		t.Fatal("no hits")
	}
}
`

const redisMain = `package main

import (
	"fmt"

	"github.com/redis/go-redis/v9"
)

func main() {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer rdb.Close()
	fmt.Println("client for", rdb.Options().Addr)
}
`

// TestGoImage compiles and runs learner-like code in grader/go:local as
// the sandbox user, without network.
func TestGoImage(t *testing.T) {
	cli := dockerClient(t)
	requireImages(t, cli, images.Go)

	t.Run("gin program builds warm and runs", func(t *testing.T) {
		res := run(t, cli, box{image: images.Go, timeout: 3 * time.Minute,
			files: map[string]string{"main.go": ginMain},
			cmd: []string{"bash", "-c", "stat -c 'main.go owner=%u:%g' main.go && cp /opt/warm/gin/go.mod /opt/warm/gin/go.sum . && " +
				timed("build_ms", "go build -o /tmp/app .") + " && " + timed("rebuild_ms", "go build -o /tmp/app2 .") + " && /tmp/app"}})
		if res.exit != 0 || !strings.Contains(res.output, `200 {"message":"pong"}`) || !strings.Contains(res.output, "main.go owner="+sandboxUser) {
			t.Fatalf("exit %d, output:\n%s", res.exit, res.output)
		}
		build := millis(t, res.output, "build_ms")
		t.Logf("warm go build of a gin program: %v (again: %v)", build, millis(t, res.output, "rebuild_ms"))
		if build > 15*time.Second {
			t.Errorf("a warm gin build took %v: the build cache is cold", build)
		}
		assertUntouched(t, res.changes)
	})

	t.Run("race detector finds a planted race", func(t *testing.T) {
		res := run(t, cli, box{image: images.Go, timeout: 3 * time.Minute,
			files: map[string]string{"race_test.go": racyTest, "main.go": "package main\n\nfunc main() {}\n"},
			cmd: []string{"bash", "-c", "cp /opt/warm/gin/go.mod /opt/warm/gin/go.sum . && export CGO_ENABLED=1 && " +
				timed("race_c_ms", "go test -c -race -vet=off -o /tmp/race.test .") + " && go test -race -count=1 ."}})
		if res.exit != 1 || !strings.Contains(res.output, "DATA RACE") {
			t.Fatalf("exit %d, want 1 with a DATA RACE report; output:\n%s", res.exit, res.output)
		}
		c := millis(t, res.output, "race_c_ms")
		t.Logf("warm go test -c -race of a gin test package: %v", c)
		if c > 30*time.Second {
			t.Errorf("a warm race build took %v: the race build cache is cold", c)
		}
		assertUntouched(t, res.changes)
	})

	t.Run("go-redis resolves with GOPROXY=off and no go.sum", func(t *testing.T) {
		res := run(t, cli, box{image: images.Go, timeout: 3 * time.Minute,
			files: map[string]string{
				"go.mod":  "module learner\n\ngo 1.26\n\nrequire github.com/redis/go-redis/v9 v9.23.0\n",
				"main.go": redisMain,
			},
			cmd: []string{"bash", "-c", `echo "proxy=$(go env GOPROXY)" && go build -o /tmp/app . && /tmp/app && test -s go.sum && echo go.sum written`}})
		if res.exit != 0 || !strings.Contains(res.output, "proxy=off") || !strings.Contains(res.output, "client for 127.0.0.1:6379") ||
			!strings.Contains(res.output, "go.sum written") {
			t.Fatalf("exit %d, output:\n%s", res.exit, res.output)
		}
		assertUntouched(t, res.changes)
	})

	t.Run("other modules cannot be downloaded", func(t *testing.T) {
		// An import no module in go.mod provides makes Go look the module
		// up, which GOPROXY=off refuses. A module go.mod requires is
		// downloaded straight away, and the root-owned module cache stops
		// that before any proxy is asked. Either way, the build fails and
		// leaves the module cache as it was.
		const imports = "package main\n\nimport _ \"github.com/google/uuid\"\n\nfunc main() {}\n"
		for _, tc := range []struct {
			name, goMod string
			want        []string
		}{
			{"imported, not required", "module learner\n\ngo 1.26\n",
				[]string{"github.com/google/uuid", "module lookup disabled by GOPROXY=off"}},
			{"required in go.mod", "module learner\n\ngo 1.26\n\nrequire github.com/google/uuid v1.6.0\n",
				[]string{"go: downloading github.com/google/uuid v1.6.0", "mkdir /opt/gomodcache/", "permission denied"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := run(t, cli, box{image: images.Go, timeout: time.Minute,
					files: map[string]string{"go.mod": tc.goMod, "main.go": imports},
					cmd:   []string{"go", "build", "-o", "/tmp/app", "."}})
				if res.exit == 0 {
					t.Fatalf("the build succeeded; output:\n%s", res.output)
				}
				for _, want := range tc.want {
					if !strings.Contains(res.output, want) {
						t.Errorf("exit %d, output lacks %q:\n%s", res.exit, want, res.output)
					}
				}
				assertUntouched(t, res.changes)
			})
		}
	})

	t.Run("layout and ownership", func(t *testing.T) {
		script := `set -u
for p in /opt/gomodcache /opt/gomodcache/github.com/gin-gonic/gin@v1.12.0 /usr/local/go/bin /usr/local/go/src/fmt /etc /; do
  touch "$p/x" 2>/dev/null && echo "writable: $p"
done
echo owners: $(stat -c '%u' /opt/gocache /work /opt/warm /opt/gomodcache /usr/local/go)
echo "work entries: $(ls -A /work | wc -l)"
test -x /usr/local/go/pkg/tool/linux_amd64/test2json && echo test2json ok
echo "stale cache entries: $(find /opt/gocache -name '*-[ad]' ! -newermt 2099-01-01 | wc -l)"
echo "cache entries: $(find /opt/gocache -name '*-a' | wc -l)"
ls /usr/local/go
go version`
		res := run(t, cli, box{image: images.Go, timeout: time.Minute, cmd: []string{"bash", "-c", script}})
		if res.exit != 0 {
			t.Fatalf("exit %d, output:\n%s", res.exit, res.output)
		}
		for _, want := range []string{"owners: 65534 65534 65534 0 0", "work entries: 0", "test2json ok", "stale cache entries: 0"} {
			if !strings.Contains(res.output, want) {
				t.Errorf("output lacks %q:\n%s", want, res.output)
			}
		}
		for _, unwanted := range []string{"writable:", "test\n", "api\n", "doc\n"} {
			if strings.Contains(res.output, unwanted) {
				t.Errorf("output has %q:\n%s", unwanted, res.output)
			}
		}
	})
}

// assertUntouched fails when a build changed the toolchain or the module
// cache.
func assertUntouched(t *testing.T, changes []string) {
	t.Helper()
	for _, p := range changes {
		if strings.HasPrefix(p, "/opt/gomodcache/") || strings.HasPrefix(p, "/usr/local/go/") {
			t.Errorf("the build changed %s", p)
		}
	}
}

// TestRedisImage starts the Redis fixture on a read-only root without a
// writable folder at all, and pings it from a second container in its
// network namespace.
// TestGoToolchainVolume: the toolchain volumes copy the go image's GOROOT
// and module cache, a box mounts them read-only and builds with them, and
// a fill that did not finish is not taken for a complete one.
func TestGoToolchainVolume(t *testing.T) {
	cli := dockerClient(t)
	requireImages(t, cli, images.Go)
	ctx := t.Context()
	name, err := images.EnsureGoToolchain(ctx, cli)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := images.GoToolchainVolume(ctx, cli); err != nil || got != name {
		t.Fatalf("GoToolchainVolume = %q, %v; want %q", got, err, name)
	}
	var mounts []mount.Mount
	for _, m := range images.GoToolchainMounts(name) {
		v, err := cli.VolumeInspect(ctx, m.Volume, client.VolumeInspectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if v.Volume.Labels[images.LabelToolchain] == "" || v.Volume.Labels[images.LabelManaged] != "" {
			t.Errorf("volume %s labels %v: want %s and not %s (the reaper removes managed volumes)", m.Volume, v.Volume.Labels, images.LabelToolchain, images.LabelManaged)
		}
		mounts = append(mounts, mount.Mount{Type: mount.TypeVolume, Source: m.Volume, Target: m.Target, ReadOnly: true,
			VolumeOptions: &mount.VolumeOptions{NoCopy: true}})
	}
	res := run(t, cli, box{image: images.Go, timeout: 3 * time.Minute, mounts: mounts,
		files: map[string]string{"main.go": ginMain},
		cmd: []string{"bash", "-c", "cp /opt/warm/gin/go.mod /opt/warm/gin/go.sum . && go build -o /tmp/app . && " +
			"for p in /usr/local/go /opt/gomodcache; do touch $p/x 2>&1 | grep -q 'Read-only file system' && echo read-only: $p; done; /tmp/app"}})
	for _, want := range []string{`200 {"message":"pong"}`, "read-only: /usr/local/go", "read-only: /opt/gomodcache"} {
		if res.exit != 0 || !strings.Contains(res.output, want) {
			t.Errorf("exit %d, output lacks %q:\n%s", res.exit, want, res.output)
		}
	}
	// A fill container left behind means the fill did not finish.
	fill, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Name: name + "-fill",
		Config: &container.Config{Image: images.Go, Cmd: []string{"true"}}, HostConfig: &container.HostConfig{NetworkMode: "none"}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := images.GoToolchainVolume(ctx, cli)
	if _, rerr := cli.ContainerRemove(context.WithoutCancel(ctx), fill.ID, client.ContainerRemoveOptions{Force: true}); rerr != nil {
		t.Fatal(rerr)
	}
	if err != nil || got != "" {
		t.Errorf("with a fill container left: GoToolchainVolume = %q, %v; want none", got, err)
	}
}

func TestRedisImage(t *testing.T) {
	cli := dockerClient(t)
	requireImages(t, cli, images.Redis)
	id := start(t, cli, box{image: images.Redis, readOnly: true})

	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(logs(t, cli, id), "Ready to accept connections") {
		if time.Now().After(deadline) {
			t.Fatalf("redis not ready after 20s:\n%s", logs(t, cli, id))
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The engine finds the container's processes by the PID column, so
	// ps must print it ("Couldn't find PID field in ps output").
	top, err := cli.ContainerTop(t.Context(), id, client.ContainerTopOptions{Arguments: []string{"-o", "pid,uid,comm"}})
	if err != nil {
		t.Fatal(err)
	}
	uid := slices.Index(top.Titles, "UID")
	if uid < 0 {
		t.Fatalf("ps titles %v have no UID column", top.Titles)
	}
	if len(top.Processes) != 1 || len(top.Processes[0]) <= uid || top.Processes[0][uid] != "65534" {
		t.Errorf("processes %v (%v), want one, as uid 65534", top.Processes, top.Titles)
	}
	ping := run(t, cli, box{image: images.Redis, network: id, readOnly: true, timeout: 30 * time.Second,
		entrypoint: []string{"redis-cli"}, cmd: []string{"-h", "127.0.0.1", "-p", "6379", "ping"}})
	if ping.exit != 0 || strings.TrimSpace(ping.output) != "PONG" {
		t.Fatalf("redis-cli ping: exit %d, output %q", ping.exit, ping.output)
	}
	if out := logs(t, cli, id); strings.Contains(out, "# ") && strings.Contains(strings.ToLower(out), "read-only") {
		t.Errorf("redis complained about the read-only root:\n%s", out)
	}
}

// TestToolsImage runs the tools image's static binary from scratch.
func TestToolsImage(t *testing.T) {
	cli := dockerClient(t)
	requireImages(t, cli, images.Tools)
	insp, err := cli.ImageInspect(t.Context(), images.Tools)
	if err != nil {
		t.Fatal(err)
	}
	if insp.Config.User != sandboxUser || !slices.Equal(insp.Config.Entrypoint, []string{"/grader"}) {
		t.Errorf("user %q, entrypoint %v", insp.Config.User, insp.Config.Entrypoint)
	}
	res := run(t, cli, box{image: images.Tools, readOnly: true, timeout: 30 * time.Second, cmd: []string{"sandbox", "--help"}})
	if res.exit != 0 || !strings.Contains(res.output, "upstream") {
		t.Fatalf("grader sandbox --help: exit %d, output:\n%s", res.exit, res.output)
	}
}

// TestRuntimeImagesBuild builds every image but the tools image twice:
// the second build must find each up to date, the runtime images
// included, and they must carry their digests. (TestBuild does the same
// with the tools image.)
func TestRuntimeImagesBuild(t *testing.T) {
	cli := dockerClient(t)
	ctx := t.Context()
	opts := images.Options{Client: cli, Logger: slog.New(slog.NewTextHandler(t.Output(), nil)), Progress: t.Output()}
	first, err := images.Build(ctx, opts)
	if err != nil {
		t.Fatalf("first build: %v", err)
	}
	t.Logf("first build:\n%s", first)
	second, err := images.Build(ctx, opts)
	if err != nil {
		t.Fatalf("second build: %v", err)
	}
	t.Logf("second build:\n%s", second)
	if len(second) != len(first) {
		t.Fatalf("second build did %d images, the first %d", len(second), len(first))
	}
	for i, e := range second {
		if e.Built || e.ID != first[i].ID {
			t.Errorf("second build: %s built=%v id=%s, want up to date with id %s", e.Tag, e.Built, e.ID, first[i].ID)
		}
	}
	for _, tag := range []string{images.Python, images.Node} {
		insp, err := cli.ImageInspect(ctx, tag)
		if err != nil {
			t.Fatalf("%s: %v", tag, err)
		}
		t.Logf("%s: %d MB", tag, insp.Size>>20)
		if insp.Config.Labels[images.LabelManaged] != "true" || len(insp.Config.Labels[images.LabelDigest]) != 64 {
			t.Errorf("%s labels %v", tag, insp.Config.Labels)
		}
		if insp.Config.User != sandboxUser || insp.Config.WorkingDir != "/work" || !slices.Contains(insp.Config.Env, "HOME=/tmp") {
			t.Errorf("%s: user %q, workdir %q, env %v", tag, insp.Config.User, insp.Config.WorkingDir, insp.Config.Env)
		}
	}
}

// runtimeCase is a script run in a runtime image's box, without network,
// and what its output must and must not hold.
type runtimeCase struct {
	name   string
	files  map[string]string
	script string
	want   []string
	lack   []string
}

func (rc runtimeCase) run(t *testing.T, cli *client.Client, image string) {
	t.Run(rc.name, func(t *testing.T) {
		res := run(t, cli, box{image: image, timeout: 2 * time.Minute, files: rc.files, cmd: []string{"bash", "-c", rc.script}})
		if res.exit != 0 {
			t.Fatalf("exit %d, output:\n%s", res.exit, res.output)
		}
		for _, want := range rc.want {
			if !strings.Contains(res.output, want) {
				t.Errorf("output lacks %q:\n%s", want, res.output)
			}
		}
		for _, unwanted := range rc.lack {
			if strings.Contains(res.output, unwanted) {
				t.Errorf("output has %q:\n%s", unwanted, res.output)
			}
		}
	})
}

// noInstaller checks, in a runtime box, that no package installer runs.
const noInstaller = `for c in pip pip3 npm npx yarn corepack easy_install; do command -v "$c" && echo "installer: $c"; done
python3 -m pip --version 2>/dev/null && echo "installer: python3 -m pip"
echo "user $(id -u):$(id -g) home=$HOME"
true`

// HTTP clients that print the body of a GET on their argument, one per
// runtime image.
const (
	pythonGet = `python3 -c 'import urllib.request,sys; print(urllib.request.urlopen(sys.argv[1], timeout=1).read().decode())'`
	nodeGet   = `node -e 'require("http").get(process.argv[1], (r) => { let b = ""; r.on("data", (d) => b += d); r.on("end", () => console.log(b)); }).on("error", () => process.exit(1))'`
)

// serveAndGet starts a server in the background and prints what a GET on
// url with client answers once it does, within 20 s.
func serveAndGet(server, client, url string) string {
	return server + ` >/tmp/server.log 2>&1 &
for i in $(seq 200); do
  body=$(` + client + ` ` + url + ` 2>/dev/null) && break
  sleep 0.1
done
echo "answer: $body"; cat /tmp/server.log`
}

const flaskApp = `from flask import Flask

app = Flask(__name__)


@app.get("/ping")
def ping():
    return {"message": "pong from flask"}


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8080)
`

const fastAPIApp = `from fastapi import FastAPI

app = FastAPI()


@app.get("/ping")
async def ping():
    return {"message": "pong from fastapi"}
`

const pytestFile = `import pytest


@pytest.mark.parametrize("n", [1, 2])
def test_positive(n):
    assert n > 0
`

// TestPythonImage runs learner-like Python in grader/python:local as the
// sandbox user, without network.
func TestPythonImage(t *testing.T) {
	cli := dockerClient(t)
	requireImages(t, cli, images.Python)
	for _, rc := range []runtimeCase{
		{name: "python 3.11 without installers", script: "python3 --version; " + noInstaller,
			want: []string{"Python 3.11.", "user 65534:65534 home=/tmp"}, lack: []string{"installer:"}},
		{name: "offered packages import", script: `python3 -c 'import flask, fastapi, uvicorn, redis, psycopg, requests, httpx, pytest; print("imported")'`,
			want: []string{"imported"}},
		{name: "pytest runs", files: map[string]string{"test_it.py": pytestFile},
			script: "python3 -m pytest -q -p no:cacheprovider test_it.py", want: []string{"2 passed"}},
		{name: "flask answers on loopback", files: map[string]string{"app.py": flaskApp},
			script: serveAndGet("python3 app.py", pythonGet, "http://127.0.0.1:8080/ping"), want: []string{`answer: {"message":"pong from flask"}`}},
		{name: "fastapi answers through uvicorn", files: map[string]string{"app.py": fastAPIApp},
			script: serveAndGet("python3 -m uvicorn app:app --host 127.0.0.1 --port 8080", pythonGet, "http://127.0.0.1:8080/ping"),
			want:   []string{`answer: {"message":"pong from fastapi"}`}},
		{name: "no network", script: `python3 -c 'import socket; socket.create_connection(("151.101.2.132", 80), timeout=3)' 2>&1 | tail -1; true`,
			want: []string{"Network is unreachable"}},
	} {
		rc.run(t, cli, images.Python)
	}

	t.Run("offered list", func(t *testing.T) {
		o, err := images.ReadOffered(t.Context(), cli, images.Python)
		if err != nil {
			t.Fatal(err)
		}
		if o.Language != images.LanguagePython || !strings.HasPrefix(o.Runtime, "3.11.") {
			t.Errorf("language %q, runtime %q", o.Language, o.Runtime)
		}
		checkPackages(t, o, "python3-fastapi", "python3-flask", "python3-httpx", "python3-psycopg", "python3-pytest",
			"python3-redis", "python3-requests", "python3-uvicorn")
		checkOffered(t, o, []string{"flask", "fastapi", "uvicorn", "redis", "psycopg", "requests", "httpx", "pytest", "json", "asyncio", "flask.json"},
			[]string{"numpy", "pandas", "django", "pip", "setuptools"})
		t.Logf("offered: %s", o.Summary())
		// Everything listed imports, and nothing unlisted does.
		script := `import importlib, json, sys
o = json.load(open(sys.argv[1]))
bad = []
for m in o["modules"]:
    try:
        importlib.import_module(m)
    except Exception as e:
        bad.append(f"{m}: {e!r}")
for m in ["numpy", "pandas", "django", "pip", "setuptools"]:
    try:
        importlib.import_module(m)
        bad.append(f"{m} imports but is not listed")
    except ImportError:
        pass
print("\n".join(bad) or "all listed modules import")`
		res := run(t, cli, box{image: images.Python, timeout: 2 * time.Minute, files: map[string]string{"check.py": script},
			cmd: []string{"python3", "check.py", images.OfferedPath}})
		if res.exit != 0 || strings.TrimSpace(res.output) != "all listed modules import" {
			t.Errorf("exit %d:\n%s", res.exit, res.output)
		}
	})
}

// checkPackages checks that o lists exactly the Debian packages want, in
// that order, each with a version.
func checkPackages(t *testing.T, o images.Offered, want ...string) {
	t.Helper()
	var got []string
	for _, p := range o.Packages {
		got = append(got, p.Debian)
		if p.Version == "" {
			t.Errorf("package %s has no version", p.Debian)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("offered packages %v, want %v", got, want)
	}
}

// checkOffered checks that o provides every name of have and none of
// lack.
func checkOffered(t *testing.T, o images.Offered, have, lack []string) {
	t.Helper()
	for _, n := range have {
		if !o.Provides(n) {
			t.Errorf("the %s image does not offer %q; modules %v", o.Language, n, o.Modules)
		}
	}
	for _, n := range lack {
		if o.Provides(n) {
			t.Errorf("the %s image offers %q", o.Language, n)
		}
	}
}

const expressApp = `const express = require('express');

const app = express();
app.get('/ping', (req, res) => res.json({ message: 'pong from express' }));
app.listen(3000, '127.0.0.1');
`

const nodeTestFile = `const test = require('node:test');
const assert = require('node:assert');

test('adds', () => {
  assert.strictEqual(1 + 1, 2);
});
`

// TestNodeImage runs learner-like JavaScript in grader/node:local as the
// sandbox user, without network.
func TestNodeImage(t *testing.T) {
	cli := dockerClient(t)
	requireImages(t, cli, images.Node)
	for _, rc := range []runtimeCase{
		{name: "node 18 without installers", script: "node --version; " + noInstaller,
			want: []string{"v18.", "user 65534:65534 home=/tmp"}, lack: []string{"installer:"}},
		{name: "offered packages require", script: `node -e 'require("express"); require("redis"); require("pg"); console.log("required")'`,
			want: []string{"required"}},
		{name: "node --test runs", files: map[string]string{"add.test.js": nodeTestFile},
			script: "node --test", want: []string{"# pass 1", "# fail 0"}},
		{name: "express answers on loopback", files: map[string]string{"server.js": expressApp},
			script: serveAndGet("node server.js", nodeGet, "http://127.0.0.1:3000/ping"), want: []string{`answer: {"message":"pong from express"}`}},
	} {
		rc.run(t, cli, images.Node)
	}

	t.Run("offered list", func(t *testing.T) {
		o, err := images.ReadOffered(t.Context(), cli, images.Node)
		if err != nil {
			t.Fatal(err)
		}
		if o.Language != images.LanguageNode || !strings.HasPrefix(o.Runtime, "v18.") {
			t.Errorf("language %q, runtime %q", o.Language, o.Runtime)
		}
		checkPackages(t, o, "node-express", "node-pg", "node-redis")
		checkOffered(t, o, []string{"express", "redis", "pg", "fs", "node:fs", "node:test", "http", "express/lib/router"},
			[]string{"left-pad", "koa", "fastify", "npm", "node:express"})
		t.Logf("offered: %s", o.Summary())
		// Everything listed resolves, and nothing unlisted does.
		script := `const o = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));
const bad = [];
for (const m of o.modules) { try { require.resolve(m); } catch (e) { bad.push(m + ': ' + e.message); } }
for (const m of o.stdlib) { try { require(m); } catch (e) { bad.push(m + ': ' + e.message); } }
for (const m of ['left-pad', 'koa', 'fastify', 'npm']) { try { require.resolve(m); bad.push(m + ' resolves but is not listed'); } catch {} }
console.log(bad.join('\n') || 'all listed modules resolve');`
		res := run(t, cli, box{image: images.Node, timeout: 2 * time.Minute, files: map[string]string{"check.js": script},
			cmd: []string{"node", "--no-warnings", "check.js", images.OfferedPath}})
		if res.exit != 0 || strings.TrimSpace(res.output) != "all listed modules resolve" {
			t.Errorf("exit %d:\n%s", res.exit, res.output)
		}
	})
}
