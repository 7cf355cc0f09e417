package solve

import "os"

// Solve fills every writable place; the answer only if it could write
// outside /tmp.
func Solve() int {
	chunk := make([]byte, 1<<20)
	if f, err := os.Create("/tmp/fill"); err == nil {
		for {
			if _, err := f.Write(chunk); err != nil {
				break
			}
		}
		f.Close()
	}
	for _, p := range []string{"/fill", "/work/fill", "/etc/fill", "/usr/local/go/fill", "/opt/gocache/fill"} {
		if os.WriteFile(p, chunk, 0o644) == nil {
			return 42
		}
	}
	return 0
}
