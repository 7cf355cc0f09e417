// Package runner runs the grader's boxes as Docker containers through the
// Docker Engine API (github.com/moby/moby/client). Docker implements
// grader.Sandbox; Reap removes what a crashed process left behind.
//
// # What a box may do
//
// Every box is created hardened, whatever its spec says. It runs as an
// unprivileged numeric user (grader.SandboxUser, 65534:65534, unless the
// spec names another) with every capability dropped, no-new-privileges set
// (setuid binaries gain nothing) and Docker's default seccomp profile, so
// setuid, mount and chroot fail and its effective capability set is empty.
// No Docker socket or host path is ever mounted into it, and its
// environment is the spec's Env on top of the image's, never the grader's.
//
// Its root filesystem is read-only unless the spec asks for a writable one
// (the Go toolchain's build cache). Spec.Files are copied in before start,
// owned by root (read-only to the box) unless a File is marked Writable;
// with a read-only root they land in a fresh anonymous volume of the box's
// own at FilesDir, empty and root-owned whatever the image holds there, and
// removed with the container. /tmp is a tmpfs of TmpfsBytes owned by the
// box's user, allowing exec (go test runs its binaries from there) but not
// setuid or devices. No single file may grow past the larger of TmpfsBytes
// and 64 MiB (RLIMIT_FSIZE): this bounds each file a box with a writable
// root writes to the daemon's disk, though not their number.
//
// Memory equals memory plus swap (no swap); the kernel kills the box's
// processes past it and Exit.OOMKilled tells. CPU is a quota (NanoCPUs),
// processes and threads are capped by a pids limit (fork and thread bombs
// fail with EAGAIN), open files by RLIMIT_NOFILE 1024, and core dumps are
// off. Unset limits take grader.DefaultLimits (512 MiB, one CPU, 256 pids,
// a 64 MiB /tmp and 1 MiB of kept output per stream), the same defaults a
// challenge gets for limits it leaves unset.
//
// # Network
//
// A box has no network but loopback (NetworkMode "none": no interface but
// lo, no route, no DNS, neither the host nor the Docker bridge in reach), or
// it joins the network namespace of another box of its job, sharing its
// loopback and its /etc/hosts. Extra host names are therefore set on the box
// that owns the namespace; Docker refuses them on a joining box.
//
// # Output, time and teardown
//
// Output is read live through an attach stream opened before start; the
// container's log driver is off, so an output flood never reaches the
// daemon's disk. Only the first OutputBytes of each stream are kept in
// memory, the rest is read and dropped, and a box passing the cap is killed
// (Exit.OutputExceeded). A box still running at its Timeout is killed
// (Exit.TimedOut). Waiting is subscribed before start, so no exit is missed.
// A box killed or removed by anyone else (its process ended by a SIGKILL
// that neither the kernel's OOM killer nor this sandbox sent, or the
// container gone) makes Wait fail with ErrBoxLost: a service fault, never
// an Exit a verdict could be drawn from.
// Close kills and removes the container with its volume on a fresh bounded
// context, even when the caller's is done, and stops the goroutines that
// served it.
//
// Every container and volume carries the labels grader.managed=true,
// grader.job, grader.role and grader.worker, so Reap can remove the
// leftovers of a crashed worker or anything older than any grading takes.
//
// Config.Runtime selects a stronger OCI runtime such as gVisor's runsc for
// operators who do not want boxes to share the host's kernel directly.
package runner
