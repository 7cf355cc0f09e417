// Package runner runs the grader's boxes as Docker containers through the
// Docker Engine API (github.com/moby/moby/client). It implements
// grader.Sandbox.
//
// Every box is created hardened, whatever its spec says: it runs as an
// unprivileged user (65534 unless told otherwise) with every capability
// dropped and no-new-privileges set, so setuid programs gain nothing. Its
// root filesystem is read-only unless the spec asks for a writable one (the
// Go toolchain's build cache); the files it needs are copied before start
// into a fresh volume of its own. /tmp is a small tmpfs. Memory and swap
// are equal, so there is no swap; CPU is a quota; processes and threads are
// capped by a pids limit; core dumps are off and open files bounded.
//
// A box has no network but loopback, or joins the network namespace of
// another box of its job; nothing else. Output is read live through an
// attach stream opened before start: the daemon's log driver is off, so an
// output flood never reaches its disk, and only the first OutputBytes of
// each stream are kept in memory. A box that passes the cap, or its
// wall-clock timeout, is killed.
//
// Every container and volume carries the labels grader.managed=true,
// grader.job, grader.role and grader.worker; Reap removes what a crashed
// process left behind.
package runner
