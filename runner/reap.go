package runner

import (
	"context"
	"errors"
	"fmt"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
)

// ReapOptions chooses which leftovers Reap removes. Reap removes what
// matches either rule.
type ReapOptions struct {
	// Worker removes everything labelled with this worker, whatever its
	// age: a process restarted under a stable identity passes its own.
	// Empty matches nothing.
	Worker string
	// OlderThan removes anything of the grader created longer ago than
	// this. Choose a span longer than any grading, so that boxes of other
	// live processes sharing the daemon are spared. Zero removes
	// everything of the grader, however new.
	OlderThan time.Duration
	// Held, when set, is asked right before each removal whether this
	// process still owns Worker (a worker's lease): when it returns an
	// error, Reap removes nothing more and returns it. Boxes of a worker
	// id are only ever removed by the process holding it.
	Held func(ctx context.Context) error
}

// held runs the Held check, if any.
func (o ReapOptions) held(ctx context.Context) error {
	if o.Held == nil {
		return nil
	}
	if err := o.Held(ctx); err != nil {
		return fmt.Errorf("reap leftovers: %w", err)
	}
	return nil
}

// reapable reports whether something created at created with labels l
// matches opts.
func (o ReapOptions) reapable(l map[string]string, created, now time.Time) bool {
	if o.Worker != "" && l[LabelWorker] == o.Worker {
		return true
	}
	return !created.After(now.Add(-o.OlderThan))
}

// Reap removes containers, then networks, then volumes labelled
// grader.managed=true that match opts (boxes this sandbox has open are
// always spared), and returns how many it removed. Something gone or still
// in use meanwhile is skipped, not an error; other failures are joined
// into the error while Reap goes on. Model: hashicorp/nomad
// drivers/docker/reconcile_dangling.go.
func (d *Docker) Reap(ctx context.Context, opts ReapOptions) (int, error) {
	now := time.Now()
	managed := make(client.Filters).Add("label", LabelManaged+"=true")
	removed := 0
	var errs []error

	list, err := d.api.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: managed})
	if err != nil {
		return 0, fmt.Errorf("list grader containers: %w", err)
	}
	open := d.openIDs()
	for _, c := range list.Items {
		if open[c.ID] || !opts.reapable(c.Labels, time.Unix(c.Created, 0), now) {
			continue
		}
		if err := opts.held(ctx); err != nil {
			return removed, err
		}
		_, err := d.api.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
		switch {
		case err == nil:
			removed++
			d.log.Info("removed leftover box", "container_id", c.ID, "job", c.Labels[LabelJob], "worker", c.Labels[LabelWorker])
		case isGone(err):
		default:
			errs = append(errs, fmt.Errorf("remove container %s: %w", c.ID, err))
		}
	}

	nets, err := d.api.NetworkList(ctx, client.NetworkListOptions{Filters: managed})
	if err != nil {
		errs = append(errs, fmt.Errorf("list grader networks: %w", err))
	}
	for _, n := range nets.Items {
		if !opts.reapable(n.Labels, n.Created, now) {
			continue
		}
		if err := opts.held(ctx); err != nil {
			return removed, err
		}
		_, err := d.api.NetworkRemove(ctx, n.ID, client.NetworkRemoveOptions{})
		switch {
		case err == nil:
			removed++
			d.log.Info("removed leftover network", "network_id", n.ID, "job", n.Labels[LabelJob])
		case inUseOrGone(err):
		default:
			errs = append(errs, fmt.Errorf("remove network %s: %w", n.ID, err))
		}
	}

	// Volumes of removed containers went with them; these are the rest.
	vols, err := d.api.VolumeList(ctx, client.VolumeListOptions{Filters: managed.Clone().Add("dangling", "true")})
	if err != nil {
		errs = append(errs, fmt.Errorf("list grader volumes: %w", err))
	}
	for _, v := range vols.Items {
		created, perr := time.Parse(time.RFC3339, v.CreatedAt)
		if perr != nil {
			created = now // unknown age: only the worker rule applies
		}
		if !opts.reapable(v.Labels, created, now) {
			continue
		}
		if err := opts.held(ctx); err != nil {
			return removed, err
		}
		_, err := d.api.VolumeRemove(ctx, v.Name, client.VolumeRemoveOptions{Force: true})
		switch {
		case err == nil:
			removed++
			d.log.Info("removed leftover volume", "volume", v.Name, "job", v.Labels[LabelJob])
		case inUseOrGone(err):
		default:
			errs = append(errs, fmt.Errorf("remove volume %s: %w", v.Name, err))
		}
	}
	return removed, errors.Join(errs...)
}

// inUseOrGone reports whether removing a network or volume failed only
// because it is gone or something still uses it.
func inUseOrGone(err error) bool {
	return cerrdefs.IsNotFound(err) || cerrdefs.IsConflict(err) || cerrdefs.IsPermissionDenied(err)
}

// openIDs returns the IDs of the boxes this sandbox has open, warm boxes
// of its pool included.
func (d *Docker) openIDs() map[string]bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	ids := make(map[string]bool, len(d.boxes))
	for b := range d.boxes {
		ids[b.id] = true
	}
	if d.pool != nil {
		for _, id := range d.pool.ids() {
			ids[id] = true
		}
	}
	return ids
}
