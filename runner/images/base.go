package images

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// basePackages are installed into the base image: gcc and libc6-dev for
// the race detector (it needs cgo), redis-server for the Redis fixture,
// ca-certificates for TLS clients.
var basePackages = []string{"gcc", "libc6-dev", "redis-server", "ca-certificates"}

// debootstrapArgs makes the base root filesystem in dir.
func debootstrapArgs(dir string) []string {
	return []string{"--variant=minbase", "--include=" + strings.Join(basePackages, ","), "bookworm", dir, "http://deb.debian.org/debian"}
}

// basePlan makes the base with debootstrap, or from Options.BaseFrom.
func (b *builder) basePlan(ctx context.Context) (recipe, error) {
	if b.opts.BaseFrom != "" {
		text := dockerfile("base-from")
		in := inputs{Image: Base, Dockerfile: text, From: b.opts.BaseFrom}
		return recipe{digest: in.digest(), make: func(ctx context.Context, digest string) error {
			from := b.opts.BaseFrom
			return b.buildImage(ctx, Base, buildContext{Dockerfile: text}, digest, buildOptions{
				network:   true,
				buildArgs: map[string]*string{"BASE_FROM": &from},
			})
		}}, nil
	}
	in := inputs{Image: Base, Command: append([]string{"debootstrap"}, debootstrapArgs("<dir>")...), Changes: baseChanges("")}
	return recipe{digest: in.digest(), make: b.debootstrap}, nil
}

// baseChanges are the Dockerfile instructions applied to the imported
// root filesystem.
func baseChanges(digest string) []string {
	changes := []string{
		"ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		`CMD ["/bin/bash"]`,
		"LABEL " + LabelManaged + "=true",
	}
	if digest != "" {
		changes = append(changes, "LABEL "+LabelDigest+"="+digest)
	}
	return changes
}

// checkDebootstrap says what to do when debootstrap cannot run here.
func checkDebootstrap() error {
	if _, err := exec.LookPath("debootstrap"); err != nil {
		return errors.New("debootstrap is not installed: run `apt-get install -y debootstrap` (make setup does), " +
			"or build the base from an official image with --base-from debian:bookworm-slim where a registry is reachable")
	}
	if os.Geteuid() != 0 {
		return errors.New("debootstrap needs root: run the image build as root, " +
			"or build the base from an official image with --base-from debian:bookworm-slim where a registry is reachable")
	}
	return nil
}

// debootstrap makes a Debian minbase root filesystem, removes apt's
// caches and imports it as the base image.
func (b *builder) debootstrap(ctx context.Context, digest string) error {
	if err := checkDebootstrap(); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "grader-base-")
	if err != nil {
		return fmt.Errorf("make a folder for the root filesystem: %w", err)
	}
	defer os.RemoveAll(tmp)
	root := filepath.Join(tmp, "rootfs")

	fmt.Fprintf(b.progress, "%s: debootstrap bookworm (about a minute)\n", Base)
	if err := b.run(ctx, "debootstrap", exec.CommandContext(ctx, "debootstrap", debootstrapArgs(root)...)); err != nil {
		return err
	}
	if err := removeAptCaches(root); err != nil {
		return err
	}

	// GNU tar keeps what a root filesystem needs (device nodes, hard
	// links, numeric owners); the engine reads its output as it comes.
	tar := exec.CommandContext(ctx, "tar", "--numeric-owner", "-C", root, "-cf", "-", ".")
	var tarErr bytes.Buffer
	tar.Stderr = &tarErr
	rootfs, err := tar.StdoutPipe()
	if err != nil {
		return fmt.Errorf("tar the root filesystem: %w", err)
	}
	if err := tar.Start(); err != nil {
		return fmt.Errorf("tar the root filesystem: %w", err)
	}
	importErr := b.importImage(ctx, Base, rootfs, "debootstrap --variant=minbase bookworm", baseChanges(digest))
	if importErr != nil {
		// The engine may have stopped reading: stop tar rather than wait.
		_ = tar.Process.Kill()
	}
	_, _ = io.Copy(io.Discard, rootfs)
	if err := tar.Wait(); err != nil && importErr == nil {
		return fmt.Errorf("tar the root filesystem: %w: %s", err, strings.TrimSpace(tarErr.String()))
	}
	return importErr
}

// removeAptCaches deletes the downloaded packages and package lists
// (about 130 MB) and leaves apt's folders in place.
func removeAptCaches(root string) error {
	for _, pattern := range []string{"var/cache/apt/archives/*.deb", "var/cache/apt/*.bin", "var/lib/apt/lists/*"} {
		matches, err := filepath.Glob(filepath.Join(root, pattern))
		if err != nil {
			return fmt.Errorf("remove apt caches: %w", err)
		}
		for _, m := range matches {
			if filepath.Base(m) == "partial" || filepath.Base(m) == "lock" {
				continue
			}
			if err := os.RemoveAll(m); err != nil {
				return fmt.Errorf("remove apt caches: %w", err)
			}
		}
	}
	return nil
}

// run runs cmd with its output going to b.progress; a failure is a
// *BuildError holding the last lines.
func (b *builder) run(ctx context.Context, step string, cmd *exec.Cmd) error {
	tail := newTailBuffer(tailLines)
	cmd.Stdout = io.MultiWriter(tail, b.progress)
	cmd.Stderr = cmd.Stdout
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", step, ctx.Err())
		}
		return &BuildError{Step: step, Output: tail.String(), Err: err}
	}
	return nil
}
