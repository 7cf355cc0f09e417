package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/httpcheck"
)

// tinyServiceEnv makes the test binary a tiny service (see
// runTinyService) instead of running the tests.
const tinyServiceEnv = "GRADEBENCH_TINY_SERVICE"

func TestMain(m *testing.M) {
	if os.Getenv(tinyServiceEnv) != "" {
		runTinyService()
		return
	}
	os.Exit(m.Run())
}

// runTinyService answers GET /health on $PORT and, on SIGTERM, appends
// "term <pid>" to the file $TERM_MARK and exits.
func runTinyService() {
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	ln, err := net.Listen("tcp", "127.0.0.1:"+os.Getenv("PORT"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	go func() {
		<-term
		ln.Close()
		f, err := os.OpenFile(os.Getenv("TERM_MARK"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			fmt.Fprintf(f, "term %d\n", os.Getpid())
			f.Close()
		}
		os.Exit(0)
	}()
	_ = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"pid": %d}`, os.Getpid())
	}))
	select {} // the SIGTERM handler exits
}

// tinyService is a hostService running the tiny service, and a plan
// whose one test restarts it between two requests.
func tinyService(t *testing.T) (*hostService, grader.TesterPlan, string) {
	t.Helper()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	mark := filepath.Join(t.TempDir(), "term")
	svc := &hostService{ctx: context.Background(), argv: []string{os.Args[0]}, dir: t.TempDir(),
		env: append(os.Environ(), tinyServiceEnv+"=1", "PORT="+strconv.Itoa(port), "TERM_MARK="+mark), out: &tailBuffer{max: 4 << 10}}
	plan := grader.TesterPlan{BaseURL: "http://127.0.0.1:" + strconv.Itoa(port), ReadyPath: "/health", ReadyTimeout: 10 * time.Second,
		Tests: []grader.TestSpec{{Name: "survives a restart", Points: 1, Steps: []grader.Step{
			{Request: &grader.Request{Method: "GET", Path: "/before"}, Expect: grader.Expect{Status: 200}},
			{Restart: true, Request: &grader.Request{Method: "GET", Path: "/after"}, Expect: grader.Expect{Status: 200}},
		}}}}
	return svc, plan, mark
}

func TestHostServiceRestart(t *testing.T) {
	svc, plan, mark := tinyService(t)
	if err := svc.start(); err != nil {
		t.Fatal(err)
	}
	defer svc.stop()
	first := svc.pid()
	var events bytes.Buffer
	if err := httpcheck.Run(context.Background(), plan, &testerEvents{w: &events, svc: svc}); err != nil {
		t.Fatalf("tester: %v; service: %s", err, svc.out.String())
	}
	if err := testerFailures(events.Bytes()); err != nil {
		t.Fatalf("%v; events:\n%s", err, events.String())
	}
	for _, ev := range []string{`"event":"restart"`, `"event":"service_stopped"`} {
		if !strings.Contains(events.String(), ev) {
			t.Errorf("no %s event in:\n%s", ev, events.String())
		}
	}
	if svc.restarts != 1 {
		t.Errorf("restarts = %d, want 1", svc.restarts)
	}
	if second := svc.pid(); second == first {
		t.Errorf("the service answering after the restart is the same process (%d)", first)
	}
	got, err := os.ReadFile(mark)
	if err != nil {
		t.Fatalf("the first service did not end on SIGTERM: %v", err)
	}
	if want := fmt.Sprintf("term %d\n", first); string(got) != want {
		t.Errorf("SIGTERM marks = %q, want %q", got, want)
	}
}

func TestHostServiceRestartFails(t *testing.T) {
	svc, plan, _ := tinyService(t)
	if err := svc.start(); err != nil {
		t.Fatal(err)
	}
	defer svc.stop()
	svc.argv = []string{filepath.Join(t.TempDir(), "gone")}
	var events bytes.Buffer
	err := httpcheck.Run(context.Background(), plan, &testerEvents{w: &events, svc: svc})
	if err == nil || !strings.Contains(err.Error(), "restart: start the service") {
		t.Fatalf("tester error = %v, want a failed restart; events:\n%s", err, events.String())
	}
}

func TestTesterEventsSplitLines(t *testing.T) {
	svc, plan, mark := tinyService(t)
	if err := svc.start(); err != nil {
		t.Fatal(err)
	}
	defer svc.stop()
	waitTCP(strings.TrimPrefix(plan.BaseURL, "http://"))
	var out bytes.Buffer
	e := &testerEvents{w: &out, svc: svc}
	// A restart event in two writes still stops the service.
	for _, p := range []string{`{"event":"test_started","name":"a"}` + "\n" + `{"event":"rest`, `art"}` + "\n"} {
		if _, err := e.Write([]byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(mark); err != nil {
		t.Errorf("the service was not stopped with SIGTERM: %v", err)
	}
	if !strings.HasSuffix(out.String(), `{"event":"restart"}`+"\n") {
		t.Errorf("events not passed on: %q", out.String())
	}
}
