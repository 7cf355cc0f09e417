package images

import (
	"context"
	"fmt"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/client"

	"github.com/gradebox/grader/grader"
)

// The Go toolchain volumes hold a copy of the go image's toolchain
// (GOROOT) and module cache, one volume each (the engines here predate
// volume subpaths), mounted read-only into every Go build box (see
// grader.EngineConfig.GoToolchain). A build looks up thousands of files
// in them; through the image's overlay, every box paid about 0.8 s to
// look them up again, because each container's overlay mount caches its
// own lookups. From a volume, the host's file system caches them once
// for every box. Read-only, the volumes carry nothing from one job to
// another. The warm build cache stays in the image: a build writes to it
// (the learner's own packages), so each box needs its own writable copy.
const (
	// LabelToolchain marks a toolchain volume with the id of the image
	// it copies. It is not LabelManaged: the reaper and `grader cleanup`
	// remove boxes' leftovers, never the toolchain.
	LabelToolchain = "grader.toolchain"
	// toolchainPrefix starts the name of every toolchain volume; the rest
	// is the go image's id, so a rebuilt image gets a volume of its own.
	toolchainPrefix = "grader-go-toolchain-"
	// toolchainFillSuffix names the container that fills a volume; while
	// it exists, the volume is not complete.
	toolchainFillSuffix = "-fill"
)

// toolchainDirs are the go image's folders the volumes copy: volume
// <name>-<suffix> holds the folder target.
var toolchainDirs = []struct{ suffix, target string }{
	{"goroot", "/usr/local/go"},
	{"gomodcache", "/opt/gomodcache"},
}

// GoToolchainMounts returns the read-only mounts of the toolchain volumes
// called name into a Go build box; none for an empty name.
func GoToolchainMounts(name string) []grader.VolumeMount {
	if name == "" {
		return nil
	}
	out := make([]grader.VolumeMount, len(toolchainDirs))
	for i, d := range toolchainDirs {
		out[i] = grader.VolumeMount{Volume: name + "-" + d.suffix, Target: d.target}
	}
	return out
}

// toolchainVolumeName is the volume of the go image with id imageID.
func toolchainVolumeName(imageID string) string {
	id := strings.TrimPrefix(imageID, "sha256:")
	if len(id) > 24 {
		id = id[:24]
	}
	return toolchainPrefix + id
}

// GoToolchainVolume returns the name of the complete toolchain volume of
// the current go image, or "" when there is none yet (EnsureGoToolchain
// makes it; `grader images build` does).
func GoToolchainVolume(ctx context.Context, cli *client.Client) (string, error) {
	name, _, complete, err := currentToolchain(ctx, cli)
	if err != nil || !complete {
		return "", err
	}
	return name, nil
}

// currentToolchain names the toolchain volumes of the current go image,
// whose id it returns too, and says whether they are complete.
func currentToolchain(ctx context.Context, cli *client.Client) (name, imageID string, complete bool, err error) {
	img, err := cli.ImageInspect(ctx, Go)
	if err != nil {
		return "", "", false, fmt.Errorf("inspect image %s: %w", Go, err)
	}
	name = toolchainVolumeName(img.ID)
	complete, err = toolchainComplete(ctx, cli, name)
	return name, img.ID, complete, err
}

// toolchainComplete reports whether the volumes called name exist and
// their filling finished: the fill container is removed only after it
// succeeded.
func toolchainComplete(ctx context.Context, cli *client.Client, name string) (bool, error) {
	for _, d := range toolchainDirs {
		v := name + "-" + d.suffix
		if _, err := cli.VolumeInspect(ctx, v, client.VolumeInspectOptions{}); err != nil {
			if cerrdefs.IsNotFound(err) {
				return false, nil
			}
			return false, fmt.Errorf("inspect volume %s: %w", v, err)
		}
	}
	_, err := cli.ContainerInspect(ctx, name+toolchainFillSuffix, client.ContainerInspectOptions{})
	switch {
	case cerrdefs.IsNotFound(err):
		return true, nil
	case err != nil:
		return false, fmt.Errorf("inspect container %s: %w", name+toolchainFillSuffix, err)
	}
	return false, nil
}

// EnsureGoToolchain makes the toolchain volume of the current go image
// when it is missing or was left half filled, removes the volumes of
// earlier go images that no container uses, and returns its name. Filling
// copies about 1.5 GB once per go image (10 to 30 seconds).
func EnsureGoToolchain(ctx context.Context, cli *client.Client) (string, error) {
	name, imageID, complete, err := currentToolchain(ctx, cli)
	if err != nil {
		return "", err
	}
	if !complete {
		if err := fillToolchain(ctx, cli, name, imageID); err != nil {
			return "", err
		}
	}
	removeOldToolchains(ctx, cli, name)
	return name, nil
}

// fillToolchain (re)creates volume name and copies the go image's
// toolchain folders into it with a container named after it, removed
// only once the copy succeeded.
func fillToolchain(ctx context.Context, cli *client.Client, name, imageID string) error {
	fill := name + toolchainFillSuffix
	remove := func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		_, _ = cli.ContainerRemove(rctx, fill, client.ContainerRemoveOptions{Force: true})
		for _, d := range toolchainDirs {
			_, _ = cli.VolumeRemove(rctx, name+"-"+d.suffix, client.VolumeRemoveOptions{Force: true})
		}
	}
	// Half-filled volumes from an interrupted fill start over.
	remove()
	var script strings.Builder
	script.WriteString("set -e\n")
	var mounts []mount.Mount
	for _, d := range toolchainDirs {
		v := name + "-" + d.suffix
		if _, err := cli.VolumeCreate(ctx, client.VolumeCreateOptions{Name: v, Labels: map[string]string{LabelToolchain: imageID}}); err != nil {
			remove()
			return fmt.Errorf("create volume %s: %w", v, err)
		}
		mounts = append(mounts, mount.Mount{Type: mount.TypeVolume, Source: v, Target: "/toolchain/" + d.suffix})
		fmt.Fprintf(&script, "cp -a %s/. /toolchain/%s/\n", d.target, d.suffix)
	}
	created, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{
		Name: fill,
		Config: &container.Config{Image: Go, User: "0:0", Cmd: []string{"sh", "-c", script.String()},
			Labels: map[string]string{LabelToolchain: imageID}},
		HostConfig: &container.HostConfig{NetworkMode: "none", LogConfig: container.LogConfig{Type: "none"},
			Mounts: mounts},
	})
	if err != nil {
		remove()
		return fmt.Errorf("create the container filling %s: %w", name, err)
	}
	wait := cli.ContainerWait(ctx, created.ID, client.ContainerWaitOptions{Condition: container.WaitConditionNextExit})
	if _, err := cli.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
		remove()
		return fmt.Errorf("start the container filling %s: %w", name, err)
	}
	select {
	case r := <-wait.Result:
		if r.StatusCode != 0 {
			remove()
			return fmt.Errorf("fill volume %s: the copy exited with status %d", name, r.StatusCode)
		}
	case err := <-wait.Error:
		remove()
		return fmt.Errorf("fill volume %s: %w", name, err)
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if _, err := cli.ContainerRemove(rctx, fill, client.ContainerRemoveOptions{Force: true}); err != nil {
		return fmt.Errorf("remove the container that filled %s: %w", name, err)
	}
	return nil
}

// removeOldToolchains removes the toolchain volumes other than keep that
// no container uses; a failure is no error (the volume stays).
func removeOldToolchains(ctx context.Context, cli *client.Client, keep string) {
	vols, err := cli.VolumeList(ctx, client.VolumeListOptions{Filters: make(client.Filters).Add("label", LabelToolchain)})
	if err != nil {
		return
	}
	for _, v := range vols.Items {
		if strings.HasPrefix(v.Name, keep+"-") || !strings.HasPrefix(v.Name, toolchainPrefix) {
			continue
		}
		// In use (a box still mounts it) or gone: left as it is.
		_, _ = cli.VolumeRemove(ctx, v.Name, client.VolumeRemoveOptions{})
	}
}
