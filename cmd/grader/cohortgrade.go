package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/gradebox/grader/client"
)

// rosterEntry is one learner's submission on disk.
type rosterEntry struct {
	learner, path string
}

// archiveExts are the archive names a submissions folder may hold, one
// per learner (the name without the extension is the learner id).
var archiveExts = []string{".tar.gz", ".tgz", ".tar", ".zip"}

// readSubmissions lists the learners' submissions at p: a folder with one
// sub-folder or archive per learner, or a CSV roster of learner,path rows
// (paths relative to the roster; a header row "learner,path" is allowed).
func readSubmissions(p string) ([]rosterEntry, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, usageErr("cannot read %s: %v", p, err)
	}
	if !st.IsDir() {
		return readRoster(p)
	}
	ents, err := os.ReadDir(p)
	if err != nil {
		return nil, usageErr("cannot read %s: %v", p, err)
	}
	var out []rosterEntry
	for _, e := range ents {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		learner := ""
		if e.IsDir() {
			learner = name
		} else {
			for _, ext := range archiveExts {
				if strings.HasSuffix(strings.ToLower(name), ext) {
					learner = name[:len(name)-len(ext)]
					break
				}
			}
		}
		if learner == "" {
			continue
		}
		out = append(out, rosterEntry{learner: learner, path: filepath.Join(p, name)})
	}
	if len(out) == 0 {
		return nil, usageErr("%s holds no sub-folder or archive (%s) per learner", p, strings.Join(archiveExts, ", "))
	}
	return out, checkRoster(p, out)
}

// readRoster reads a CSV roster: learner[,path] rows.
func readRoster(p string) ([]rosterEntry, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, usageErr("cannot read %s: %v", p, err)
	}
	defer f.Close()
	r := csv.NewReader(io.LimitReader(f, 16<<20))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	rows, err := r.ReadAll()
	if err != nil {
		return nil, usageErr("roster %s: %v", p, err)
	}
	var out []rosterEntry
	for i, row := range rows {
		if len(row) == 0 || (len(row) == 1 && row[0] == "") {
			continue
		}
		if i == 0 && strings.EqualFold(strings.TrimSpace(row[0]), "learner") {
			continue
		}
		e := rosterEntry{learner: strings.TrimSpace(row[0])}
		if len(row) > 1 && strings.TrimSpace(row[1]) != "" {
			e.path = strings.TrimSpace(row[1])
			if !filepath.IsAbs(e.path) {
				e.path = filepath.Join(filepath.Dir(p), e.path)
			}
		}
		out = append(out, e)
	}
	if len(out) == 0 {
		return nil, usageErr("roster %s lists no learner: write one learner,path row per learner", p)
	}
	return out, checkRoster(p, out)
}

func checkRoster(src string, entries []rosterEntry) error {
	seen := map[string]bool{}
	for _, e := range entries {
		if !subjectPattern.MatchString(e.learner) {
			return usageErr("%s: %q is not a learner id (letters, digits, '.', '_', '@', '-')", src, e.learner)
		}
		if seen[e.learner] {
			return usageErr("%s: learner %s appears twice", src, e.learner)
		}
		seen[e.learner] = true
	}
	return nil
}

// learnerRun is one learner's submission through cohort grade.
type learnerRun struct {
	Learner    string `json:"learner"`
	Submission string `json:"submission,omitempty"`
	State      string `json:"state"`
	Status     string `json:"status,omitempty"`
	Score      int    `json:"score"`
	MaxScore   int    `json:"max_score"`
	// Error says why the learner was not submitted or not graded.
	Error string `json:"error,omitempty"`
}

func (r learnerRun) finished() bool { return r.State == "graded" || r.Error != "" }

func newCohortGradeCmd(cfg *Config) *cobra.Command {
	var f cohortFlags
	var challenge string
	var noWait, asJSON bool
	var jobs int
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "grade --cohort C --challenge X [--no-wait] <folder|roster.csv>",
		Short: "Submit every learner's solution of a cohort at once and follow them to their scores",
		Long: `Submit one solution per learner to the cohort's batch queue, where it never
holds up learners grading interactively. The folder holds one sub-folder or
archive (.zip, .tar, .tar.gz) per learner, named by the learner's id; or
give a CSV roster of learner,path rows (paths relative to the roster).

A progress bar on stderr shows uploads, then gradings (done/total,
failures, ETA). With --no-wait the command ends once everything is
uploaded. When the cohort's queue quota is reached, uploads wait as the
service asks (429 Retry-After) and go on.

Exit status: 0 every learner graded (whatever the scores); 1 some were not
(rejected submissions, grading errors); 2 bad usage; 3 the service failed
or --timeout passed.`,
		Args: exactArgs(1, "a folder or CSV roster of submissions"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.client(cmd, cfg, true)
			if err != nil {
				return err
			}
			if !client.ValidID(challenge) {
				return usageErr("--challenge %q: give the challenge's id", challenge)
			}
			if jobs < 1 || jobs > 32 {
				return usageErr("--jobs %d: use 1 to 32 parallel uploads", jobs)
			}
			entries, err := readSubmissions(args[0])
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			log, err := cfg.logger(cmd)
			if err != nil {
				return err
			}
			g := &cohortGrade{c: c, log: log, cohort: f.cohort, challenge: challenge, stderr: cmd.ErrOrStderr()}
			runs, err := g.run(ctx, entries, jobs, !noWait)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				if err := enc.Encode(runs); err != nil {
					return faultErr(err)
				}
			} else {
				printCohortRuns(cmd.OutOrStdout(), runs, !noWait)
			}
			for _, r := range runs {
				if r.Error != "" || (!noWait && r.Status == "error") {
					return &exitError{code: exitLess, err: errQuiet}
				}
			}
			return nil
		},
	}
	f.bind(cmd, true)
	fl := cmd.Flags()
	fl.StringVarP(&challenge, "challenge", "c", "", "challenge every learner is graded on")
	fl.BoolVar(&noWait, "no-wait", false, "end once everything is uploaded; do not wait for the scores")
	fl.BoolVar(&asJSON, "json", false, "print one JSON object per learner instead of a table")
	fl.IntVar(&jobs, "jobs", 4, "parallel uploads")
	fl.DurationVar(&timeout, "timeout", 2*time.Hour, "give up (exit 3) after this long")
	return cmd
}

// cohortGrade is one run of cohort grade.
type cohortGrade struct {
	c                 *client.Client
	log               *slog.Logger
	cohort, challenge string
	stderr            io.Writer
}

func (g *cohortGrade) run(ctx context.Context, entries []rosterEntry, jobs int, wait bool) ([]learnerRun, error) {
	runs := make([]learnerRun, len(entries))
	bar := newProgressBar(g.stderr, "uploading", len(entries))
	var mu sync.Mutex
	done, failed := 0, 0
	var fault error
	work := make(chan int)
	var wg sync.WaitGroup
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				r, err := g.upload(ctx, entries[i])
				mu.Lock()
				runs[i] = r
				done++
				if r.Error != "" {
					failed++
				}
				if err != nil && fault == nil {
					fault = err
				}
				bar.Set(done, failed, 0)
				mu.Unlock()
			}
		}()
	}
	for i := range entries {
		if ctx.Err() != nil {
			break
		}
		mu.Lock()
		stop := fault != nil
		mu.Unlock()
		if stop {
			break
		}
		work <- i
	}
	close(work)
	wg.Wait()
	bar.Finish()
	if fault != nil {
		return nil, faultErr(fmt.Errorf("uploading stopped: %w", fault))
	}
	if ctx.Err() != nil {
		return nil, faultErr(fmt.Errorf("uploading: %w", ctx.Err()))
	}
	if wait {
		if err := g.wait(ctx, runs); err != nil {
			return nil, err
		}
	}
	return runs, nil
}

// upload submits one learner's solution, waiting out the cohort's quota.
// A learner the service or the local check refuses gets an Error; a
// returned error stops the run (the service is failing).
func (g *cohortGrade) upload(ctx context.Context, e rosterEntry) (learnerRun, error) {
	r := learnerRun{Learner: e.learner, State: "not submitted"}
	if e.path == "" {
		r.Error = "the roster names no submission"
		return r, nil
	}
	up, err := prepareUpload(e.path, "")
	if err != nil {
		r.Error = err.Error()
		return r, nil
	}
	form, err := client.NewForm(map[string]string{"challenge": g.challenge, "learner": e.learner, "cohort": g.cohort}, up.name, up.data)
	if err != nil {
		return r, err
	}
	acc, err := g.c.Submit(ctx, form, nil)
	if ae, ok := client.AsError(err); ok && ae.Refused() {
		r.Error = fmt.Sprintf("%s: %s", ae.Code, clean(ae.Message))
		return r, nil
	}
	if err != nil {
		return r, err
	}
	r.Submission, r.State = acc.ID, acc.State
	return r, nil
}

// wait polls the cohort's submissions until every uploaded one is graded.
func (g *cohortGrade) wait(ctx context.Context, runs []learnerRun) error {
	byID := map[string]int{}
	for i, r := range runs {
		if r.Submission != "" {
			byID[r.Submission] = i
		}
	}
	bar := newProgressBar(g.stderr, "grading", len(runs))
	defer bar.Finish()
	for {
		done, failed, active := 0, 0, 0
		for _, r := range runs {
			switch {
			case r.Error != "":
				done++
				failed++
			case r.State == "graded":
				done++
				if r.Status == "error" {
					failed++
				}
			case r.State == "grading":
				active++
			}
		}
		bar.Set(done, failed, active)
		if done == len(runs) {
			return nil
		}
		if err := sleepCtx(ctx, 2*time.Second); err != nil {
			return faultErr(fmt.Errorf("%d of %d learners graded when time ran out: %w", done, len(runs), err))
		}
		if err := g.poll(ctx, runs, byID); err != nil {
			if ae, ok := client.AsError(err); ok && ae.Refused() {
				return apiExit(g.c, err, "")
			}
			// The service blipped: keep polling until the timeout.
			g.log.Warn("poll the cohort's submissions", "err", err)
		}
	}
}

// poll reads the cohort's newest submissions, page by page, until every
// unfinished one of runs has been seen.
func (g *cohortGrade) poll(ctx context.Context, runs []learnerRun, byID map[string]int) error {
	pending := 0
	for _, r := range runs {
		if r.Submission != "" && !r.finished() {
			pending++
		}
	}
	for offset := 0; pending > 0; offset += 100 {
		page, err := g.c.Submissions(ctx, client.SubmissionFilter{Cohort: g.cohort, Offset: offset, Limit: 100})
		if err != nil {
			return err
		}
		for _, it := range page.Items {
			i, ok := byID[it.ID]
			if !ok || runs[i].finished() {
				continue
			}
			runs[i].State, runs[i].Status, runs[i].Score, runs[i].MaxScore = it.State, it.Status, it.Score, it.MaxScore
			pending--
		}
		if offset+100 >= page.Total {
			return nil
		}
	}
	return nil
}

func printCohortRuns(w io.Writer, runs []learnerRun, waited bool) {
	sorted := append([]learnerRun(nil), runs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Learner < sorted[j].Learner })
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	if waited {
		fmt.Fprintln(tw, "LEARNER\tSCORE\tSTATUS\tSUBMISSION")
	} else {
		fmt.Fprintln(tw, "LEARNER\tSTATE\tSUBMISSION")
	}
	graded, refused := 0, 0
	for _, r := range sorted {
		switch {
		case r.Error != "":
			refused++
			if waited {
				fmt.Fprintf(tw, "%s\t-\tnot submitted: %s\t-\n", clean(r.Learner), clean(r.Error))
			} else {
				fmt.Fprintf(tw, "%s\tnot submitted: %s\t-\n", clean(r.Learner), clean(r.Error))
			}
		case waited:
			graded++
			fmt.Fprintf(tw, "%s\t%d/%d\t%s\t%s\n", clean(r.Learner), r.Score, r.MaxScore, clean(r.Status), clean(r.Submission))
		default:
			fmt.Fprintf(tw, "%s\t%s\t%s\n", clean(r.Learner), clean(r.State), clean(r.Submission))
		}
	}
	tw.Flush()
	if waited {
		fmt.Fprintf(w, "%d graded, %d not submitted\n", graded, refused)
	} else {
		fmt.Fprintf(w, "%d submitted, %d not submitted; follow them with grader cohort report\n", len(runs)-refused, refused)
	}
}

// progressBar draws "label [####....] done/total · failed · ETA" on a
// terminal (redrawn in place), or a line every 10% elsewhere.
type progressBar struct {
	w           io.Writer
	label       string
	total       int
	tty         bool
	start       time.Time
	lastPrinted int
	lastDone    int
	mu          sync.Mutex
	drew        bool
}

func newProgressBar(w io.Writer, label string, total int) *progressBar {
	tty := false
	if f, ok := w.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	return &progressBar{w: w, label: label, total: total, tty: tty, start: time.Now(), lastPrinted: -1}
}

// Set shows done of total finished, failed of them failed and active in
// progress.
func (b *progressBar) Set(done, failed, active int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lastDone = done
	line := b.line(done, failed, active)
	if b.tty {
		fmt.Fprintf(b.w, "\r\033[K%s", line)
		b.drew = true
		return
	}
	step := max(b.total/10, 1)
	if done == b.total || done/step != b.lastPrinted/step || b.lastPrinted < 0 {
		fmt.Fprintln(b.w, line)
		b.lastPrinted = done
	}
}

func (b *progressBar) line(done, failed, active int) string {
	const width = 30
	filled := 0
	if b.total > 0 {
		filled = done * width / b.total
	}
	s := fmt.Sprintf("%-9s [%s%s] %d/%d", b.label, strings.Repeat("#", filled), strings.Repeat(".", width-filled), done, b.total)
	if active > 0 {
		s += fmt.Sprintf(" · %d running", active)
	}
	if failed > 0 {
		s += fmt.Sprintf(" · %d failed", failed)
	}
	elapsed := time.Since(b.start)
	if done > 0 && done < b.total {
		eta := time.Duration(float64(elapsed) / float64(done) * float64(b.total-done)).Round(time.Second)
		s += fmt.Sprintf(" · ETA %s", eta)
	} else if done == b.total {
		s += fmt.Sprintf(" · %s", elapsed.Round(time.Second))
	}
	return s
}

// Finish ends the bar's line.
func (b *progressBar) Finish() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tty && b.drew {
		fmt.Fprintln(b.w)
		b.drew = false
	}
}
