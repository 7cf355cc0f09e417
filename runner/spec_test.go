package runner

import (
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/client"

	"github.com/gradebox/grader/grader"
)

func TestCreateOptionsDefaults(t *testing.T) {
	spec := withDefaults(grader.BoxSpec{Job: "j1", Role: "test", Image: "img", Cmd: []string{"go", "test"}, Env: []string{"HOME=/tmp"},
		Hosts: []string{"redis:127.0.0.1"}, Files: []grader.File{{Name: "a.go"}}})
	got := createOptions(spec, "w1", "")
	labels := map[string]string{LabelManaged: "true", LabelJob: "j1", LabelRole: "test", LabelWorker: "w1"}
	d := grader.DefaultLimits()
	pids := d.Pids
	noInit := false
	want := client.ContainerCreateOptions{
		Config: &container.Config{Image: "img", Cmd: []string{"go", "test"}, Env: []string{"HOME=/tmp"}, User: "65534:65534",
			WorkingDir: "/work", Labels: labels, AttachStdout: true, AttachStderr: true},
		HostConfig: &container.HostConfig{
			NetworkMode:    "none",
			ExtraHosts:     []string{"redis:127.0.0.1"},
			ReadonlyRootfs: true,
			CapDrop:        []string{"ALL"},
			SecurityOpt:    []string{"no-new-privileges"},
			Tmpfs:          map[string]string{"/tmp": "rw,exec,nosuid,nodev,size=67108864,uid=65534,gid=65534"},
			LogConfig:      container.LogConfig{Type: "none"},
			Init:           &noInit,
			Mounts: []mount.Mount{{Type: mount.TypeVolume, Target: "/work",
				VolumeOptions: &mount.VolumeOptions{Labels: labels, NoCopy: true}}},
			Resources: container.Resources{
				Memory: d.MemoryBytes, MemorySwap: d.MemoryBytes, NanoCPUs: 1e9, PidsLimit: &pids,
				Ulimits: []*container.Ulimit{
					{Name: "nofile", Soft: 1024, Hard: 1024},
					{Name: "core", Soft: 0, Hard: 0},
					{Name: "fsize", Soft: 64 << 20, Hard: 64 << 20},
				},
			},
		},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(client.ContainerCreateOptions{}, "Name")); diff != "" {
		t.Errorf("create options (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(got.Name, "grader-j1-test-") {
		t.Errorf("name %q lacks grader-<job>-<role>-", got.Name)
	}
}

func TestCreateOptionsFollowTheSpec(t *testing.T) {
	tests := []struct {
		name    string
		spec    grader.BoxSpec
		runtime string
		check   func(*client.ContainerCreateOptions) any // what is compared
		want    any
	}{
		{
			name: "joined namespace has no hosts of its own",
			spec: grader.BoxSpec{Network: "abc", Hosts: []string{"x:1.2.3.4"}},
			check: func(o *client.ContainerCreateOptions) any {
				return []any{o.HostConfig.NetworkMode, len(o.HostConfig.ExtraHosts)}
			},
			want: []any{container.NetworkMode("container:abc"), 0},
		},
		{
			name: "writable root copies into the root, no volume",
			spec: grader.BoxSpec{WritableRoot: true, Files: []grader.File{{Name: "a"}}},
			check: func(o *client.ContainerCreateOptions) any {
				return []any{o.HostConfig.ReadonlyRootfs, len(o.HostConfig.Mounts)}
			},
			want: []any{false, 0},
		},
		{
			name:  "no files, no volume",
			spec:  grader.BoxSpec{},
			check: func(o *client.ContainerCreateOptions) any { return len(o.HostConfig.Mounts) },
			want:  0,
		},
		{
			name: "files dir is the volume and the working folder",
			spec: grader.BoxSpec{FilesDir: "/src", Files: []grader.File{{Name: "a"}}},
			check: func(o *client.ContainerCreateOptions) any {
				return []string{o.HostConfig.Mounts[0].Target, o.Config.WorkingDir}
			},
			want: []string{"/src", "/src"},
		},
		{
			name: "shared volumes are mounted read-only, after the files' own",
			spec: grader.BoxSpec{Files: []grader.File{{Name: "a"}}, ReadOnly: []grader.VolumeMount{{Volume: "tc-goroot", Target: "/usr/local/go"}}},
			check: func(o *client.ContainerCreateOptions) any {
				m := o.HostConfig.Mounts
				return []any{len(m), m[1].Source, m[1].Target, m[1].ReadOnly, m[1].Type}
			},
			want: []any{2, "tc-goroot", "/usr/local/go", true, mount.TypeVolume},
		},
		{
			name:  "explicit work dir",
			spec:  grader.BoxSpec{WorkDir: "/opt/warm"},
			check: func(o *client.ContainerCreateOptions) any { return o.Config.WorkingDir },
			want:  "/opt/warm",
		},
		{
			name:    "runtime",
			runtime: "runsc",
			check:   func(o *client.ContainerCreateOptions) any { return o.HostConfig.Runtime },
			want:    "runsc",
		},
		{
			name: "limits",
			spec: grader.BoxSpec{MemoryBytes: 64 << 20, NanoCPUs: 5e8, Pids: 32, User: "1000:1000"},
			check: func(o *client.ContainerCreateOptions) any {
				r := o.HostConfig.Resources
				return []any{r.Memory, r.MemorySwap, r.NanoCPUs, *r.PidsLimit, o.Config.User}
			},
			want: []any{int64(64 << 20), int64(64 << 20), int64(5e8), int64(32), "1000:1000"},
		},
		{
			name: "big tmpfs raises the file size cap with it",
			spec: grader.BoxSpec{TmpfsBytes: 512 << 20},
			check: func(o *client.ContainerCreateOptions) any {
				return []any{o.HostConfig.Tmpfs["/tmp"], *o.HostConfig.Ulimits[2]}
			},
			want: []any{"rw,exec,nosuid,nodev,size=536870912,uid=65534,gid=65534", container.Ulimit{Name: "fsize", Soft: 512 << 20, Hard: 512 << 20}},
		},
		{
			name: "small tmpfs keeps the 64 MiB file size cap",
			spec: grader.BoxSpec{TmpfsBytes: 4 << 20},
			check: func(o *client.ContainerCreateOptions) any {
				return *o.HostConfig.Ulimits[2]
			},
			want: container.Ulimit{Name: "fsize", Soft: 64 << 20, Hard: 64 << 20},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := createOptions(withDefaults(tt.spec), "w", tt.runtime)
			if diff := cmp.Diff(tt.want, tt.check(&opts)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestCreateOptionsDoNotAliasTheSpec(t *testing.T) {
	spec := withDefaults(grader.BoxSpec{Cmd: []string{"a"}, Env: []string{"A=1"}, Hosts: []string{"h:1.1.1.1"}})
	opts := createOptions(spec, "w", "")
	opts.Config.Cmd[0], opts.Config.Env[0], opts.HostConfig.ExtraHosts[0] = "x", "x", "x"
	if diff := cmp.Diff([]string{"a", "A=1", "h:1.1.1.1"}, []string{spec.Cmd[0], spec.Env[0], spec.Hosts[0]}); diff != "" {
		t.Errorf("spec changed through the options (-want +got):\n%s", diff)
	}
}

func TestWithDefaults(t *testing.T) {
	got := withDefaults(grader.BoxSpec{MemoryBytes: -1})
	d := grader.DefaultLimits()
	want := grader.BoxSpec{User: grader.SandboxUser, MemoryBytes: d.MemoryBytes, NanoCPUs: d.NanoCPUs(), Pids: d.Pids,
		TmpfsBytes: d.TmpfsBytes, OutputBytes: d.OutputBytes, FilesDir: "/work", WorkDir: "/work"}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(grader.BoxSpec{}, "Stdout")); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// dockerName is the rule the daemon applies to container names.
var dockerName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`)

func TestSanitizeName(t *testing.T) {
	tests := []struct {
		prefix, want string
	}{
		{"grader-sub1-build", "grader-sub1-build-0a1b2c3d"},
		{"grader-job/1 x-fixture-redis", "grader-job-1-x-fixture-redis-0a1b2c3d"},
		{"grader-ünï©ode--role", "grader--n-ode--role-0a1b2c3d"},
		{"grader-x-", "grader-x-0a1b2c3d"},
		{"grader-" + strings.Repeat("j", 300), "grader-" + strings.Repeat("j", maxNameLen-len("grader-")-9) + "-0a1b2c3d"},
	}
	for _, tt := range tests {
		got := sanitizeName(tt.prefix, "0a1b2c3d")
		if got != tt.want {
			t.Errorf("sanitizeName(%q) = %q, want %q", tt.prefix, got, tt.want)
		}
		if !dockerName.MatchString(got) || len(got) > maxNameLen {
			t.Errorf("sanitizeName(%q) = %q: not a valid Docker name", tt.prefix, got)
		}
	}
}

func TestContainerNamesDiffer(t *testing.T) {
	a, b := containerName("j", "r"), containerName("j", "r")
	if a == b || !dockerName.MatchString(a) {
		t.Errorf("names %q and %q", a, b)
	}
}
