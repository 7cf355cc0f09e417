// Package regrade is the regrade use case in one place: choosing which of
// a cohort's submissions a regrade grades again, starting it (storing it
// and queueing its gradings), reading it (queueing again what a failed
// enqueue left out) and applying its new results. The HTTP API calls it;
// the workers grade its items (queue.RegradeHandler) and the store keeps
// it. It depends on the domain, the cohort computations, the queue's task
// names and the interfaces it declares, never on the Redis store.
package regrade

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/gradebox/grader/cohort"
	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/queue"
)

// Store keeps regrades and reads what choosing one needs; *store.Redis
// implements it.
type Store interface {
	cohort.Store
	// CreateRegrade stores a new regrade and its items, not done;
	// grader.ErrExists if the id is taken.
	CreateRegrade(ctx context.Context, rg grader.Regrade, items []grader.RegradeItem) error
	// Regrade returns a regrade, its state and counts up to date, and its
	// items; an unknown id wraps grader.ErrNotFound.
	Regrade(ctx context.Context, id string) (grader.Regrade, []grader.RegradeItem, error)
	// Regrades returns a cohort's regrades, newest first.
	Regrades(ctx context.Context, cohort string) ([]grader.Regrade, error)
	// RegradeItemResult returns an item's new result and whether there is
	// one yet.
	RegradeItemResult(ctx context.Context, id, submission string) (grader.Result, bool, error)
	// StartApplyRegrade marks a fully graded regrade applying (again, if
	// an apply stopped half way); grader.ErrRegradeState otherwise.
	StartApplyRegrade(ctx context.Context, id string) error
	// RecordRegrade records one item's new result as a submission of its
	// own that supersedes the old one; recording newID twice changes
	// nothing more.
	RecordRegrade(ctx context.Context, regradeID string, item grader.RegradeItem, newID string, res grader.Result) error
	// FinishApplyRegrade marks an applying regrade applied.
	FinishApplyRegrade(ctx context.Context, id string) error
}

// Enqueuer queues the gradings of a regrade; *queue.Client implements it.
// A duplicate of a queued task is not an error.
type Enqueuer interface {
	EnqueueRegrade(ctx context.Context, p queue.RegradePayload, queueName string, timeout time.Duration) error
}

// Catalog finds challenges as the service has them now.
type Catalog interface {
	// Challenge returns a challenge, or an error wrapping
	// grader.ErrNotFound.
	Challenge(id string) (*grader.Challenge, error)
}

// Config wires a Service. Store and Catalog are required; without a
// Queue, regrades cannot be started.
type Config struct {
	Store   Store
	Queue   Enqueuer
	Catalog Catalog
	// Logger receives what a read could not queue again; discarded if
	// nil.
	Logger *slog.Logger
	// Now tells the time; time.Now by default.
	Now func() time.Time
}

// Service starts, reads and applies regrades. It is safe for concurrent
// use.
type Service struct {
	cfg Config
	log *slog.Logger
}

// New returns a Service.
func New(cfg Config) *Service {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{cfg: cfg, log: cfg.Logger}
}

// Budgets of the writes that must finish even when the caller goes away:
// starting (storing and queueing) and applying a regrade.
const (
	startTimeout = 10 * time.Second
	applyTimeout = 5 * time.Minute
)

// RequeueAge is how old a running regrade must be before reading it
// queues its ungraded items again (in case queueing them failed).
const RequeueAge = time.Minute

// ErrNotQueued is wrapped by Start when the regrade is stored but not
// all of its gradings could be queued; reading it after RequeueAge
// queues the rest.
var ErrNotQueued = errors.New("regrade stored but not all of it queued")

// Start begins a regrade with id of co's counted submissions at ch, as ch
// is now, on behalf of by: it chooses the items (see Choose), stores the
// regrade and queues their gradings on the cohort's lane. It returns the
// regrade as stored. When queueing fails after storing, it returns the
// stored regrade and an error wrapping ErrNotQueued.
func (s *Service) Start(ctx context.Context, co grader.Cohort, ch *grader.Challenge, id, by string) (grader.Regrade, []grader.RegradeItem, error) {
	items, err := Choose(ctx, s.cfg.Store, co, ch.ID)
	if err != nil {
		return grader.Regrade{}, nil, err
	}
	rg := grader.Regrade{ID: id, Cohort: co.ID, Challenge: ch.ID, Version: ch.Version, CreatedBy: by, CreatedAt: s.cfg.Now().UTC()}
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), startTimeout)
	defer cancel()
	if err := s.cfg.Store.CreateRegrade(bctx, rg, items); err != nil {
		return grader.Regrade{}, nil, fmt.Errorf("create regrade: %w", err)
	}
	if err := s.enqueue(bctx, co, rg, items); err != nil {
		return rg, items, fmt.Errorf("regrade %s: %w: %w", rg.ID, ErrNotQueued, err)
	}
	rg, items, err = s.cfg.Store.Regrade(bctx, rg.ID)
	if err != nil {
		return grader.Regrade{}, nil, fmt.Errorf("read regrade: %w", err)
	}
	return rg, items, nil
}

// Choose lists what a regrade of challenge grades again: each learner's
// counted submission (cohort.Standing.Best), with its score and version
// now. Learners without one are not regraded.
func Choose(ctx context.Context, st cohort.Store, co grader.Cohort, challenge string) ([]grader.RegradeItem, error) {
	ss, results, err := cohort.Standings(ctx, st, co, challenge)
	if err != nil {
		return nil, fmt.Errorf("plan regrade of %s: %w", co.ID, err)
	}
	items := []grader.RegradeItem{}
	for _, learner := range co.Learners {
		best := ss[learner].Best
		if best == nil {
			continue
		}
		it := grader.RegradeItem{Submission: best.ID, Learner: learner, OldScore: best.Score, OldMaxScore: best.MaxScore, OldStatus: best.Status}
		if res, ok := results[best.ID]; ok {
			it.OldVersion = res.ChallengeVersion
		}
		items = append(items, it)
	}
	return items, nil
}

// enqueue queues the items not graded yet on the cohort's lane.
func (s *Service) enqueue(ctx context.Context, co grader.Cohort, rg grader.Regrade, items []grader.RegradeItem) error {
	if s.cfg.Queue == nil {
		return errors.New("this service queues no regrades")
	}
	ch, err := s.cfg.Catalog.Challenge(rg.Challenge)
	if err != nil {
		return fmt.Errorf("challenge %s: %w", rg.Challenge, err)
	}
	var errs []error
	for _, it := range items {
		if it.Done {
			continue
		}
		p := queue.RegradePayload{RegradeID: rg.ID, SubmissionID: it.Submission, Challenge: rg.Challenge}
		if err := s.cfg.Queue.EnqueueRegrade(ctx, p, queue.CohortQueue(co.Lane), queue.TaskTimeout(ch)); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Find returns co's regrade id and its items; one of another cohort
// wraps grader.ErrNotFound, as an unknown one does.
func (s *Service) Find(ctx context.Context, co grader.Cohort, id string) (grader.Regrade, []grader.RegradeItem, error) {
	rg, items, err := s.cfg.Store.Regrade(ctx, id)
	if err == nil && rg.Cohort != co.ID {
		err = fmt.Errorf("regrade %s of cohort %s: %w", id, co.ID, grader.ErrNotFound)
	}
	if err != nil {
		return grader.Regrade{}, nil, fmt.Errorf("read regrade: %w", err)
	}
	return rg, items, nil
}

// Get returns co's regrade id and its items; one of another cohort wraps
// grader.ErrNotFound. A regrade still running RequeueAge after its start
// has its ungraded items queued again (duplicates of queued tasks are
// refused by the queue); a failure to is logged.
func (s *Service) Get(ctx context.Context, co grader.Cohort, id string) (grader.Regrade, []grader.RegradeItem, error) {
	rg, items, err := s.Find(ctx, co, id)
	if err != nil {
		return grader.Regrade{}, nil, err
	}
	if rg.State == grader.RegradeRunning && s.cfg.Now().Sub(rg.CreatedAt) > RequeueAge {
		if err := s.enqueue(ctx, co, rg, items); err != nil {
			s.log.Warn("re-enqueue regrade", "regrade_id", rg.ID, "err", err)
		}
	}
	return rg, items, nil
}

// List returns a cohort's regrades, newest first.
func (s *Service) List(ctx context.Context, cohortID string) ([]grader.Regrade, error) {
	list, err := s.cfg.Store.Regrades(ctx, cohortID)
	if err != nil {
		return nil, fmt.Errorf("list regrades: %w", err)
	}
	return list, nil
}

// Apply records the previewed regrade rg (as Find returned it) next to
// the old results: every item graded again (changed or not) gets a
// regrade submission, and the old one is superseded. Items the service
// failed to grade keep their result. Applying again after a stop resumes;
// it runs to its end (within a bound) even if the caller goes away. A
// regrade not fully graded, or applied already, wraps
// grader.ErrRegradeState. Apply returns the regrade as applied.
func (s *Service) Apply(ctx context.Context, rg grader.Regrade) (grader.Regrade, []grader.RegradeItem, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), applyTimeout)
	defer cancel()
	if err := s.cfg.Store.StartApplyRegrade(ctx, rg.ID); err != nil {
		return grader.Regrade{}, nil, fmt.Errorf("apply regrade: %w", err)
	}
	_, items, err := s.cfg.Store.Regrade(ctx, rg.ID)
	if err != nil {
		return grader.Regrade{}, nil, fmt.Errorf("apply regrade: %w", err)
	}
	for _, it := range items {
		if !it.Done || it.Failed() || it.Applied != "" {
			continue
		}
		res, ok, err := s.cfg.Store.RegradeItemResult(ctx, rg.ID, it.Submission)
		if err != nil || !ok {
			return grader.Regrade{}, nil, fmt.Errorf("apply regrade: result of %s (found %v): %w", it.Submission, ok, err)
		}
		if err := s.cfg.Store.RecordRegrade(ctx, rg.ID, it, rg.ID+"_"+it.Submission, res); err != nil {
			return grader.Regrade{}, nil, fmt.Errorf("apply regrade: %w", err)
		}
	}
	if err := s.cfg.Store.FinishApplyRegrade(ctx, rg.ID); err != nil {
		return grader.Regrade{}, nil, fmt.Errorf("apply regrade: %w", err)
	}
	rg, items, err = s.cfg.Store.Regrade(ctx, rg.ID)
	if err != nil {
		return grader.Regrade{}, nil, fmt.Errorf("apply regrade: %w", err)
	}
	return rg, items, nil
}
