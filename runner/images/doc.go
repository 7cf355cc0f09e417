// Package images builds, locally and offline, every container image the
// grader runs, through the Docker Engine API's classic builder:
//
//   - grader/base:local, a Debian bookworm root filesystem made with
//     debootstrap and imported (or, where a registry is reachable, built
//     from an official Debian image): gcc and libc for the race detector,
//     redis-server, CA certificates;
//   - grader/go:local, the host's Go toolchain on the base, with a
//     read-only module cache holding the modules learners may use and a
//     build cache warmed as the sandbox user;
//   - grader/redis:local, the Redis fixture, saving nothing;
//   - grader/tools:local, the static grader binary alone.
//
// Every image carries the label grader.digest, a SHA-256 of everything
// that decides its content (Dockerfile, parent image ID, Go toolchain,
// module list, warm sources, tools binary, debootstrap package list).
// Build skips an image whose tag already carries the digest it would
// build, so a second Build takes about a second.
package images
