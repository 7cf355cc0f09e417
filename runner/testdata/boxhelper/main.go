// Command boxhelper misbehaves on purpose inside a test box; its first
// argument picks how.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: boxhelper MODE")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "echo":
		fmt.Println("hello")
		fmt.Fprintln(os.Stderr, "oops")
		os.Exit(3)
	case "sleep":
		time.Sleep(time.Hour)
	case "cpu":
		for i := 0; ; i++ {
			_ = i * i
		}
	case "fork":
		n := 0
		for {
			cmd := exec.Command("/boxhelper", "sleep")
			if err := cmd.Start(); err != nil {
				fmt.Printf("started %d children, then: %v\n", n, err)
				time.Sleep(time.Hour)
			}
			n++
		}
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
		chunk := []byte(strings.Repeat("x", 64<<10))
		for {
			os.Stdout.Write(chunk)
		}
	case "fill":
		f, err := os.Create("/tmp/fill")
		if err != nil {
			fmt.Println("create:", err)
			return
		}
		chunk := make([]byte, 1<<20)
		total := 0
		for {
			n, err := f.Write(chunk)
			total += n
			if err != nil {
				fmt.Printf("tmp: wrote %d MiB then: %v\n", total>>20, err)
				break
			}
		}
		report("root", os.WriteFile("/evil", []byte("x"), 0o644))
		report("work", os.WriteFile("/work/evil", []byte("x"), 0o644))
	case "files":
		data, err := os.ReadFile("/work/data/in.txt")
		fmt.Printf("read: %q %v\n", data, err)
		report("overwrite", os.WriteFile("/work/data/in.txt", []byte("changed"), 0o644))
		var st syscall.Stat_t
		syscall.Stat("/work/data/in.txt", &st)
		fmt.Printf("owner: %d\n", st.Uid)
	case "net":
		ifaces, _ := net.Interfaces()
		var names []string
		for _, i := range ifaces {
			names = append(names, i.Name)
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
		json.NewEncoder(os.Stdout).Encode(map[string]any{"interfaces": names, "default_route": defaultRoute, "resolves": lookupErr == nil})
	case "priv":
		status, _ := os.ReadFile("/proc/self/status")
		for _, l := range strings.Split(string(status), "\n") {
			if strings.HasPrefix(l, "CapEff") || strings.HasPrefix(l, "NoNewPrivs") {
				fmt.Println(strings.Join(strings.Fields(l), " "))
			}
		}
		report("setuid", syscall.Setuid(0))
		report("mount", syscall.Mount("tmpfs", "/mnt", "tmpfs", 0, ""))
		_, err := os.Stat("/var/run/docker.sock")
		report("docker.sock", err)
		fmt.Printf("uid %d euid %d\n", os.Getuid(), os.Geteuid())
	case "serve":
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
	case "dial":
		var lastErr error
		for i := 0; i < 50; i++ {
			c, err := net.Dial("tcp", os.Args[2])
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
	case "env":
		for _, e := range os.Environ() {
			fmt.Println(e)
		}
	}
}

func report(what string, err error) {
	if err != nil {
		fmt.Printf("%s: denied: %v\n", what, err)
	} else {
		fmt.Printf("%s: ALLOWED\n", what)
	}
}
