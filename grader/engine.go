package grader

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Images the Engine starts besides the challenge's own.
const (
	// DefaultToolsImage holds the grader's own sandbox programs: the http
	// tester, the upstream fixture and the network holder.
	DefaultToolsImage = "grader/tools:local"
	// DefaultRedisImage is the Redis fixture.
	DefaultRedisImage = "grader/redis:local"
	// DefaultPostgresImage is the Postgres fixture.
	DefaultPostgresImage = "grader/postgres:local"
)

// EngineConfig configures an Engine. Zero fields take defaults.
type EngineConfig struct {
	// Sandbox runs the containers. Required.
	Sandbox Sandbox
	// Logger receives the engine's own logs (never learner output).
	Logger *slog.Logger
	// ToolsImage, RedisImage and PostgresImage default to
	// DefaultToolsImage, DefaultRedisImage and DefaultPostgresImage.
	ToolsImage    string
	RedisImage    string
	PostgresImage string
	// GoToolchain, when set, is mounted read-only into every Go build
	// box over the image's toolchain and module cache: the same files,
	// read from volumes instead of through the image's overlay, which
	// makes a build about 0.8s quicker (see package runner/images,
	// EnsureGoToolchain). Empty: the image's own.
	GoToolchain []VolumeMount
	// Now tells the time; time.Now by default.
	Now func() time.Time
	// Random returns a fresh unguessable token; used for per-job secrets
	// and test-name nonces. 16 random bytes in hex by default.
	Random func() string
}

// Engine grades submissions against challenges. It is safe for concurrent
// use; each Grade call runs its own containers.
type Engine struct {
	cfg EngineConfig
}

// NewEngine returns an Engine using cfg.
func NewEngine(cfg EngineConfig) *Engine {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.ToolsImage == "" {
		cfg.ToolsImage = DefaultToolsImage
	}
	if cfg.RedisImage == "" {
		cfg.RedisImage = DefaultRedisImage
	}
	if cfg.PostgresImage == "" {
		cfg.PostgresImage = DefaultPostgresImage
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Random == nil {
		cfg.Random = randomToken
	}
	return &Engine{cfg: cfg}
}

func randomToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Grade runs every suite of ch against sub and returns the instructor
// view of the result. A learner's failure is a Result; an error means the
// service failed (Docker unreachable, a broken image, ctx cancelled) and
// grading should be retried. A submission in a language the challenge
// does not offer is refused with a *RejectedError before anything runs.
// progress may be nil.
func (e *Engine) Grade(ctx context.Context, ch *Challenge, sub Submission, progress Progress) (Result, error) {
	if progress == nil {
		progress = noProgress{}
	}
	if sub.ID == "" {
		sub.ID = e.cfg.Random()[:12]
	}
	if sub.Language == "" {
		sub.Language = LanguageGo
	}
	offer, ok := ch.Offering(sub.Language)
	if !ok {
		return Result{}, Rejectf("challenge %s is not offered in %s; offered: %s", ch.ID, sub.Language, joinLanguages(ch.OfferedLanguages()))
	}
	j := &job{
		e:        e,
		ch:       ch,
		sub:      sub,
		lang:     sub.Language,
		offer:    offer,
		limits:   ch.Limits.WithDefaults(),
		progress: progress,
		log:      e.cfg.Logger.With("submission_id", sub.ID, "challenge", ch.ID),
	}
	defer j.teardown.Wait()
	res := Result{
		SubmissionID:     sub.ID,
		Challenge:        ch.ID,
		ChallengeVersion: ch.Version,
		Language:         sub.Language,
		View:             ViewInstructor,
		MaxScore:         ch.MaxScoreFor(sub.Language),
		Tests:            []TestResult{},
		Timings:          []PhaseTiming{},
	}
	var notes []string
	var suites []suiteVerdict
	for _, s := range ch.SuitesFor(sub.Language) {
		out, err := j.runSuite(ctx, s)
		if err != nil {
			return Result{}, fmt.Errorf("suite %s: %w", s.Name, err)
		}
		res.Tests = append(res.Tests, out.tests...)
		res.Timings = append(res.Timings, out.timings...)
		if out.build.Text != "" && res.Build.Text == "" {
			res.Build = out.build
		}
		if out.service.Text != "" {
			res.Service = out.service
		}
		if out.note != "" {
			notes = append(notes, out.note)
		}
		v := suiteResult(s, out)
		suites = append(suites, v)
		res.Suites = append(res.Suites, v.SuiteResult)
	}
	for _, t := range res.Tests {
		res.Score += t.Points
	}
	res.Timings = append(res.Timings, j.boxTimings()...)
	res.Status, res.Message = finalStatus(res, suites)
	for _, n := range notes {
		res.Message += "; " + n
	}
	res.GradedAt = e.cfg.Now().UTC()
	return res, nil
}

// joinLanguages lists languages for a message: "go, python".
func joinLanguages(ls []Language) string {
	out := ""
	for i, l := range ls {
		if i > 0 {
			out += ", "
		}
		out += string(l)
	}
	return out
}

// job is one Grade call.
type job struct {
	e        *Engine
	ch       *Challenge
	sub      Submission
	lang     Language
	offer    Offering
	limits   Limits
	progress Progress
	log      *slog.Logger
	// teardown counts boxes still being removed in the background.
	teardown sync.WaitGroup
	// started are the boxes started so far, for their costs.
	boxesMu sync.Mutex
	started []startedBox
}

// suiteOutcome is what running one suite produced.
type suiteOutcome struct {
	tests   []TestResult
	timings []PhaseTiming
	build   Output
	service Output
	// verdict is set when a limit or the build stopped the suite.
	verdict Status
	message string
	// note adds to the result's message what no test can show, such as a
	// panic before any test ran.
	note string
}

func (j *job) runSuite(ctx context.Context, s Suite) (suiteOutcome, error) {
	switch s.Kind {
	case SuiteGo:
		return j.runGoSuite(ctx, s)
	case SuiteHTTP:
		return j.runHTTPSuite(ctx, s)
	case SuitePytest, SuiteNodeTest:
		return j.runUnitSuite(ctx, s)
	}
	return suiteOutcome{}, fmt.Errorf("unknown suite kind %q", s.Kind)
}

// notRun returns the suite's tests, all marked not run with msg.
func notRun(s Suite, msg string) []TestResult {
	out := make([]TestResult, 0, len(s.Tests))
	for _, t := range s.Tests {
		out = append(out, TestResult{Name: t.Name, Suite: s.Name, Status: TestNotRun, MaxPoints: t.Points, Visibility: t.Visibility, Message: msg})
	}
	return out
}

// phase times fn and reports it to progress.
func (j *job) phase(ctx context.Context, name string, s Suite, timings *[]PhaseTiming, fn func() (ok bool, msg string, err error)) (bool, error) {
	start := j.e.cfg.Now()
	j.progress.Event(Event{Type: EventPhaseStarted, Phase: name, Suite: s.Name, At: start})
	ok, msg, err := fn()
	d := j.e.cfg.Now().Sub(start)
	*timings = append(*timings, PhaseTiming{Phase: name + ":" + s.Name, DurationMS: d.Milliseconds()})
	if err != nil {
		return false, err
	}
	j.progress.Event(Event{Type: EventPhaseFinished, Phase: name, Suite: s.Name, DurationMS: d.Milliseconds(), OK: ok, Message: msg, At: j.e.cfg.Now()})
	return ok, nil
}

// boxSpec returns the limits every box holding learner code gets.
func (j *job) boxSpec(role string) BoxSpec {
	return BoxSpec{
		Job:         j.sub.ID,
		Role:        role,
		Image:       j.offer.Image,
		User:        SandboxUser,
		MemoryBytes: j.limits.MemoryBytes,
		NanoCPUs:    j.limits.NanoCPUs(),
		Pids:        j.limits.Pids,
		TmpfsBytes:  j.limits.TmpfsBytes,
		OutputBytes: j.limits.OutputBytes,
	}
}

// learnerEnv is the environment learner code runs with.
func (j *job) learnerEnv(extra ...string) []string {
	env := []string{"HOME=/tmp", "TMPDIR=/tmp"}
	for k, v := range j.ch.Env {
		env = append(env, k+"="+v)
	}
	return append(env, extra...)
}

// closeBox removes a box, logging (not returning) a failure: teardown
// must not hide the primary outcome.
func (j *job) closeBox(b Box) {
	if b == nil {
		return
	}
	if err := b.Close(); err != nil {
		j.log.Warn("remove box", "container_id", b.ID(), "err", err)
	}
}

// closeLater removes a box in the background, so grading goes on while
// the engine tears it down; Grade waits for it before returning.
func (j *job) closeLater(b Box) {
	j.teardown.Add(1)
	go func() {
		defer j.teardown.Done()
		j.closeBox(b)
	}()
}

// closeAll removes boxes concurrently and waits for them.
func (j *job) closeAll(boxes []Box) {
	var wg sync.WaitGroup
	for _, b := range boxes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			j.closeBox(b)
		}()
	}
	wg.Wait()
}
