package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

// escaped reports any way out of the job's namespace, or into the
// grader's secrets; it sends nothing beyond the namespace.
func escaped() string {
	ifaces, _ := net.Interfaces()
	for _, i := range ifaces {
		if i.Name != "lo" {
			return "interface " + i.Name
		}
	}
	routes, _ := os.ReadFile("/proc/net/route")
	for _, l := range strings.Split(string(routes), "\n")[1:] {
		if f := strings.Fields(l); len(f) > 1 && f[1] == "00000000" {
			return "default route"
		}
	}
	if _, err := net.LookupHost("example.com"); err == nil {
		return "dns"
	}
	for _, p := range []string{"/work/plan.json", "/proc/1/environ"} {
		if data, err := os.ReadFile(p); err == nil && (strings.Contains(string(data), "HIDDEN-MARKER") || strings.Contains(string(data), "GRADER_FIXTURE_SECRET")) {
			return "read " + p
		}
	}
	c := &http.Client{Timeout: 2 * time.Second}
	if resp, err := c.Get(os.Getenv("UPSTREAM_URL") + "/_fixture/stats"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			return "fixture controls without the secret"
		}
	}
	for _, k := range os.Environ() {
		if strings.HasPrefix(k, "GRADER_") {
			return "grader env " + k
		}
	}
	return ""
}

func main() {
	http.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {})
	http.HandleFunc("GET /answer", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if how := escaped(); how != "" {
			fmt.Fprintf(w, `{"answer": 42, "how": %q}`, how)
			return
		}
		w.Write([]byte(`{"answer": 0}`))
	})
	http.ListenAndServe(":"+os.Getenv("PORT"), nil)
}
