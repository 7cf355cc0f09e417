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
//   - grader/postgres:local, the Postgres fixture: Debian bookworm's
//     PostgreSQL 15 with a cluster initialised at build time;
//   - grader/python:local, Debian bookworm's python3 (3.11) with Flask,
//     FastAPI and uvicorn, redis-py, psycopg, requests, httpx and pytest;
//   - grader/node:local, Debian bookworm's nodejs (18) with Express,
//     node-redis and node-pg, found by require under /usr/share/nodejs;
//   - grader/tools:local, the static grader binary alone.
//
// The python and node images are Debian packages only: a Dockerfile on
// the base whose one RUN step runs apt-get against Debian's mirror (the
// only network any of these builds has besides debootstrap's and
// base-from's; no registry, no PyPI, no npm), installs no recommended
// packages (so no pip, no npm), removes apt's caches, and writes the
// image's Offered list to OfferedPath from what is really installed
// (scripts/offered.py, scripts/offered.js). Learner code runs as 65534
// with HOME=/tmp and no network, so nothing can be installed while
// grading: what the list lacks, only the submission itself could bring.
// ReadOffered reads
// the list back out of an image. Layered on the base, they share its
// layer; with --base-from they build the same way on that base.
//
// Measured on the project's 2-core machine, shared with other builds
// (load 5 to 8), from a built base; sizes as docker image ls gives them,
// the base's 335 MB included, so each adds what is past it:
//
//	image                 size     build
//	grader/python:local   412 MB   56 s   (+77 MB, 62 packages)
//	grader/node:local     475 MB   101 s  (+140 MB, 267 packages)
//
// A fresh `make images` therefore takes about 2.5 minutes longer. Plain
// apt-get took 137 s and 309 s: dpkg's fsync per file was most of it.
//
// Every image carries the label grader.digest, a SHA-256 of everything
// that decides its content (Dockerfile, parent image ID, Go toolchain,
// module list, warm sources, tools binary, debootstrap package list, the
// runtime images' Debian package lists and offered-list scripts). The
// versions apt-get picks are not an input (as for debootstrap): --force
// takes a point release. Build skips an image whose tag already carries the digest it would
// build, so a second Build takes about a second.
package images
