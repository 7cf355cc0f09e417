// Command boxhelper runs inside the runner's test boxes and behaves (or
// misbehaves) as its first argument says, printing what it observed.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: boxhelper MODE [ARG...]")
		os.Exit(2)
	}
	args := os.Args[2:]
	switch os.Args[1] {
	case "line":
		fmt.Println("hello")
	case "echo":
		fmt.Println("hello")
		fmt.Fprintln(os.Stderr, "oops")
		os.Exit(3)
	case "exit":
		code, _ := strconv.Atoi(args[0])
		os.Exit(code)
	case "env":
		for _, e := range os.Environ() {
			fmt.Println(e)
		}
	case "sleep":
		time.Sleep(time.Hour)
	case "cpu":
		for i := 0; ; i++ {
			_ = i * i
		}
	case "fork":
		forkBomb()
	case "threads":
		threadBomb()
	case "mem":
		var keep [][]byte
		for {
			b := make([]byte, 8<<20)
			for i := range b {
				b[i] = 1
			}
			keep = append(keep, b)
		}
	case "flood":
		// flood STREAM BYTES: write BYTES (0: without end) to stdout or stderr.
		out := os.Stdout
		if args[0] == "stderr" {
			out = os.Stderr
		}
		total, _ := strconv.ParseInt(args[1], 10, 64)
		chunk := []byte(strings.Repeat("x", 64<<10))
		for n := int64(0); total == 0 || n < total; n += int64(len(chunk)) {
			if _, err := out.Write(chunk); err != nil {
				os.Exit(1)
			}
		}
	case "fill":
		fill()
	case "bigfile":
		// bigfile PATH: write to PATH until an error.
		n, err := writeUntilError(args[0])
		fmt.Printf("wrote %d MiB then: %v\n", n>>20, err)
	case "files":
		// files [DIR]: read, change and stat DIR/data/in.txt (DIR: /work).
		dir := "/work"
		if len(args) > 0 {
			dir = args[0]
		}
		files(dir)
	case "net":
		netView()
	case "dialfail":
		// dialfail ADDR...: report whether a TCP connect to each succeeds.
		for _, a := range args {
			c, err := net.DialTimeout("tcp", a, time.Second)
			if err == nil {
				c.Close()
				fmt.Printf("%s: CONNECTED\n", a)
				continue
			}
			fmt.Printf("%s: failed: %v\n", a, err)
		}
	case "hosts":
		data, _ := os.ReadFile("/etc/hosts")
		os.Stdout.Write(data)
	case "priv":
		privileges()
	case "serve":
		serve()
	case "dial":
		dial(args[0])
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", os.Args[1])
		os.Exit(2)
	}
}

func report(what string, err error) {
	if err != nil {
		fmt.Printf("%s: denied: %v\n", what, err)
	} else {
		fmt.Printf("%s: ALLOWED\n", what)
	}
}

// forkBomb starts children until the pids limit refuses one, then keeps
// them all alive.
func forkBomb() {
	n := 0
	for {
		cmd := exec.Command("/boxhelper", "sleep")
		if err := cmd.Start(); err != nil {
			fmt.Printf("started %d children, then: %v\n", n, err)
			time.Sleep(time.Hour)
		}
		n++
	}
}

// threadBomb pins goroutines to OS threads until none can be made; the Go
// runtime then aborts.
func threadBomb() {
	for i := 0; ; i++ {
		go func() {
			runtime.LockOSThread()
			time.Sleep(time.Hour)
		}()
		if i%16 == 0 {
			time.Sleep(time.Millisecond)
		}
	}
}

func writeUntilError(path string) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	chunk := make([]byte, 1<<20)
	var total int64
	for {
		n, err := f.Write(chunk)
		total += int64(n)
		if err != nil {
			return total, err
		}
	}
}

// fill fills /tmp, checks it was still usable for programs, and tries the
// read-only places.
func fill() {
	var st syscall.Stat_t
	syscall.Stat("/tmp", &st)
	fmt.Printf("tmp owner: %d\n", st.Uid)
	self, _ := os.Open("/boxhelper")
	copyTo, err := os.OpenFile("/tmp/helper", os.O_CREATE|os.O_WRONLY, 0o755)
	if err == nil {
		io.Copy(copyTo, self)
		copyTo.Close()
		out, err := exec.Command("/tmp/helper", "line").Output()
		fmt.Printf("exec from tmp: %q %v\n", out, err)
	}
	n, err := writeUntilError("/tmp/fill")
	fmt.Printf("tmp: wrote %d MiB then: %v\n", n>>20, err)
	report("root", os.WriteFile("/evil", []byte("x"), 0o644))
	report("work", os.WriteFile("/work/evil", []byte("x"), 0o644))
}

func files(dir string) {
	in := dir + "/data/in.txt"
	data, err := os.ReadFile(in)
	fmt.Printf("read: %q %v\n", data, err)
	report("overwrite", os.WriteFile(in, []byte("changed"), 0o644))
	report("create", os.WriteFile(dir+"/data/new.txt", []byte("new"), 0o644))
	report("create in root", os.WriteFile(dir+"/new.txt", []byte("new"), 0o644))
	for _, p := range []string{dir, dir + "/data", in} {
		var st syscall.Stat_t
		syscall.Stat(p, &st)
		rel := strings.TrimPrefix(strings.TrimPrefix(p, dir), "/")
		if rel == "" {
			rel = "."
		}
		fmt.Printf("owner %s: %d:%d %o\n", rel, st.Uid, st.Gid, st.Mode&0o777)
	}
}

func netView() {
	ifaces, _ := net.Interfaces()
	var names []string
	for _, i := range ifaces {
		names = append(names, i.Name)
	}
	var devs []string
	dev, _ := os.ReadFile("/proc/net/dev")
	for _, l := range strings.Split(string(dev), "\n") {
		if name, _, ok := strings.Cut(l, ":"); ok {
			devs = append(devs, strings.TrimSpace(name))
		}
	}
	route, _ := os.ReadFile("/proc/net/route")
	defaultRoute := false
	sc := bufio.NewScanner(strings.NewReader(string(route)))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) > 1 && f[1] == "00000000" {
			defaultRoute = true
		}
	}
	_, lookupErr := net.LookupHost("example.com")
	json.NewEncoder(os.Stdout).Encode(map[string]any{"interfaces": names, "dev": devs, "default_route": defaultRoute, "resolves": lookupErr == nil})
}

func privileges() {
	status, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(l, "CapEff") || strings.HasPrefix(l, "NoNewPrivs") {
			fmt.Println(strings.Join(strings.Fields(l), " "))
		}
	}
	report("setuid", syscall.Setuid(0))
	report("mount", syscall.Mount("tmpfs", "/tmp", "tmpfs", 0, ""))
	report("chroot", syscall.Chroot("/tmp"))
	_, err := os.Stat("/var/run/docker.sock")
	report("docker.sock", err)
	fmt.Printf("uid %d euid %d gid %d\n", os.Getuid(), os.Geteuid(), os.Getgid())
}

func serve() {
	ln, err := net.Listen("tcp", "127.0.0.1:7070")
	if err != nil {
		fmt.Println("listen:", err)
		os.Exit(1)
	}
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		c.Write([]byte("pong\n"))
		c.Close()
	}
}

// dial connects to addr (retrying while the server starts), prints the
// line it answers and the addresses the host name resolved to.
func dial(addr string) {
	host, _, _ := net.SplitHostPort(addr)
	ips, err := net.LookupHost(host)
	fmt.Printf("resolved %s: %v %v\n", host, ips, err)
	var lastErr error
	for range 100 {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			line, _ := bufio.NewReader(c).ReadString('\n')
			fmt.Print("got ", line)
			return
		}
		lastErr = err
		time.Sleep(100 * time.Millisecond)
	}
	fmt.Println("dial:", lastErr)
	os.Exit(1)
}
