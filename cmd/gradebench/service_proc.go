package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// tailBuffer keeps the last max bytes written to it, for the log of a
// process that failed.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - b.max; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.TrimSpace(string(b.buf))
}

// child is a process this run started; done closes when it has exited.
type child struct {
	name string
	cmd  *exec.Cmd
	log  *tailBuffer
	done chan struct{}
}

func startChild(name string, cmd *exec.Cmd) (*child, error) {
	c := &child{name: name, cmd: cmd, log: &tailBuffer{max: 16 << 10}, done: make(chan struct{})}
	if cmd.Stdout == nil {
		cmd.Stdout = c.log
	}
	if cmd.Stderr == nil {
		cmd.Stderr = c.log
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() {
		_ = cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

// stop sends SIGTERM and waits up to grace for the process to exit, then
// kills it.
func (c *child) stop(grace time.Duration) {
	select {
	case <-c.done:
		return
	default:
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-c.done:
	case <-t.C:
		fmt.Fprintf(os.Stderr, "  %s did not stop within %s of SIGTERM: killed\n", c.name, grace)
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

// serveOptions say how to start `grader serve`.
type serveOptions struct {
	bin, catalog string
	redisURL     string
	// workerID is unique per measure, so a worker's start-up reaper never
	// touches another process's sandboxes.
	workerID    string
	concurrency int
	noWorker    bool
	tokens      string // GRADER_TOKENS
}

// serveProc is a running `grader serve`.
type serveProc struct {
	*child
	url string // the API's base URL
}

// servingLine is what serve prints on stderr once it accepts requests.
var servingLine = regexp.MustCompile(`grader: serving on (http://\S+)`)

// startServe runs `grader serve` and waits until it prints its address.
func startServe(ctx context.Context, o serveOptions) (*serveProc, error) {
	args := []string{"--catalog", o.catalog, "serve", "--listen", "127.0.0.1:0", "--redis-url", o.redisURL,
		"--worker-id", o.workerID, "--concurrency", strconv.Itoa(o.concurrency), "--submit-limit", "1000000"}
	if o.noWorker {
		args = append(args, "--no-worker")
	}
	cmd := exec.Command(o.bin, args...)
	cmd.Env = append(os.Environ(), "GRADER_TOKENS="+o.tokens)
	pr, pw := io.Pipe()
	cmd.Stderr = pw
	c, err := startChild("grader serve", cmd)
	if err != nil {
		return nil, err
	}
	urls := make(chan string, 1)
	scanned := make(chan struct{}) // the log holds all the process wrote
	go func() {
		defer close(scanned)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			c.log.Write([]byte(line + "\n"))
			if m := servingLine.FindStringSubmatch(line); m != nil {
				select {
				case urls <- m[1]:
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, pr) // an over-long line: keep the pipe drained
	}()
	go func() {
		<-c.done
		pw.Close()
	}()
	t := time.NewTimer(2 * time.Minute)
	defer t.Stop()
	select {
	case u := <-urls:
		return &serveProc{child: c, url: u}, nil
	case <-c.done:
		<-scanned // the pipe closes once the process is gone
		return nil, fmt.Errorf("grader serve exited before serving: %s", c.log)
	case <-t.C:
		c.stop(30 * time.Second)
		return nil, fmt.Errorf("grader serve did not start serving within 2m: %s", c.log)
	case <-ctx.Done():
		c.stop(30 * time.Second)
		return nil, ctx.Err()
	}
}

func (s *serveProc) pid() int { return s.cmd.Process.Pid }

// cpuTimes are the machine's CPU jiffies from /proc/stat: busy is total
// less idle and iowait.
type cpuTimes struct{ busy, total uint64 }

// parseCPUStat reads the aggregate "cpu" line of /proc/stat. Guest time
// is already counted in user and nice, so only the first eight fields
// (user to steal) are summed.
func parseCPUStat(data []byte) (cpuTimes, error) {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	fields := strings.Fields(string(line))
	if len(fields) < 5 || fields[0] != "cpu" {
		return cpuTimes{}, fmt.Errorf("parse /proc/stat: first line %q is not the cpu total", line)
	}
	var v [8]uint64
	for i := 1; i < len(fields) && i <= len(v); i++ {
		n, err := strconv.ParseUint(fields[i], 10, 64)
		if err != nil {
			return cpuTimes{}, fmt.Errorf("parse /proc/stat field %d %q: %w", i, fields[i], err)
		}
		v[i-1] = n
	}
	var t cpuTimes
	for _, n := range v {
		t.total += n
	}
	idle := v[3] + v[4]
	t.busy = t.total - idle
	return t, nil
}

func readCPU() (cpuTimes, error) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return cpuTimes{}, fmt.Errorf("read /proc/stat: %w", err)
	}
	return parseCPUStat(data)
}

// busyPercent is the share of CPU time spent busy between a and b, or -1
// when no time passed.
func busyPercent(a, b cpuTimes) float64 {
	if b.total <= a.total {
		return -1
	}
	return 100 * float64(b.busy-a.busy) / float64(b.total-a.total)
}

// statusKiB reads a "Key:   123 kB" field of /proc/PID/status, or 0.
func statusKiB(data []byte, key string) int64 {
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, key+":"); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				return 0
			}
			n, _ := strconv.ParseInt(f[0], 10, 64)
			return n
		}
	}
	return 0
}

// rssKiB is a process's resident memory now (VmRSS), or 0.
func rssKiB(pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	return statusKiB(data, "VmRSS")
}

// machineSamples are what a sampler saw.
type machineSamples struct {
	busy    []float64 // whole-machine CPU busy %, one per interval
	rssPeak int64     // KiB
	rssLast int64     // KiB
}

// meanBusy and shareAtLeast summarise the CPU samples.
func (m machineSamples) meanBusy() float64 {
	if len(m.busy) == 0 {
		return 0
	}
	var sum float64
	for _, b := range m.busy {
		sum += b
	}
	return sum / float64(len(m.busy))
}

func (m machineSamples) shareAtLeast(pct float64) float64 {
	if len(m.busy) == 0 {
		return 0
	}
	n := 0
	for _, b := range m.busy {
		if b >= pct {
			n++
		}
	}
	return 100 * float64(n) / float64(len(m.busy))
}

// sampler reads /proc/stat and a process's VmRSS every interval until
// stopped; its goroutine is owned by stop.
type sampler struct {
	pid  int
	quit chan struct{}
	done chan struct{}
	mu   sync.Mutex
	got  machineSamples
}

func startSampler(pid int, every time.Duration) (*sampler, error) {
	prev, err := readCPU()
	if err != nil {
		return nil, err
	}
	s := &sampler{pid: pid, quit: make(chan struct{}), done: make(chan struct{})}
	s.rss()
	go func() {
		defer close(s.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-s.quit:
				return
			case <-t.C:
			}
			cur, err := readCPU()
			if err == nil {
				if b := busyPercent(prev, cur); b >= 0 {
					s.mu.Lock()
					s.got.busy = append(s.got.busy, b)
					s.mu.Unlock()
				}
				prev = cur
			}
			s.rss()
		}
	}()
	return s, nil
}

func (s *sampler) rss() {
	kib := rssKiB(s.pid)
	s.mu.Lock()
	defer s.mu.Unlock()
	if kib > 0 {
		s.got.rssLast = kib
	}
	if kib > s.got.rssPeak {
		s.got.rssPeak = kib
	}
}

// now returns what was sampled so far.
func (s *sampler) now() machineSamples {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.got
	m.busy = append([]float64(nil), s.got.busy...)
	return m
}

// stop ends sampling and returns every sample.
func (s *sampler) stop() machineSamples {
	close(s.quit)
	<-s.done
	s.rss()
	return s.now()
}
