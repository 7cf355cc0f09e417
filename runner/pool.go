package runner

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/client"

	"github.com/gradebox/grader/grader"
)

// Pool defaults; see PoolConfig.
const (
	DefaultPoolSize     = 6
	DefaultPoolIdle     = 10 * time.Minute
	DefaultPoolMaxAge   = 30 * time.Minute
	defaultPoolPerShape = 2
)

// LabelPool marks a box made ahead of need by a worker's pool. It stays
// on the box after hand-over (labels cannot change), so a box of a job
// that came from the pool carries it too.
const LabelPool = "grader.pool"

// poolJob and poolRole are the job and role labels of a pooled box.
const (
	poolJob  = "pool"
	poolRole = "warm"
)

// PoolConfig sizes a sandbox's pool of warm boxes: containers created and
// started ahead of need, each waiting, with no job and no learner data, to
// be handed to exactly one box request of its shape (image, user, limits,
// mounts, hosts), then destroyed with that box like any other.
//
// The pool learns its shapes from demand: a box request the pool could not
// serve makes its shape wanted, and the pool keeps one box, then a second,
// of each shape wanted within Idle (the most recently wanted first), at
// most Size in all. Only boxes that own their
// network namespace, of images with no entry point and with /bin/sh, and
// with a command, are served from the pool; the rest start cold.
type PoolConfig struct {
	// Size is how many warm boxes the pool holds at most. Zero or less: no
	// pool, every box starts cold.
	Size int
	// Idle is how long a shape nobody asked for stays warm. Default
	// DefaultPoolIdle.
	Idle time.Duration
	// MaxAge is how long a warm box may wait before it is replaced, so no
	// pooled box grows older than the span Reap spares other processes'
	// boxes for. Default DefaultPoolMaxAge.
	MaxAge time.Duration
}

func (c PoolConfig) withDefaults() PoolConfig {
	if c.Idle <= 0 {
		c.Idle = DefaultPoolIdle
	}
	if c.MaxAge <= 0 {
		c.MaxAge = DefaultPoolMaxAge
	}
	return c
}

// PoolStats counts what the pool did.
type PoolStats struct {
	// Ready is how many warm boxes wait now.
	Ready int
	// Hits and Misses count box requests served warm and started cold
	// although their shape could be pooled.
	Hits, Misses int
}

// warmBox is a started container of the pool, waiting for its job.
type warmBox struct {
	id   string
	made time.Time
}

// wanted is a shape the pool keeps warm: the template of the spec it was
// first asked with, and when it was last asked for.
type wanted struct {
	spec     grader.BoxSpec
	lastUsed time.Time
}

// pool holds a sandbox's warm boxes. Its methods are safe for
// concurrent use.
type pool struct {
	d   *Docker
	cfg PoolConfig
	log *slog.Logger

	ctx    context.Context // ends when the pool closes
	cancel context.CancelFunc
	fills  sync.WaitGroup

	mu      sync.Mutex
	ready   map[shape][]warmBox
	filling map[shape]int
	wanted  map[shape]*wanted
	images  map[string]bool // image → may be pooled (no entry point, has /bin/sh)
	// failures counts warm boxes of an image that failed to start in a row.
	failures map[string]int
	stats    PoolStats
	closed   bool
	wake     chan struct{}
}

func newPool(d *Docker, cfg PoolConfig) *pool {
	ctx, cancel := context.WithCancel(context.Background())
	p := &pool{
		d: d, cfg: cfg.withDefaults(), log: d.log.With("pool", d.worker),
		ctx: ctx, cancel: cancel,
		ready: map[shape][]warmBox{}, filling: map[shape]int{}, wanted: map[shape]*wanted{},
		images: map[string]bool{}, failures: map[string]int{}, wake: make(chan struct{}, 1),
	}
	p.fills.Go(p.tend)
	return p
}

// take returns a warm box for spec, or false when the pool has none of its
// shape (then the caller starts one cold). Either way it marks the shape
// wanted, so the pool makes boxes of it for the next requests.
func (p *pool) take(ctx context.Context, spec grader.BoxSpec) (string, bool) {
	if !poolable(spec) || !spec.Prestart && !p.imagePoolable(ctx, spec.Image) {
		return "", false
	}
	k := shapeOf(spec)
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return "", false
	}
	if w := p.wanted[k]; w != nil {
		w.lastUsed = now
	} else {
		p.wanted[k] = &wanted{spec: template(spec), lastUsed: now}
	}
	p.poke()
	for boxes := p.ready[k]; len(boxes) > 0; boxes = p.ready[k] {
		wb := boxes[len(boxes)-1]
		p.ready[k] = boxes[:len(boxes)-1]
		if now.Sub(wb.made) >= p.cfg.MaxAge {
			p.fills.Go(func() { p.discard(wb.id) })
			continue
		}
		p.stats.Hits++
		return wb.id, true
	}
	p.stats.Misses++
	return "", false
}

// imagePoolable reports whether boxes of image may be pooled: an image
// with an entry point would run the waiting shell as its argument, and
// one setting PWD would lose it. An
// image the daemon cannot inspect is not pooled; the cold start reports
// why.
func (p *pool) imagePoolable(ctx context.Context, image string) bool {
	p.mu.Lock()
	ok, known := p.images[image]
	p.mu.Unlock()
	if known {
		return ok
	}
	insp, err := p.d.api.ImageInspect(ctx, image)
	if err != nil {
		return false
	}
	// The waiting shell exports PWD; the hand-over unsets it, which is
	// right unless the image sets it itself.
	ok = insp.Config == nil || len(insp.Config.Entrypoint) == 0 && !slices.ContainsFunc(insp.Config.Env, func(e string) bool { return strings.HasPrefix(e, "PWD=") })
	p.mu.Lock()
	p.images[image] = ok
	p.mu.Unlock()
	return ok
}

// refuseImage stops pooling image (its shell does not start).
func (p *pool) refuseImage(image string, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.images[image] {
		p.log.Info("boxes of this image start cold: the pool's waiting shell does not run in it", "image", image, "err", err)
	}
	p.images[image] = false
	for k := range p.wanted {
		if k.image == image {
			delete(p.wanted, k)
		}
	}
}

// forget stops keeping shape k warm until it is asked for again.
func (p *pool) forget(k shape) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.wanted, k)
}

// poke asks the tending loop to look again; p.mu is held.
func (p *pool) poke() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// tend keeps the pool filled and trimmed until it closes: on every take
// and at least once a minute.
func (p *pool) tend() {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		p.fill()
		select {
		case <-p.ctx.Done():
			return
		case <-p.wake:
		case <-tick.C:
		}
	}
}

// fill forgets shapes idle past cfg.Idle (removing their boxes), replaces
// boxes older than cfg.MaxAge, and starts making boxes for the wanted
// shapes, most recently used first, up to the pool's size.
func (p *pool) fill() {
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	var stale []string
	for k, w := range p.wanted {
		if now.Sub(w.lastUsed) > p.cfg.Idle {
			delete(p.wanted, k)
		}
	}
	held := 0
	for k, boxes := range p.ready {
		keep := boxes[:0]
		for _, wb := range boxes {
			if p.wanted[k] == nil || now.Sub(wb.made) >= p.cfg.MaxAge {
				stale = append(stale, wb.id)
				continue
			}
			keep = append(keep, wb)
		}
		p.ready[k] = keep
		held += len(keep) + p.filling[k]
	}
	for _, id := range stale {
		p.fills.Go(func() { p.discard(id) })
	}
	order := make([]shape, 0, len(p.wanted))
	for k := range p.wanted {
		order = append(order, k)
	}
	slices.SortFunc(order, func(a, b shape) int { return p.wanted[b].lastUsed.Compare(p.wanted[a].lastUsed) })
	// One box of every wanted shape first, then a second: a grading asks
	// for several shapes in turn (build, holder, service).
	for round := 1; round <= defaultPoolPerShape; round++ {
		for i, k := range order {
			if len(p.ready[k])+p.filling[k] >= round {
				continue
			}
			// A full pool makes room for a shape's first box by removing
			// a box of a shape wanted less recently.
			if held >= p.cfg.Size {
				if round > 1 || !p.evictFor(order[i+1:]) {
					continue
				}
				held--
			}
			p.filling[k]++
			held++
			spec := p.wanted[k].spec
			p.fills.Go(func() { p.make(k, spec) })
		}
	}
}

// evictFor removes one warm box of the least recently wanted of older
// (ordered most recent first), a shape's second box before any shape's
// only one, and reports whether it removed one. p.mu is held.
func (p *pool) evictFor(older []shape) bool {
	for _, least := range []int{2, 1} {
		for i := len(older) - 1; i >= 0; i-- {
			v := older[i]
			if boxes := p.ready[v]; len(boxes) >= least {
				wb := boxes[0]
				p.ready[v] = boxes[1:]
				p.fills.Go(func() { p.discard(wb.id) })
				return true
			}
		}
	}
	return false
}

// make creates and starts one warm box of shape k and adds it to the pool.
func (p *pool) make(k shape, spec grader.BoxSpec) {
	id, err := p.create(spec)
	p.mu.Lock()
	p.filling[k]--
	closed := p.closed
	if err == nil && !closed {
		p.ready[k] = append(p.ready[k], warmBox{id: id, made: time.Now()})
	}
	p.mu.Unlock()
	switch {
	case err != nil && p.ctx.Err() == nil:
		p.log.Warn("make a warm box", "image", spec.Image, "err", err)
		p.failed(k, spec, err)
	case err == nil && closed:
		p.d.removeContainer(id, p.log)
	case err == nil:
		p.mu.Lock()
		delete(p.failures, spec.Image)
		p.mu.Unlock()
	}
}

// maxWarmFailures is how many warm boxes of an image in a row may fail to
// start before the pool stops making them: a daemon's passing refusal
// is tried again, an image whose shell does not run is not.
const maxWarmFailures = 3

// failed records a warm box of shape k that could not be made: the shape
// is no longer kept warm until asked for again, and an image whose boxes
// failed maxWarmFailures times in a row is no longer pooled.
func (p *pool) failed(k shape, spec grader.BoxSpec, err error) {
	p.forget(k)
	p.mu.Lock()
	p.failures[spec.Image]++
	n := p.failures[spec.Image]
	p.mu.Unlock()
	if n >= maxWarmFailures && !spec.Prestart {
		p.refuseImage(spec.Image, err)
	}
}

// create makes and starts a warm box for spec's shape: a shell reading its
// job from standard input, which stays open until hand-over.
func (p *pool) create(spec grader.BoxSpec) (string, error) {
	opts := warmOptions(spec, p.d.worker, p.d.runtime)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(p.ctx), teardownTimeout)
	defer cancel()
	created, err := p.d.api.ContainerCreate(ctx, opts)
	if err != nil {
		if ctx.Err() != nil {
			p.d.removeContainer(opts.Name, p.log)
		}
		return "", fmt.Errorf("create warm box: %w", err)
	}
	if _, err := p.d.api.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
		p.d.removeContainer(created.ID, p.log)
		return "", fmt.Errorf("start warm box: %w", err)
	}
	return created.ID, nil
}

// discard removes a warm box nobody will use.
func (p *pool) discard(id string) {
	p.d.removeContainer(id, p.log)
}

// ids returns the warm boxes' container IDs.
func (p *pool) ids() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var ids []string
	for _, boxes := range p.ready {
		for _, wb := range boxes {
			ids = append(ids, wb.id)
		}
	}
	return ids
}

// Stats returns the pool's counts.
func (p *pool) Stats() PoolStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.stats
	for _, boxes := range p.ready {
		s.Ready += len(boxes)
	}
	return s
}

// close stops making boxes, waits for the ones being made, and removes
// every warm box, in parallel.
func (p *pool) close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	p.mu.Unlock()
	p.cancel()
	p.fills.Wait()
	ids := p.ids()
	p.mu.Lock()
	p.ready = map[shape][]warmBox{}
	p.mu.Unlock()
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Go(func() { p.discard(id) })
	}
	wg.Wait()
}
