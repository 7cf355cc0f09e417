package runner

import (
	"context"
	"errors"
	"fmt"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
)

// ReapOptions chooses which leftovers Reap removes.
type ReapOptions struct {
	// Worker removes every box labelled with this worker, whatever its
	// age: a restarted process passes its own former identity.
	Worker string
	// OlderThan removes any grader box created longer ago than this;
	// zero removes every grader box. Use a span longer than any grading
	// so boxes of other live processes are safe.
	OlderThan time.Duration
}

// Reap removes grader containers and volumes left behind by crashed
// processes (see ReapOptions) and returns how many it removed. Model:
// a dangling-container reconciler with a creation grace period.
func (d *Docker) Reap(ctx context.Context, opts ReapOptions) (int, error) {
	cutoff := time.Now().Add(-opts.OlderThan)
	filter := make(client.Filters).Add("label", LabelManaged+"=true")
	list, err := d.cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: filter})
	if err != nil {
		return 0, fmt.Errorf("list grader containers: %w", err)
	}
	removed := 0
	var errs []error
	for _, c := range list.Items {
		mine := opts.Worker != "" && c.Labels[LabelWorker] == opts.Worker
		if !mine && time.Unix(c.Created, 0).After(cutoff) {
			continue
		}
		_, err := d.cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
		switch {
		case err == nil:
			removed++
			d.log.Info("removed leftover box", "container_id", c.ID, LabelJob, c.Labels[LabelJob])
		case cerrdefs.IsNotFound(err) || isGone(err):
		default:
			errs = append(errs, fmt.Errorf("remove %s: %w", c.ID, err))
		}
	}
	vols, err := d.cli.VolumeList(ctx, client.VolumeListOptions{Filters: make(client.Filters).Add("label", LabelManaged+"=true").Add("dangling", "true")})
	if err != nil {
		errs = append(errs, fmt.Errorf("list grader volumes: %w", err))
	} else {
		for _, v := range vols.Items {
			if created, err := time.Parse(time.RFC3339, v.CreatedAt); err == nil && created.After(cutoff) && !(opts.Worker != "" && v.Labels[LabelWorker] == opts.Worker) {
				continue
			}
			if _, err := d.cli.VolumeRemove(ctx, v.Name, client.VolumeRemoveOptions{Force: true}); err == nil {
				removed++
			} else if !cerrdefs.IsNotFound(err) && !cerrdefs.IsConflict(err) {
				errs = append(errs, fmt.Errorf("remove volume %s: %w", v.Name, err))
			}
		}
	}
	return removed, errors.Join(errs...)
}
