package runner

import (
	"regexp"
	"slices"
	"strings"

	"github.com/moby/moby/client"

	"github.com/gradebox/grader/grader"
)

// This file says what a warm box is: the shape it is made for, what the
// pool keeps of a request, how it is created, and the script that hands
// it its job. pool.go keeps and hands out the boxes.

// shape is what a warm box is made for: every setting fixed when a
// container is created. Two specs of one shape get identical containers.
type shape struct {
	image, user, filesDir, workDir string
	memory, nanoCPUs, pids, tmpfs  int64
	writableRoot, hasFiles         bool
	hosts, readOnly                string
	// prestart boxes run their own command ahead of need: it is part of
	// the shape.
	prestart bool
	cmd, env string
}

// shapeOf returns spec's shape (spec has its defaults filled).
func shapeOf(spec grader.BoxSpec) shape {
	ro := make([]string, 0, len(spec.ReadOnly))
	for _, v := range spec.ReadOnly {
		ro = append(ro, v.Volume+":"+v.Target)
	}
	k := shape{
		image: spec.Image, user: spec.User, filesDir: spec.FilesDir, workDir: spec.WorkDir,
		memory: spec.MemoryBytes, nanoCPUs: spec.NanoCPUs, pids: spec.Pids, tmpfs: spec.TmpfsBytes,
		writableRoot: spec.WritableRoot, hasFiles: len(spec.Files) > 0,
		hosts: strings.Join(spec.Hosts, "\n"), readOnly: strings.Join(ro, "\n"),
	}
	if spec.Prestart {
		k.prestart, k.cmd, k.env = true, strings.Join(spec.Cmd, "\x00"), strings.Join(spec.Env, "\x00")
	}
	return k
}

// envName matches the variable names a shell can export.
var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// poolable reports whether a box of spec may come from the pool, judging
// by the spec alone.
func poolable(spec grader.BoxSpec) bool {
	if spec.Network != "" {
		return false
	}
	if spec.Prestart {
		return len(spec.Files) == 0
	}
	if len(spec.Cmd) == 0 {
		return false
	}
	for _, e := range spec.Env {
		name, _, ok := strings.Cut(e, "=")
		if !ok || !envName.MatchString(name) {
			return false
		}
	}
	return true
}

// template is spec without anything of its job: no files (one empty
// entry stands for "has files", which decides the files volume), no
// output writer, no timeout; no command or environment unless it is
// Prestart. The pool keeps it to make boxes of spec's shape, so it never
// holds learner data.
func template(spec grader.BoxSpec) grader.BoxSpec {
	t := spec
	t.Job, t.Role, t.Stdout, t.Timeout = poolJob, poolRole, nil, 0
	t.Files = nil
	if len(spec.Files) > 0 {
		t.Files = []grader.File{{Name: "."}}
	}
	if !spec.Prestart {
		t.Cmd, t.Env = nil, nil
	}
	t.Hosts = slices.Clone(spec.Hosts)
	t.ReadOnly = slices.Clone(spec.ReadOnly)
	return t
}

// warmOptions are spec's create options for a warm box: the same hardened
// settings, with the pool's labels and a waiting shell as its process, or
// spec's own process for a Prestart spec.
func warmOptions(spec grader.BoxSpec, worker, runtime string) client.ContainerCreateOptions {
	spec.Job, spec.Role = poolJob, poolRole
	if !spec.Prestart {
		spec.Env = nil
		spec.Cmd = []string{"/bin/sh", "-s"}
	}
	opts := createOptions(spec, worker, runtime)
	opts.Config.Labels[LabelPool] = "true"
	for i := range opts.HostConfig.Mounts {
		if v := opts.HostConfig.Mounts[i].VolumeOptions; v != nil && v.Labels != nil {
			v.Labels[LabelPool] = "true"
		}
	}
	if spec.Prestart {
		return opts
	}
	// The job arrives on standard input at hand-over; StdinOnce closes it
	// when that attach ends, and the job itself reads /dev/null.
	opts.Config.OpenStdin = true
	opts.Config.StdinOnce = true
	opts.Config.AttachStdin = true
	return opts
}

// handOverScript is what a warm box's shell runs: the job's environment
// on top of the image's (without the PWD the shell exported), then the
// job's command in its place (so the command is the box's first process,
// as in a cold box), reading nothing.
func handOverScript(spec grader.BoxSpec) []byte {
	var b strings.Builder
	b.WriteString("unset PWD\n")
	for _, e := range spec.Env {
		b.WriteString("export " + shellQuote(e) + "\n")
	}
	b.WriteString("exec")
	for _, a := range spec.Cmd {
		b.WriteString(" " + shellQuote(a))
	}
	b.WriteString(" </dev/null\n")
	return []byte(b.String())
}

// shellQuote quotes s as one word of a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
