package runner

import (
	"archive/tar"
	"bytes"
	"io"
	"io/fs"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/grader"
)

func TestCreateOptionsAreHardened(t *testing.T) {
	spec := withDefaults(grader.BoxSpec{Job: "j1", Role: "build", Image: "img", Cmd: []string{"go"}, Hosts: []string{"redis:127.0.0.1"}, MemoryBytes: 64 << 20, Pids: 32, Files: []grader.File{{Name: "a"}}})
	opts := createOptions(spec, "w1", "")
	h := opts.HostConfig
	if h.NetworkMode != "none" || !h.ReadonlyRootfs || h.Memory != 64<<20 || h.MemorySwap != h.Memory || *h.PidsLimit != 32 {
		t.Errorf("limits: %+v", h)
	}
	if diff := cmp.Diff([]string{"ALL"}, h.CapDrop); diff != "" {
		t.Errorf("cap drop: %s", diff)
	}
	if diff := cmp.Diff([]string{"no-new-privileges"}, h.SecurityOpt); diff != "" {
		t.Errorf("security opts: %s", diff)
	}
	if h.LogConfig.Type != "none" || len(h.Mounts) != 1 || h.Mounts[0].Target != "/work" {
		t.Errorf("log %v mounts %v", h.LogConfig, h.Mounts)
	}
	if !strings.Contains(h.Tmpfs["/tmp"], "size=67108864") || !strings.Contains(h.Tmpfs["/tmp"], "nosuid") {
		t.Errorf("tmpfs %q", h.Tmpfs["/tmp"])
	}
	if opts.Config.User != grader.SandboxUser || opts.Config.Labels[LabelJob] != "j1" || opts.Config.Labels[LabelWorker] != "w1" || opts.Config.Labels[LabelManaged] != "true" {
		t.Errorf("config %+v", opts.Config)
	}
	if diff := cmp.Diff([]string{"redis:127.0.0.1"}, h.ExtraHosts); diff != "" {
		t.Errorf("hosts: %s", diff)
	}
	joined := createOptions(withDefaults(grader.BoxSpec{Network: "abc", Hosts: []string{"x:1.2.3.4"}, WritableRoot: true}), "w", "runsc")
	if noFiles := createOptions(withDefaults(grader.BoxSpec{}), "w", ""); len(noFiles.HostConfig.Mounts) != 0 {
		t.Errorf("a box without files got a volume: %v", noFiles.HostConfig.Mounts)
	}
	if joined.HostConfig.NetworkMode != "container:abc" || len(joined.HostConfig.ExtraHosts) != 0 || joined.HostConfig.ReadonlyRootfs || len(joined.HostConfig.Mounts) != 0 || joined.HostConfig.Runtime != "runsc" {
		t.Errorf("joined box: %+v", joined.HostConfig)
	}
}

func TestContainerName(t *testing.T) {
	name := containerName("job/1 x", "fixture-redis")
	if strings.ContainsAny(name, "/ ") || !strings.HasPrefix(name, "grader-job-1-x-fixture-redis-") {
		t.Errorf("name %q", name)
	}
	if long := containerName(strings.Repeat("j", 300), "r"); len(long) > 128 {
		t.Errorf("name of %d chars", len(long))
	}
}

func TestFilesTar(t *testing.T) {
	data, err := filesTar([]grader.File{
		{Name: ".", Mode: fs.ModeDir | 0o755, Writable: true},
		{Name: "a/b/c.go", Mode: 0o644, Data: []byte("package c")},
		{Name: "bin", Mode: 0o555, Data: []byte("ELF")},
	})
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(bytes.NewReader(data))
	var got []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, h.Name+" "+string(rune('0'+h.Uid/65534))+" "+fs.FileMode(h.Mode).String())
	}
	want := []string{"./ 1 -rwxr-xr-x", "a/ 0 -rwxr-xr-x", "a/b/ 0 -rwxr-xr-x", "a/b/c.go 0 -rw-r--r--", "bin 0 -r-xr-xr-x"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tar (-want +got):\n%s", diff)
	}
	if _, err := filesTar([]grader.File{{Name: "../x"}}); err == nil {
		t.Errorf("a file leaving the destination was packed")
	}
}

func TestCappedBuffer(t *testing.T) {
	var live bytes.Buffer
	overflows := 0
	c := &cappedBuffer{limit: 10, live: &live, overflow: func() { overflows++ }}
	for i := 0; i < 5; i++ {
		if n, err := c.Write([]byte("abcd")); n != 4 || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	text, truncated := c.text()
	if text != "abcdabcdab" || !truncated || live.String() != text || overflows != 1 {
		t.Errorf("text %q truncated %v live %q overflows %d", text, truncated, live.String(), overflows)
	}
}
