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

// Labels every container and volume of the grader carries.
const (
	LabelManaged = "grader.managed"
	LabelJob     = "grader.job"
	LabelRole    = "grader.role"
	LabelWorker  = "grader.worker"
)

// Defaults for BoxSpec fields left zero.
const (
	DefaultMemoryBytes = 256 << 20
	DefaultNanoCPUs    = 1_000_000_000
	DefaultPids        = 128
	DefaultTmpfsBytes  = 64 << 20
	DefaultOutputBytes = 1 << 20
	DefaultFilesDir    = "/work"
	// maxFileBytes caps any single file a box writes (RLIMIT_FSIZE): the
	// writable places are small, so a bigger file is a runaway anyway.
	maxFileBytes = 256 << 20
	// openFiles caps open file descriptors (RLIMIT_NOFILE).
	openFiles = 1024
)

var nameUnsafe = regexp.MustCompile(`[^a-zA-Z0-9_.-]+`)

// containerName is "grader-<job>-<role>-<random>", safe for Docker.
func containerName(job, role string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := fmt.Sprintf("grader-%s-%s-%s", job, role, hex.EncodeToString(b))
	name = nameUnsafe.ReplaceAllString(name, "-")
	if len(name) > 120 {
		name = name[:111] + "-" + hex.EncodeToString(b)
	}
	return name
}

// withDefaults fills zero limits.
func withDefaults(spec grader.BoxSpec) grader.BoxSpec {
	if spec.User == "" {
		spec.User = grader.SandboxUser
	}
	if spec.MemoryBytes <= 0 {
		spec.MemoryBytes = DefaultMemoryBytes
	}
	if spec.NanoCPUs <= 0 {
		spec.NanoCPUs = DefaultNanoCPUs
	}
	if spec.Pids <= 0 {
		spec.Pids = DefaultPids
	}
	if spec.TmpfsBytes <= 0 {
		spec.TmpfsBytes = DefaultTmpfsBytes
	}
	if spec.OutputBytes <= 0 {
		spec.OutputBytes = DefaultOutputBytes
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

// createOptions turns a spec into hardened create options. Nothing in the
// spec can loosen the fixed settings: no capabilities, no new privileges,
// no swap, no log driver.
func createOptions(spec grader.BoxSpec, worker, runtime string) client.ContainerCreateOptions {
	labels := map[string]string{
		LabelManaged: "true",
		LabelJob:     spec.Job,
		LabelRole:    spec.Role,
		LabelWorker:  worker,
	}
	network := container.NetworkMode("none")
	if spec.Network != "" {
		network = container.NetworkMode("container:" + spec.Network)
	}
	pids := spec.Pids
	noInit := false
	host := &container.HostConfig{
		NetworkMode:    network,
		ReadonlyRootfs: !spec.WritableRoot,
		CapDrop:        []string{"ALL"},
		SecurityOpt:    []string{"no-new-privileges"},
		Tmpfs: map[string]string{
			"/tmp": fmt.Sprintf("rw,exec,nosuid,nodev,size=%d,uid=%d,gid=%d,mode=0700", spec.TmpfsBytes, sandboxUID, sandboxUID),
		},
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
				{Name: "fsize", Soft: maxFileBytes, Hard: maxFileBytes},
			},
		},
	}
	if spec.Network == "" {
		host.ExtraHosts = append([]string(nil), spec.Hosts...)
	}
	if !spec.WritableRoot && len(spec.Files) > 0 {
		host.Mounts = []mount.Mount{{
			Type:   mount.TypeVolume,
			Target: spec.FilesDir,
			// NoCopy: the volume starts empty and root-owned, whatever the
			// image holds (or whoever owns) at that path, so the box's
			// user cannot write there.
			VolumeOptions: &mount.VolumeOptions{Labels: labels, NoCopy: true},
		}}
	}
	cfg := &container.Config{
		Image:        spec.Image,
		Cmd:          append([]string(nil), spec.Cmd...),
		Env:          append([]string(nil), spec.Env...),
		User:         spec.User,
		WorkingDir:   spec.WorkDir,
		Labels:       labels,
		AttachStdout: true,
		AttachStderr: true,
	}
	return client.ContainerCreateOptions{
		Name:       containerName(spec.Job, spec.Role),
		Config:     cfg,
		HostConfig: host,
	}
}

// isGone reports whether a Docker error says the container is already
// stopped or removed, which teardown treats as done.
func isGone(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "No such container") || strings.Contains(msg, "is not running") ||
		strings.Contains(msg, "removal of container") && strings.Contains(msg, "already in progress")
}
