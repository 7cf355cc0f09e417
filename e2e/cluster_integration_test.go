//go:build integration

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	goredis "github.com/redis/go-redis/v9"
	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"
	tcnetwork "github.com/testcontainers/testcontainers-go/network"
	"github.com/testcontainers/testcontainers-go/wait"

	gclient "github.com/gradebox/grader/client"
	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/runner"
	"github.com/gradebox/grader/store"
)

// Size of the run: the 200 submissions, graded by two workers of
// two slots each.
const (
	clusterSubmissions = 200
	clusterFollowers   = 8
	clusterInstructor  = "dev-instructor-token-0003"
)

// TestClusterSurvivesCrashes submits 200 gradings to a cluster and, while
// they are graded, SIGKILLs a worker, restarts Redis and restarts the API
// (then starts the killed worker again, as its supervisor would). Every
// submission must end with exactly one result and one done event, both
// workers must have graded some, no sandbox of either may be left, and
// followers whose streams broke must reconnect and see done.
//
// It runs in this package, one test after another, rather than beside
// it: 200 gradings load both cores, and timed checks of other tests
// (a response within 400 ms) must not share them.
func TestClusterSurvivesCrashes(t *testing.T) {
	// Ryuk would be pulled from a registry: these machines have none.
	// Every container here is removed by the test itself. The settings
	// are read once, at testcontainers' first call, which is here.
	t.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	if os.Getenv("TESTCONTAINERS_HOST_OVERRIDE") == "" {
		t.Setenv("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1")
	}
	ctx := context.Background()
	nw, err := tcnetwork.New(ctx)
	testcontainers.CleanupNetwork(t, nw)
	if err != nil {
		t.Fatal(err)
	}
	root, _ := filepath.Abs("..")
	run := fmt.Sprintf("%d", os.Getpid())

	redisC := clusterStart(t, "redis", "grader/redis:local", nw,
		testcontainers.WithCmd("--protected-mode", "no", "--bind", "0.0.0.0", "--port", "6379", "--save", "",
			"--appendonly", "yes", "--appendfsync", "always", "--dir", "/tmp"),
		testcontainers.WithExposedPorts("6379/tcp"),
		testcontainers.WithWaitStrategy(wait.ForLog("Ready to accept connections")))

	apiPort := freePort(t)
	apiC := clusterStart(t, "api", "grader/tools:local", nw,
		testcontainers.WithCmd("serve", "--no-worker", "--listen", "0.0.0.0:8080", "--redis-url", "redis://redis:6379/0",
			"--tokens", "/etc/grader/tokens.json"),
		testcontainers.WithEnv(map[string]string{"GRADER_CATALOG": "/srv/challenges"}),
		testcontainers.WithExposedPorts("8080/tcp"),
		testcontainers.WithHostConfigModifier(func(h *container.HostConfig) {
			h.Binds = append(h.Binds, root+"/challenges:/srv/challenges:ro", root+"/deploy/tokens.dev.json:/etc/grader/tokens.json:ro")
			h.Tmpfs = map[string]string{"/tmp": ""}
			// A fixed host port: followers reconnect to it after a restart.
			h.PortBindings = network.PortMap{network.MustParsePort("8080/tcp"): {{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: strconv.Itoa(apiPort)}}}
		}),
		testcontainers.WithWaitStrategy(wait.ForHTTP("/healthz").WithPort("8080/tcp")))
	base := "http://127.0.0.1:" + strconv.Itoa(apiPort)

	workerIDs := []string{"cluster-w1-" + run, "cluster-w2-" + run}
	var workers []*testcontainers.DockerContainer
	for _, id := range workerIDs {
		workers = append(workers, clusterStart(t, "worker", "grader/tools:local", nw,
			testcontainers.WithCmd("worker", "--redis-url", "redis://redis:6379/0", "--worker-id", id, "--concurrency", "2", "--metrics-listen", ""),
			testcontainers.WithEnv(map[string]string{"GRADER_CATALOG": "/srv/challenges"}),
			testcontainers.WithConfigModifier(func(c *container.Config) { c.User = "0:0" }),
			testcontainers.WithHostConfigModifier(func(h *container.HostConfig) {
				h.Binds = append(h.Binds, root+"/challenges:/srv/challenges:ro", "/var/run/docker.sock:/var/run/docker.sock")
				h.Tmpfs = map[string]string{"/tmp": ""}
			}),
			testcontainers.WithWaitStrategy(wait.ForLog("worker started").WithStartupTimeout(2*time.Minute))))
	}
	t.Cleanup(func() { clusterReap(t, workerIDs) })

	files := clusterFiles(t, root+"/challenges/fix-ledger/languages/python/solution")
	ids := make([]string, 0, clusterSubmissions)
	for i := range clusterSubmissions {
		ids = append(ids, clusterSubmit(t, base, i, files))
	}
	t.Logf("%d submissions accepted", len(ids))

	// Followers on some submissions; their streams break with the API.
	fc, err := gclient.New(gclient.Config{Server: base, Token: clusterInstructor, RetryBase: 200 * time.Millisecond, MaxReconnects: 200,
		StreamIdle: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var fwg sync.WaitGroup
	followed := make([]error, clusterFollowers)
	fctx, stopFollowing := context.WithTimeout(ctx, 15*time.Minute)
	defer stopFollowing()
	for i := range clusterFollowers {
		fwg.Go(func() {
			id := ids[len(ids)-1-i*7]
			res, err := fc.Follow(fctx, id, nil)
			if err == nil && res != nil && res.SubmissionID != id {
				err = fmt.Errorf("followed %s, got the result of %s", id, res.SubmissionID)
			}
			followed[i] = err
		})
	}

	rdb := clusterRedis(t, redisC)
	st := store.New(store.Config{Client: rdb})
	clusterWaitGraded(t, st, ids, clusterSubmissions/5, 5*time.Minute)
	t.Log("SIGKILL worker 1")
	clusterKill(t, workers[0])

	clusterWaitGraded(t, st, ids, clusterSubmissions/3, 5*time.Minute)
	t.Log("restart Redis")
	clusterRestart(t, redisC)
	rdb = clusterRedis(t, redisC)
	st = store.New(store.Config{Client: rdb})

	clusterWaitGraded(t, st, ids, clusterSubmissions/2, 5*time.Minute)
	t.Log("restart the API")
	clusterRestart(t, apiC)
	t.Log("start worker 1 again")
	if err := workers[0].Start(ctx); err != nil {
		t.Fatalf("start worker 1 again: %v", err)
	}

	clusterWaitGraded(t, st, ids, clusterSubmissions, 10*time.Minute)
	fwg.Wait()
	for i, err := range followed {
		if err != nil {
			t.Errorf("follower %d: %v", i, err)
		}
	}
	clusterCheckResults(t, st, ids, workerIDs)
	// Stopped as an orchestrator stops them, the workers remove their
	// warm boxes; the killed one's were removed by its successor's start.
	for i, w := range workers {
		grace := 30 * time.Second
		if err := w.Stop(ctx, &grace); err != nil {
			t.Errorf("stop worker %d: %v", i+1, err)
		}
	}
	clusterCheckNoLeftovers(t, workerIDs)
}

// clusterStart runs a container of the cluster on nw under alias, removed when
// the test ends.
func clusterStart(t *testing.T, alias, image string, nw *testcontainers.DockerNetwork, opts ...testcontainers.ContainerCustomizer) *testcontainers.DockerContainer {
	t.Helper()
	// Its progress lines go to the test's log, shown with -v or a failure.
	opts = append(opts, tcnetwork.WithNetwork([]string{alias}, nw), testcontainers.WithLogger(tclog.TestLogger(t)))
	c, err := testcontainers.Run(context.Background(), image, opts...)
	testcontainers.CleanupContainer(t, c)
	if err != nil {
		t.Fatalf("start %s: %v", alias, err)
	}
	return c
}

// clusterKill sends the container SIGKILL, as a crash of its process would.
func clusterKill(t *testing.T, c *testcontainers.DockerContainer) {
	t.Helper()
	if _, err := cli.ContainerKill(context.Background(), c.GetContainerID(), client.ContainerKillOptions{Signal: "SIGKILL"}); err != nil {
		t.Fatalf("kill: %v", err)
	}
}

// clusterRestart stops c (SIGTERM, then SIGKILL after 10 s) and starts it again.
func clusterRestart(t *testing.T, c *testcontainers.DockerContainer) {
	t.Helper()
	ctx := context.Background()
	grace := 10 * time.Second
	if err := c.Stop(ctx, &grace); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if err := c.Start(ctx); err != nil {
		t.Fatalf("start again: %v", err)
	}
}

// clusterRedis connects to the Redis container's published port, waiting
// for it to answer.
func clusterRedis(t *testing.T, c *testcontainers.DockerContainer) *goredis.Client {
	t.Helper()
	ctx := context.Background()
	addr, err := c.PortEndpoint(ctx, "6379/tcp", "")
	if err != nil {
		t.Fatal(err)
	}
	rdb := goredis.NewClient(&goredis.Options{Addr: addr})
	t.Cleanup(func() { rdb.Close() })
	deadline := time.Now().Add(time.Minute)
	for rdb.Ping(ctx).Err() != nil {
		if time.Now().After(deadline) {
			t.Fatalf("Redis at %s does not answer", addr)
		}
		time.Sleep(200 * time.Millisecond)
	}
	return rdb
}

// clusterFiles reads a folder as JSON submission files.
func clusterFiles(t *testing.T, dir string) []map[string]string {
	t.Helper()
	var files []map[string]string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files = append(files, map[string]string{"name": filepath.ToSlash(rel), "content": string(b)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// clusterSubmit sends submission i (the files and a VARIANT.txt of its own, so
// the result cache answers none) for learner c<i>, and returns its id.
func clusterSubmit(t *testing.T, base string, i int, files []map[string]string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{
		"challenge": "fix-ledger", "language": "python", "learner": fmt.Sprintf("c%03d", i),
		"files": append(files, map[string]string{"name": "VARIANT.txt", "content": strconv.Itoa(i)}),
	})
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/submissions", strings.NewReader(string(body)))
	req.Header.Set("Authorization", "Bearer "+clusterInstructor)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("submit %d: %v", i, err)
	}
	defer resp.Body.Close()
	var acc struct {
		ID string `json:"id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&acc); err != nil || resp.StatusCode != http.StatusAccepted || acc.ID == "" {
		t.Fatalf("submit %d: %d %v", i, resp.StatusCode, err)
	}
	return acc.ID
}

// clusterWaitGraded waits until at least n of ids have a result.
func clusterWaitGraded(t *testing.T, st *store.Redis, ids []string, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got := 0
		for _, id := range ids {
			// Redis may be restarting: an error counts as not yet.
			if _, ok, err := st.Result(context.Background(), id); err == nil && ok {
				got++
			}
		}
		if got >= n {
			t.Logf("%d of %d graded", got, len(ids))
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d submissions graded after %s, want %d", got, len(ids), timeout, n)
		}
		time.Sleep(time.Second)
	}
}

// clusterCheckResults checks every submission has one result, full marks (the
// reference was submitted), one done event, and that both workers
// graded some.
func clusterCheckResults(t *testing.T, st *store.Redis, ids []string, workers []string) {
	t.Helper()
	ctx := context.Background()
	by := map[string]int{}
	for _, id := range ids {
		rec, err := st.Record(ctx, id)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		res, ok, err := st.Result(ctx, id)
		if err != nil || !ok || rec.State != grader.StateGraded {
			t.Errorf("%s: state %s, result %v (%v): lost", id, rec.State, ok, err)
			continue
		}
		if !res.Passed() {
			t.Errorf("%s: %s %d/%d (%s), want full marks", id, res.Status, res.Score, res.MaxScore, res.Message)
		}
		if res.Provenance != nil {
			by[res.Provenance.Worker]++
		}
		events, err := st.Events(ctx, id, "")
		if err != nil {
			t.Fatal(err)
		}
		done := 0
		for _, e := range events {
			if e.Event.Type == grader.EventDone {
				done++
			}
		}
		if done != 1 {
			t.Errorf("%s: %d done events, want exactly 1", id, done)
		}
	}
	t.Logf("graded by worker: %v", by)
	for _, w := range workers {
		if by[w] == 0 {
			t.Errorf("worker %s graded none of %d (by worker: %v)", w, len(ids), by)
		}
	}
}

// clusterCheckNoLeftovers checks no container, network or volume of either
// worker's sandboxes is left.
func clusterCheckNoLeftovers(t *testing.T, workers []string) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var left []string
		for _, w := range workers {
			f := make(client.Filters).Add("label", runner.LabelWorker+"="+w)
			cs, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cs.Items {
				left = append(left, fmt.Sprintf("container %v (%s)", c.Names, c.State))
			}
			ns, err := cli.NetworkList(ctx, client.NetworkListOptions{Filters: f})
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range ns.Items {
				left = append(left, "network "+n.Name)
			}
			vs, err := cli.VolumeList(ctx, client.VolumeListOptions{Filters: f})
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vs.Items {
				left = append(left, "volume "+v.Name)
			}
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("left behind:\n%s", strings.Join(left, "\n"))
		}
		time.Sleep(time.Second)
	}
}

// clusterReap removes whatever the workers' sandboxes left, whatever the
// test's outcome, so a failed run leaves nothing on the daemon.
func clusterReap(t *testing.T, workers []string) {
	ctx := context.Background()
	for _, w := range workers {
		d, err := runner.New(runner.Config{Client: cli, Worker: w})
		if err != nil {
			t.Error(err)
			continue
		}
		if _, err := d.Reap(ctx, runner.ReapOptions{Worker: w, OlderThan: 24 * time.Hour}); err != nil {
			t.Errorf("reap %s: %v", w, err)
		}
	}
}
