package runner

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/client"

	"github.com/gradebox/grader/grader"
)

// Labels every container, volume and network of the grader carries.
const (
	LabelManaged = "grader.managed"
	LabelJob     = "grader.job"
	LabelRole    = "grader.role"
	LabelWorker  = "grader.worker"
)

// DefaultFilesDir is where a box's files go when its spec names no folder.
// The limits of a spec left zero (or negative) come from
// grader.DefaultLimits, the one place they are written.
const DefaultFilesDir = "/work"

const (
	// sandboxUID is the numeric user (and group) of grader.SandboxUser; it
	// owns /tmp and the files marked Writable.
	sandboxUID = 65534
	// minFileBytes is the least size cap of any single file a box writes
	// (RLIMIT_FSIZE). The cap is the larger of it and TmpfsBytes, so a
	// file in /tmp may fill /tmp (ENOSPC), while on a writable root (the
	// host's disk) no file grows past it: nothing a Go build writes there
	// (build cache entries, binaries) comes near 64 MiB.
	minFileBytes = 64 << 20
	// openFiles caps open file descriptors (RLIMIT_NOFILE).
	openFiles = 1024
	// maxNameLen bounds container names; the random suffix is kept.
	maxNameLen = 120
)

// nameUnsafe matches what Docker refuses in a container name; names
// must match [a-zA-Z0-9][a-zA-Z0-9_.-]+ and ours start with "grader-".
var nameUnsafe = regexp.MustCompile(`[^a-zA-Z0-9_.-]+`)

// containerName returns "grader-<job>-<role>-<8 hex digits>", made safe
// for Docker and at most maxNameLen long.
func containerName(job, role string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b) // never fails (crypto/rand panics instead)
	return sanitizeName("grader-"+job+"-"+role, hex.EncodeToString(b))
}

// sanitizeName joins prefix and suffix with a dash, replacing runs of
// characters Docker refuses by one dash and shortening prefix so the whole
// stays within maxNameLen.
func sanitizeName(prefix, suffix string) string {
	prefix = strings.Trim(nameUnsafe.ReplaceAllString(prefix, "-"), "-")
	if limit := maxNameLen - len(suffix) - 1; len(prefix) > limit {
		prefix = strings.TrimRight(prefix[:limit], "-")
	}
	return prefix + "-" + suffix
}

// withDefaults fills the fields of spec left zero, the limits from
// grader.DefaultLimits. A grading never leaves them zero (the engine fills
// each learner's box from the challenge's limits, and its own boxes are
// sized in full), so these matter only to callers that build a spec by hand.
func withDefaults(spec grader.BoxSpec) grader.BoxSpec {
	d := grader.DefaultLimits()
	if spec.User == "" {
		spec.User = grader.SandboxUser
	}
	if spec.MemoryBytes <= 0 {
		spec.MemoryBytes = d.MemoryBytes
	}
	if spec.NanoCPUs <= 0 {
		spec.NanoCPUs = d.NanoCPUs()
	}
	if spec.Pids <= 0 {
		spec.Pids = d.Pids
	}
	if spec.TmpfsBytes <= 0 {
		spec.TmpfsBytes = d.TmpfsBytes
	}
	if spec.OutputBytes <= 0 {
		spec.OutputBytes = d.OutputBytes
	}
	if spec.FilesDir == "" {
		spec.FilesDir = DefaultFilesDir
	}
	if spec.WorkDir == "" {
		// Docker makes the working folder at create, so FilesDir exists
		// for the copy even in an image that lacks it.
		spec.WorkDir = spec.FilesDir
	}
	return spec
}

// labels returns the labels of everything made for spec.
func labels(spec grader.BoxSpec, worker string) map[string]string {
	return map[string]string{
		LabelManaged: "true",
		LabelJob:     spec.Job,
		LabelRole:    spec.Role,
		LabelWorker:  worker,
	}
}

// createOptions turns a spec (with defaults filled) into hardened create
// options. Nothing in the spec can loosen the fixed settings: no
// capabilities, no new privileges, no swap, no log driver, no network but
// loopback or another box's namespace.
func createOptions(spec grader.BoxSpec, worker, runtime string) client.ContainerCreateOptions {
	l := labels(spec, worker)
	network := container.NetworkMode("none")
	if spec.Network != "" {
		network = container.NetworkMode("container:" + spec.Network)
	}
	pids := spec.Pids
	noInit := false
	fileBytes := max(spec.TmpfsBytes, minFileBytes)
	host := &container.HostConfig{
		NetworkMode:    network,
		ReadonlyRootfs: !spec.WritableRoot,
		CapDrop:        []string{"ALL"},
		SecurityOpt:    []string{"no-new-privileges"},
		// exec: go test runs its binaries from TMPDIR. uid/gid: the
		// tmpfs root would otherwise take the owner of the image's folder.
		Tmpfs: map[string]string{
			"/tmp": fmt.Sprintf("rw,exec,nosuid,nodev,size=%d,uid=%d,gid=%d", spec.TmpfsBytes, sandboxUID, sandboxUID),
		},
		// Output is read through attach; no log driver means a flood
		// never reaches the daemon's disk.
		LogConfig: container.LogConfig{Type: "none"},
		Init:      &noInit,
		Runtime:   runtime,
		Resources: container.Resources{
			Memory:     spec.MemoryBytes,
			MemorySwap: spec.MemoryBytes,
			NanoCPUs:   spec.NanoCPUs,
			PidsLimit:  &pids,
			Ulimits: []*container.Ulimit{
				{Name: "nofile", Soft: openFiles, Hard: openFiles},
				{Name: "core", Soft: 0, Hard: 0},
				{Name: "fsize", Soft: fileBytes, Hard: fileBytes},
			},
		},
	}
	if spec.Network == "" {
		// Docker refuses extra hosts with "container:" networking; boxes
		// joining this one share its /etc/hosts and so see these names.
		host.ExtraHosts = append([]string(nil), spec.Hosts...)
	}
	if !spec.WritableRoot && len(spec.Files) > 0 {
		// A read-only root refuses the copy; a volume of the box's own
		// takes it, and goes with the container (RemoveVolumes). A box
		// without files needs none, which saves a volume per box.
		host.Mounts = []mount.Mount{{
			Type:   mount.TypeVolume,
			Target: spec.FilesDir,
			// NoCopy: the volume starts empty and root-owned, whatever the
			// image holds (or whoever owns) that path, so the box's user
			// cannot write there unless a File says so.
			VolumeOptions: &mount.VolumeOptions{Labels: l, NoCopy: true},
		}}
	}
	for _, v := range spec.ReadOnly {
		host.Mounts = append(host.Mounts, mount.Mount{
			Type:          mount.TypeVolume,
			Source:        v.Volume,
			Target:        v.Target,
			ReadOnly:      true,
			VolumeOptions: &mount.VolumeOptions{NoCopy: true},
		})
	}
	cfg := &container.Config{
		Image:        spec.Image,
		Cmd:          append([]string(nil), spec.Cmd...),
		Env:          append([]string(nil), spec.Env...),
		User:         spec.User,
		WorkingDir:   spec.WorkDir,
		Labels:       l,
		AttachStdout: true,
		AttachStderr: true,
	}
	return client.ContainerCreateOptions{
		Name:       containerName(spec.Job, spec.Role),
		Config:     cfg,
		HostConfig: host,
	}
}
