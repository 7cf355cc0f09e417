package queue

import (
	"context"
	"testing"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
)

// withCache gives e's handler a result cache on its store, the images
// of every grading having the ids in imageIDs.
func (e *env) withCache(imageIDs map[string]string) {
	e.h.cfg.Cache = &ResultCache{Store: e.st}
	e.h.cfg.Images = &Images{
		Refs: func(*grader.Challenge, grader.Language) []string {
			return []string{"grader/go:local", "grader/tools:local"}
		},
		IDs: func(_ context.Context, refs []string) (map[string]string, error) {
			out := map[string]string{}
			for _, r := range refs {
				out[r] = imageIDs[r]
			}
			return out, nil
		},
	}
}

// submit stores a submission with files and grades it through the
// handler; it returns the stored result.
func (e *env) submit(t *testing.T, rec grader.Record, files ...grader.File) grader.Result {
	t.Helper()
	ctx := context.Background()
	rec.Challenge, rec.Learner = "notes-api", "ada"
	if _, err := e.st.CreateSubmission(ctx, rec, files); err != nil {
		t.Fatal(err)
	}
	if err := e.h.ProcessTask(ctx, gradeTask(rec.ID, rec.Challenge)); err != nil {
		t.Fatalf("grade %s: %v", rec.ID, err)
	}
	res, ok, err := e.st.Result(ctx, rec.ID)
	if err != nil || !ok {
		t.Fatalf("result of %s: %v, %v", rec.ID, ok, err)
	}
	return res
}

func TestResultCache(t *testing.T) {
	e := newEnv(t)
	ids := map[string]string{"grader/go:local": "sha256:go1", "grader/tools:local": "sha256:tools1"}
	e.withCache(ids)
	mainGo := grader.File{Name: "main.go", Mode: 0o644, Data: []byte("package main\n")}
	goMod := grader.File{Name: "go.mod", Mode: 0o644, Data: []byte("module x\n")}

	first := e.submit(t, grader.Record{ID: "s1"}, goMod, mainGo)
	if first.Cached != nil || e.eng.Calls() != 1 {
		t.Fatalf("first submission: cached %+v, engine calls %d; want graded", first.Cached, e.eng.Calls())
	}
	// The same files in another order: served from the cache.
	again := e.submit(t, grader.Record{ID: "s2"}, mainGo, goMod)
	if e.eng.Calls() != 1 {
		t.Fatalf("an identical resubmission was graded again (engine calls %d)", e.eng.Calls())
	}
	if again.Cached == nil || again.Cached.SubmissionID != "s1" || again.SubmissionID != "s2" || again.Score != first.Score || len(again.Tests) != len(first.Tests) {
		t.Fatalf("cached result: %+v (cached %+v); want s1's result as s2's, marked cached from s1", again, again.Cached)
	}
	if got := e.eventTypes(t, "s2"); got[len(got)-1] != grader.EventDone {
		t.Errorf("events of a cached submission end with %s, want done: %v", got[len(got)-1], got)
	}
	if rec, _ := e.st.Record(context.Background(), "s2"); rec.State != grader.StateGraded || rec.Score != first.Score {
		t.Errorf("record of a cached submission: %+v", rec)
	}
	// A cached result is cached from the original grading, not from the
	// copy.
	if third := e.submit(t, grader.Record{ID: "s3"}, goMod, mainGo); third.Cached == nil || third.Cached.SubmissionID != "s1" {
		t.Errorf("third identical submission: cached %+v, want from s1", third.Cached)
	}

	graded := func(name string, rec grader.Record, files ...grader.File) {
		t.Helper()
		before := e.eng.Calls()
		res := e.submit(t, rec, files...)
		if res.Cached != nil || e.eng.Calls() != before+1 {
			t.Errorf("%s: served from the cache (%+v), want a grading", name, res.Cached)
		}
	}
	changed := mainGo
	changed.Data = []byte("package main \n")
	graded("one byte changed", grader.Record{ID: "c1"}, goMod, changed)
	renamed := mainGo
	renamed.Name = "app.go"
	graded("a file renamed", grader.Record{ID: "c2"}, goMod, renamed)
	executable := mainGo
	executable.Mode = 0o755
	graded("a mode changed", grader.Record{ID: "c3"}, goMod, executable)
	graded("a file more", grader.Record{ID: "c4"}, goMod, mainGo, grader.File{Name: "notes.txt", Mode: 0o644})
	graded("another language", grader.Record{ID: "c5", Language: grader.LanguagePython}, goMod, mainGo)
	graded("a fresh grading asked for", grader.Record{ID: "c6", Fresh: true}, goMod, mainGo)

	ids["grader/tools:local"] = "sha256:tools2"
	graded("a rebuilt image", grader.Record{ID: "c7"}, goMod, mainGo)
	ids["grader/tools:local"] = "sha256:tools1"

	v2 := *notesAPI
	v2.Version = "v2"
	e.h.cfg.Challenges = challenges.NewIndex([]*grader.Challenge{&v2})
	graded("another challenge version", grader.Record{ID: "c8"}, goMod, mainGo)

	off := *notesAPI
	off.NoResultCache = true
	e.h.cfg.Challenges = challenges.NewIndex([]*grader.Challenge{&off})
	graded("a challenge that opts out", grader.Record{ID: "c9"}, goMod, mainGo)
	graded("a challenge that opts out, twice", grader.Record{ID: "c10"}, goMod, mainGo)
}

// TestResultCacheSkipsFaults: a result of the service's own fault is
// never served from the cache, and an entry pointing at one is dropped.
func TestResultCacheSkipsFaults(t *testing.T) {
	e := newEnv(t)
	e.withCache(map[string]string{"grader/go:local": "a", "grader/tools:local": "b"})
	ctx := context.Background()
	goMod := grader.File{Name: "go.mod", Mode: 0o644, Data: []byte("module x\n")}
	e.submit(t, grader.Record{ID: "s1"}, goMod)
	sub, err := e.st.Submission(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	key := e.h.cfg.Images.key(t, sub)
	// An entry naming a submission with a StatusError result.
	if _, err := e.st.CreateSubmission(ctx, grader.Record{ID: "bad", Challenge: "notes-api", Learner: "ada"}, []grader.File{goMod}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.SaveResult(ctx, grader.Result{SubmissionID: "bad", Challenge: "notes-api", Status: grader.StatusError}); err != nil {
		t.Fatal(err)
	}
	if err := e.st.ForgetResult(ctx, key); err != nil {
		t.Fatal(err)
	}
	if err := e.st.RememberResult(ctx, key, "bad"); err != nil {
		t.Fatal(err)
	}
	res := e.submit(t, grader.Record{ID: "s2"}, goMod)
	if res.Cached != nil || res.Status == grader.StatusError || e.eng.Calls() != 2 {
		t.Fatalf("served a fault from the cache: %+v", res)
	}
	if id, ok, _ := e.st.CachedSubmission(ctx, key); !ok || id != "s2" {
		t.Errorf("cache entry after the fault was dropped: %q %v, want s2", id, ok)
	}
}

// key is the cache key of sub for notes-api, as the handler makes it.
func (im *Images) key(t *testing.T, sub grader.Submission) string {
	t.Helper()
	ids, err := im.IDs(context.Background(), im.Refs(notesAPI, sub.Language))
	if err != nil {
		t.Fatal(err)
	}
	return grader.ResultCacheKey(notesAPI, sub, ids)
}

// TestProvenance checks a graded result says what was graded, with which
// images and by whom, and that a result served from the cache keeps the
// provenance of the grading that made it.
func TestProvenance(t *testing.T) {
	e := newEnv(t)
	ids := map[string]string{"grader/go:local": "sha256:go1", "grader/tools:local": "sha256:tools1"}
	e.withCache(ids)
	e.h.cfg.Worker = "worker-7"
	goMod := grader.File{Name: "go.mod", Mode: 0o644, Data: []byte("module x\n")}
	res := e.submit(t, grader.Record{ID: "s1"}, goMod)
	p := res.Provenance
	if p == nil {
		t.Fatal("a graded result has no provenance")
	}
	want := grader.SubmissionDigest(grader.Submission{Files: []grader.File{goMod}})
	if p.SubmissionDigest != want || p.Challenge != "notes-api" || p.ChallengeVersion != notesAPI.Version ||
		p.Language != grader.LanguageGo || p.Worker != "worker-7" || !p.GradedAt.Equal(res.GradedAt) {
		t.Fatalf("provenance %+v; want digest %s, notes-api %s, go, worker-7, graded at %s", p, want, notesAPI.Version, res.GradedAt)
	}
	if len(p.Images) != 2 || p.Images["grader/go:local"] != "sha256:go1" || p.Images["grader/tools:local"] != "sha256:tools1" {
		t.Fatalf("provenance images %v, want %v", p.Images, ids)
	}
	e.h.cfg.Worker = "worker-8"
	again := e.submit(t, grader.Record{ID: "s2"}, goMod)
	if again.Cached == nil || again.Provenance == nil || again.Provenance.Worker != "worker-7" {
		t.Fatalf("a cached result's provenance %+v, want the original grading's (worker-7)", again.Provenance)
	}
	other := e.submit(t, grader.Record{ID: "s3"}, grader.File{Name: "go.mod", Mode: 0o644, Data: []byte("module y\n")})
	if other.Provenance.SubmissionDigest == p.SubmissionDigest {
		t.Fatal("other files, same submission digest")
	}
}
