//go:build integration

package e2e

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	encodingcsv "encoding/csv"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/internal/redistest"
)

// startDevService runs `grader serve` as `make run` does: the development
// tokens of deploy/tokens.dev.json, here on a real Redis.
func startDevService(t *testing.T, workerID string) *proc {
	t.Helper()
	rs := redistest.Start(t)
	return startGrader(t, nil, "serve", "--listen", "127.0.0.1:0", "--redis-url", rs.URL(),
		"--tokens", "../deploy/tokens.dev.json", "--worker-id", workerID, "--concurrency", "2")
}

// writeArchive packs a folder as a tar.gz a learner would upload.
// changedCopy copies dir with one more file, NOTES.txt: the same program,
// but not identical files, so the result cache does not answer it.
func changedCopy(t *testing.T, dir string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), filepath.Base(dir))
	if err := os.CopyFS(out, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "NOTES.txt"), []byte("submitted from a phone\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

func writeArchive(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), filepath.Base(dir)+".tar.gz")
	if err := os.WriteFile(p, tarDir(t, dir), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBrowserLearner walks a newcomer through the pages in headless
// Chromium against the real service: sign in with the development token
// the sign-in page offers, open the catalog and the notes-api challenge,
// download the starter, upload the reference as an archive and watch it
// graded to full marks, upload the starter as a folder and read its
// failing visible tests, and see the attempts. Hidden tests are never
// named, and another learner cannot open the submission. Screenshots of
// every page, at desktop and phone widths, go to artifacts/screenshots.
func TestBrowserLearner(t *testing.T) {
	svc := startDevService(t, "e2e-browser-learner")
	ch, err := challenges.Load("../challenges/notes-api")
	if err != nil {
		t.Fatal(err)
	}
	hidden := hiddenNames(t, ch)
	b := newBrowser(t, svc.url)
	noHidden := func(where string) {
		t.Helper()
		body := b.text("body")
		for _, n := range hidden {
			if strings.Contains(body, n) {
				t.Errorf("%s names hidden test %q", where, n)
			}
		}
	}

	// The sign-in page offers the development tokens; a wrong token is
	// refused with a clear message.
	b.open("/", "#signin-form")
	if !strings.Contains(b.text(".dev"), "dev-learner-alice-0001") {
		t.Fatalf("the sign-in page does not offer alice's development token:\n%s", b.text("main"))
	}
	b.checkAccessible("the sign-in page")
	b.shot(desktop, "01-sign-in")
	b.do("type a wrong token", chromedp.SendKeys(chromedp.CSS("#token"), "not-a-real-token-123"), chromedp.Click(chromedp.CSS("#signin-button")))
	b.waitFor("the bad-token message", `!document.querySelector('#signin-error').hidden`, 10*time.Second)
	if msg := b.text("#signin-error"); !strings.Contains(msg, "not valid") {
		t.Errorf("a bad token says %q", msg)
	}
	b.shot(desktop, "02-sign-in-bad-token")

	// Sign in as alice with one click: the catalog.
	b.do("sign in as alice", chromedp.Click(chromedp.CSS(`[data-dev-token="dev-learner-alice-0001"]`)))
	b.waitFor("the catalog", `location.pathname === '/challenges' && !!document.querySelector('.card')`, 15*time.Second)
	// The header is filled from /v1/me, which may answer after the catalog.
	b.waitFor("the header", `document.querySelector('#who').innerText.trim() !== ''`, 10*time.Second)
	if who := b.text("#who"); who != "alice (learner)" {
		t.Errorf("header shows %q, want alice (learner)", who)
	}
	b.waitFor("the best scores", `!document.querySelector('[data-needs-role="learner"]').hidden`, 10*time.Second)
	if got := b.text(`.card[data-challenge="notes-api"] .best`); got != "not attempted" {
		t.Errorf("best score before any attempt: %q", got)
	}
	b.checkAccessible("the catalog page")
	b.shot(desktop, "03-catalog")

	// The challenge page: statement, limits, visible tests, the starter.
	b.do("open notes-api", chromedp.Click(chromedp.CSS(`a[href="/challenges/notes-api"]`)))
	b.waitFor("the submit form", `location.pathname === '/challenges/notes-api' && !document.querySelector('#submit-tools').hidden`, 15*time.Second)
	statement := b.text(".statement")
	if !strings.Contains(statement, "Build a small JSON REST API") || !strings.Contains(b.text(".limits"), "256 MiB") {
		t.Errorf("the challenge page lacks its statement or limits:\n%s", b.text("main"))
	}
	if !strings.Contains(b.text(".examples"), "create returns 201 with the note") {
		t.Errorf("the visible tests are not listed:\n%s", b.text("main"))
	}
	noHidden("the challenge page")
	downloads := t.TempDir()
	if _, err := chromedp.CallBrowser(b.ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads,
	}); err != nil {
		t.Fatalf("allow downloads: %v", err)
	}
	// One starter per language: Go's keeps its name, Python's unpacks
	// beside it.
	b.do("download the Go starter", chromedp.Click(chromedp.CSS(`#starters [data-starter="go"]`)))
	checkStarter(t, filepath.Join(downloads, "notes-api-starter.tar.gz"), "notes-api/go.mod")
	b.do("download the Python starter", chromedp.Click(chromedp.CSS(`#starters [data-starter="python"]`)))
	checkStarter(t, filepath.Join(downloads, "notes-api-python-starter.tar.gz"), "notes-api-python/app.py")
	b.checkAccessible("the challenge page")
	b.shot(desktop, "04-challenge")

	// Upload the reference as an archive and watch it being graded.
	b.do("choose the reference archive", chromedp.SetUploadFiles(chromedp.CSS("#pick-archive"), []string{writeArchive(t, "../challenges/notes-api/solution")}))
	b.waitFor("the submit button", `!document.querySelector('#submit-button').disabled`, 5*time.Second)
	b.do("submit", chromedp.Click(chromedp.CSS("#submit-button")))
	b.waitFor("grading progress", `location.pathname.startsWith('/submissions/sub_') && document.querySelectorAll('#progress-log li').length >= 3`, 60*time.Second)
	reference := b.path()
	b.shot(desktop, "05-grading")
	b.waitFor("the result", `!!document.querySelector('#score-card')`, 3*time.Minute)
	if got := b.text("#score-card"); !strings.Contains(got, "30 / 30") || !strings.Contains(got, "Full marks") {
		t.Errorf("the reference's result reads %q, want 30 / 30 and full marks", got)
	}
	if log := b.text("#progress-log"); !strings.Contains(log, "Built") || !strings.Contains(log, "Passed") {
		t.Errorf("the progress log lacks the build or the tests:\n%s", log)
	}
	if got, want := b.text("#hidden-summary"), fmt.Sprintf("%d of %d hidden tests passed", len(hidden), len(hidden)); !strings.Contains(got, want) {
		t.Errorf("the hidden tests summary reads %q", got)
	}
	noHidden("the reference's result")
	b.checkAccessible("the result page")
	b.shot(desktop, "06-result-full-marks")

	// Upload the starter as a folder: its visible tests fail with messages.
	b.open("/challenges/notes-api", "#submit-tools")
	b.do("choose the starter folder", chromedp.SetUploadFiles(chromedp.CSS("#pick-folder"),
		[]string{abs(t, "../challenges/notes-api/starter")}))
	b.waitFor("the submit button", `!document.querySelector('#submit-button').disabled`, 5*time.Second)
	if got := b.text("#chosen"); !strings.HasPrefix(got, "2 files to submit") {
		t.Errorf("the chosen folder reads %q", got)
	}
	b.do("submit", chromedp.Click(chromedp.CSS("#submit-button")))
	b.waitFor("the starter's result", `location.pathname.startsWith('/submissions/sub_') && !!document.querySelector('#score-card')`, 3*time.Minute)
	starter := b.path()
	if got := b.text("#score-card"); !strings.Contains(got, "2 / 30") {
		t.Errorf("the starter's result reads %q, want 2 / 30", got)
	}
	if tests := b.text("#tests"); !strings.Contains(tests, "create returns 201 with the note") || !strings.Contains(tests, "expected status 201, got 501") {
		t.Errorf("the failing visible tests lack their messages:\n%s", tests)
	}
	noHidden("the starter's result")
	b.shot(desktop, "07-result-starter")

	// The attempt history lists both, newest first.
	b.open("/submissions", "#attempts")
	rows := b.text("#attempts tbody")
	if strings.Count(rows, "Notes API") != 2 || !strings.Contains(rows, "30 / 30") || !strings.Contains(rows, "2 / 30") {
		t.Errorf("the history reads:\n%s", rows)
	}
	b.checkAccessible("the history page")
	b.shot(desktop, "08-history")
	b.open("/challenges", ".card")
	b.waitFor("the best score", `document.querySelector('.card[data-challenge="notes-api"] .best').innerText === '30 / 30'`, 10*time.Second)

	// The same pages on a phone, and one more grading watched there.
	b.resize(phone)
	b.signOut()
	b.open("/", "#signin-form")
	b.shot(phone, "01-sign-in")
	b.do("sign in as alice", chromedp.Click(chromedp.CSS(`[data-dev-token="dev-learner-alice-0001"]`)))
	b.waitFor("the catalog", `location.pathname === '/challenges' && !!document.querySelector('.card')`, 15*time.Second)
	b.waitFor("the best scores", `!document.querySelector('[data-needs-role="learner"]').hidden`, 10*time.Second)
	b.shot(phone, "03-catalog")
	b.open("/challenges/notes-api", "#submit-tools")
	b.waitFor("the attempts", `!document.querySelector('#attempts-panel').hidden`, 10*time.Second)
	b.shot(phone, "04-challenge")
	// The reference again, unchanged: the result cache answers at once,
	// and the page says so.
	b.do("choose the reference archive again", chromedp.SetUploadFiles(chromedp.CSS("#pick-archive"), []string{writeArchive(t, "../challenges/notes-api/solution")}))
	b.waitFor("the submit button", `!document.querySelector('#submit-button').disabled`, 5*time.Second)
	b.do("submit it", chromedp.Click(chromedp.CSS("#submit-button")))
	b.waitFor("the cached result", `location.pathname.startsWith('/submissions/sub_') && !!document.querySelector('#score-card .cached')`, time.Minute)
	if got := b.text("#score-card .cached"); !strings.Contains(got, "Identical files were graded before") {
		t.Errorf("the cached result's note reads %q", got)
	}
	b.shot(phone, "04b-result-cached")
	// The reference with one more file: graded, and watched.
	b.open("/challenges/notes-api", "#submit-tools")
	b.do("choose the changed reference archive", chromedp.SetUploadFiles(chromedp.CSS("#pick-archive"), []string{writeArchive(t, changedCopy(t, "../challenges/notes-api/solution"))}))
	b.waitFor("the submit button", `!document.querySelector('#submit-button').disabled`, 5*time.Second)
	b.do("submit", chromedp.Click(chromedp.CSS("#submit-button")))
	b.waitFor("grading progress", `location.pathname.startsWith('/submissions/sub_') && document.querySelectorAll('#progress-log li').length >= 3`, 60*time.Second)
	b.shot(phone, "05-grading")
	b.waitFor("the result", `!!document.querySelector('#score-card')`, 3*time.Minute)
	b.open(reference, "#score-card")
	b.shot(phone, "06-result-full-marks")
	b.open(starter, "#score-card")
	b.shot(phone, "07-result-starter")
	b.open("/submissions", "#attempts")
	b.shot(phone, "08-history")

	// Bob cannot open alice's submission: the page says it is not his.
	b.resize(desktop)
	b.signOut()
	b.open("/", "#signin-form")
	b.do("sign in as bob", chromedp.Click(chromedp.CSS(`[data-dev-token="dev-learner-bob-0002"]`)))
	b.waitFor("the catalog", `location.pathname === '/challenges'`, 15*time.Second)
	b.open(reference, "#sub-title")
	b.waitFor("the not-found message", `!document.querySelector('#sub-error').hidden`, 10*time.Second)
	if got := b.text("#sub-error"); !strings.Contains(got, "among yours") {
		t.Errorf("bob opening alice's submission reads %q", got)
	}
	if body := b.text("main"); strings.Contains(body, "30 / 30") {
		t.Errorf("bob sees alice's score:\n%s", body)
	}
	b.open("/submissions", "#history")
	b.waitFor("the empty history", `!!document.querySelector('#history .empty')`, 10*time.Second)
	b.shot(desktop, "09-history-empty")

	// A page with no session sends the visitor to sign in first.
	b.signOut()
	b.do("open history signed out", chromedp.Navigate(svc.url+"/submissions"))
	b.waitFor("the sign-in page", `location.pathname === '/' && location.search.includes('next=%2Fsubmissions')`, 10*time.Second)
}

// checkStarter waits for the downloaded starter at p and checks it holds
// the file want.
func checkStarter(t *testing.T, p, want string) {
	t.Helper()
	raw := waitForFile(t, p)
	gz, _ := gzip.NewReader(bytes.NewReader(raw))
	tr := tar.NewReader(gz)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("read the downloaded starter: %v", err)
		}
		names = append(names, h.Name)
	}
	if !slices.Contains(names, want) {
		t.Errorf("the downloaded starter holds %v", names)
	}
}

func abs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestBrowserInstructor signs in as the development instructor and
// creates a cohort through the page; alice submits the Python reference
// into it from the challenge page (the cohort is chosen for her, the
// language by her) and bob the Python starter with grader submit. The instructor then reads the best-scores
// table, the leaderboard and the failure rates, downloads the CSV report
// and runs a regrade preview.
func TestBrowserInstructor(t *testing.T) {
	svc := startDevService(t, "e2e-browser-instructor")
	const teacher = "dev-instructor-token-0003"
	if code, body := getJSON(t, svc.url, teacher, "/v1/cohorts", nil); code == http.StatusNotFound {
		t.Skipf("this build has no cohort API yet (GET /v1/cohorts: %s)", body)
	}
	b := newBrowser(t, svc.url)
	downloads := t.TempDir()
	if _, err := chromedp.CallBrowser(b.ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads,
	}); err != nil {
		t.Fatalf("allow downloads: %v", err)
	}

	b.open("/", "#signin-form")
	b.do("sign in as teacher", chromedp.Click(chromedp.CSS(`[data-dev-token="dev-instructor-token-0003"]`)))
	b.waitFor("the cohorts page", `location.pathname === '/instructor' && !document.querySelector('#cohorts .state')`, 15*time.Second)
	b.waitFor("a new service's empty cohort list", `(document.querySelector('#cohorts') || {innerText: ''}).innerText.includes('No cohorts yet')`, 15*time.Second)
	b.do("fill in the cohort",
		chromedp.SendKeys(chromedp.CSS("#cohort-id"), "spring-26"),
		chromedp.SendKeys(chromedp.CSS("#cohort-name"), "Spring 2026"),
		chromedp.SendKeys(chromedp.CSS("#cohort-learners"), "alice, bob carol"),
	)
	// The cohort takes notes-api only: leave out every other challenge of
	// the catalog, however many there are.
	b.do("leave out every challenge but notes-api", chromedp.Evaluate[chromedp.Void](
		`document.querySelectorAll('input[name="challenge"]').forEach(c => { if (c.value !== 'notes-api' && c.checked) c.click(); })`))
	for _, id := range []string{"cache-aside", "fix-ledger"} {
		checked, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.querySelector('input[name="challenge"][value="`+id+`"]').checked`))
		if err != nil || checked {
			t.Fatalf("%s is still chosen for the cohort (err %v)", id, err)
		}
	}
	b.checkAccessible("the cohorts page")
	b.shot(desktop, "10-cohorts")
	b.do("create the cohort", chromedp.Click(chromedp.CSS(`#new-cohort button[type="submit"]`)))
	b.waitFor("the cohort page", `location.pathname === '/instructor/cohorts/spring-26' && !!document.querySelector('#cohort-table')`, 15*time.Second)
	if table := b.text("#cohort-table"); strings.Count(table, "not attempted") != 3 {
		t.Errorf("a new cohort's table reads:\n%s", table)
	}

	// alice submits from the challenge page, into the cohort.
	b.signOut()
	b.open("/", "#signin-form")
	b.do("sign in as alice", chromedp.Click(chromedp.CSS(`[data-dev-token="dev-learner-alice-0001"]`)))
	b.waitFor("the catalog", `location.pathname === '/challenges'`, 15*time.Second)
	b.open("/challenges/notes-api", "#submit-tools")
	b.waitFor("the cohort choice", `!document.querySelector('#cohort-choice').hidden`, 10*time.Second)
	if got := b.text("#submit-cohort"); !strings.HasPrefix(got, "Spring 2026") {
		t.Errorf("the cohort choice reads %q", got)
	}
	// In Python, chosen on the page.
	b.do("choose Python", chromedp.SetValue(chromedp.CSS("#submit-language"), "python"))
	b.do("choose the Python reference archive", chromedp.SetUploadFiles(chromedp.CSS("#pick-archive"), []string{writeArchive(t, "../challenges/notes-api/languages/python/solution")}))
	b.waitFor("the submit button", `!document.querySelector('#submit-button').disabled`, 5*time.Second)
	b.do("submit", chromedp.Click(chromedp.CSS("#submit-button")))
	b.waitFor("the result", `location.pathname.startsWith('/submissions/sub_') && !!document.querySelector('#score-card')`, 3*time.Minute)
	if meta := b.text("#sub-meta"); !strings.Contains(meta, "cohort spring-26") || !strings.Contains(meta, "Python") {
		t.Errorf("alice's submission is not a Python one in the cohort: %q", meta)
	}
	// bob submits the Python starter with grader submit, its language
	// told from its files.
	cmd := exec.Command(os.Getenv("GRADER_BIN"), "submit", "--server", svc.url, "--token", "dev-learner-bob-0002", "--challenge", "notes-api",
		"--cohort", "spring-26", "--wait", "--quiet", "../challenges/notes-api/languages/python/starter")
	if out, err := cmd.CombinedOutput(); cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 1 {
		t.Fatalf("grader submit of the Python starter: %v (want exit 1, less than full marks)\n%s", err, out)
	}

	b.signOut()
	b.open("/", "#signin-form")
	b.do("sign in as teacher", chromedp.Click(chromedp.CSS(`[data-dev-token="dev-instructor-token-0003"]`)))
	b.waitFor("the cohorts page", `location.pathname === '/instructor' && !!document.querySelector('#cohort-list')`, 15*time.Second)
	b.do("open the cohort", chromedp.Click(chromedp.CSS(`#cohort-list a[href="/instructor/cohorts/spring-26"]`)))
	b.waitFor("the cohort table", `!!document.querySelector('#cohort-table')`, 15*time.Second)
	table := b.text("#cohort-table")
	for _, want := range []string{"alice", "30 / 30", "bob", "2 / 30", "carol", "not attempted", "1 of 3"} {
		if !strings.Contains(table, want) {
			t.Errorf("the cohort table lacks %q:\n%s", want, table)
		}
	}
	b.waitFor("the leaderboard", `!!document.querySelector('#leaderboard')`, 10*time.Second)
	if board := b.text("#leaderboard tbody"); !strings.HasPrefix(strings.TrimSpace(board), "1\talice") || !strings.Contains(board, "bob") {
		t.Errorf("the leaderboard reads:\n%s", board)
	}
	b.do("download the CSV report", chromedp.Click(chromedp.CSS(`[data-export="csv"]`)))
	csv := waitForFile(t, filepath.Join(downloads, "spring-26-report.csv"))
	if !strings.HasPrefix(string(csv), "learner,challenge,best_score,max_score,") || !strings.Contains(string(csv), "alice,notes-api,30,30,") {
		t.Errorf("the CSV report reads:\n%s", csv)
	}
	// Both submissions are in the report with their language.
	rows, err := encodingcsv.NewReader(bytes.NewReader(csv)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	langs := map[string]string{}
	for _, r := range rows[1:] {
		langs[r[0]] = r[len(r)-1]
	}
	if rows[0][len(rows[0])-1] != "language" || langs["alice"] != "python" || langs["bob"] != "python" || langs["carol"] != "" {
		t.Errorf("the report's languages: %v (header %v), want alice and bob in python", langs, rows[0])
	}
	b.checkAccessible("the cohort page")
	b.shot(desktop, "11-cohort")

	// A regrade preview of an unchanged challenge changes nothing.
	b.do("start a regrade preview", chromedp.Click(chromedp.CSS(`#regrade-form button[type="submit"]`)))
	b.waitFor("the preview", `document.querySelector('#regrade').innerText.includes('No score would change')`, 3*time.Minute)
	if got := b.text("#regrade"); !strings.Contains(got, "0 scores would change, 2 unchanged") {
		t.Errorf("the regrade preview reads %q", got)
	}
	b.shot(desktop, "13-regrade-preview")

	b.do("open the failure rates", chromedp.Click(chromedp.CSS(`#rates-links a`)))
	b.waitFor("the failure rates", `location.pathname.endsWith('/tests') && !!document.querySelector('#rates-table')`, 15*time.Second)
	if rates := b.text("#rates-table"); !strings.Contains(rates, "create returns 201 with the note") || !strings.Contains(rates, "50%") {
		t.Errorf("the failure rates read:\n%s", rates)
	}
	b.checkAccessible("the failure rates page")
	b.shot(desktop, "12-failure-rates")

	b.resize(phone)
	b.open("/instructor", "#cohort-list")
	b.shot(phone, "10-cohorts")
	b.open("/instructor/cohorts/spring-26", "#cohort-table")
	b.waitFor("the leaderboard", `!!document.querySelector('#leaderboard')`, 10*time.Second)
	b.shot(phone, "11-cohort")
	b.open("/instructor/cohorts/spring-26/tests?challenge=notes-api", "#rates-table")
	b.shot(phone, "12-failure-rates")
}

// waitForFile waits for a download to land and returns its bytes.
func waitForFile(t *testing.T, p string) []byte {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if b, err := os.ReadFile(p); err == nil && len(b) > 0 {
			return b
		}
		if time.Now().After(deadline) {
			entries, _ := os.ReadDir(filepath.Dir(p))
			t.Fatalf("nothing was downloaded to %s (the folder holds %v)", p, entries)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestBrowserErrorStates checks what a learner reads when things go
// wrong: a folder without go.mod is refused with the reason, going over
// the submission rate limit says when to try again, and unknown
// challenges and submissions have pages that say so.
func TestBrowserErrorStates(t *testing.T) {
	rs := redistest.Start(t)
	svc := startGrader(t, []string{"GRADER_SUBMIT_LIMIT=1", "GRADER_SUBMIT_WINDOW=1m"}, "serve", "--listen", "127.0.0.1:0", "--redis-url", rs.URL(),
		"--tokens", "../deploy/tokens.dev.json", "--worker-id", "e2e-browser-errors", "--concurrency", "1")
	b := newBrowser(t, svc.url)
	b.open("/", "#signin-form")
	b.do("sign in as alice", chromedp.Click(chromedp.CSS(`[data-dev-token="dev-learner-alice-0001"]`)))
	b.waitFor("the catalog", `location.pathname === '/challenges'`, 15*time.Second)

	b.open("/challenges/notes-api", "#submit-tools")
	// The rate limit counts in fixed windows of a minute: both submissions
	// below must fall in the same one, so start early in a minute.
	if left := time.Minute - time.Duration(time.Now().UnixNano()%int64(time.Minute)); left < 30*time.Second {
		time.Sleep(left)
	}
	b.do("choose a folder without go.mod", chromedp.SetUploadFiles(chromedp.CSS("#pick-folder"), []string{abs(t, "testdata/hidden")}))
	b.waitFor("the submit button", `!document.querySelector('#submit-button').disabled`, 5*time.Second)
	if got := b.text("#chosen"); !strings.Contains(got, "no go.mod") {
		t.Errorf("a folder without go.mod reads %q", got)
	}
	b.do("submit", chromedp.Click(chromedp.CSS("#submit-button")))
	b.waitFor("the refusal", `!document.querySelector('#submit-error').hidden`, 15*time.Second)
	if got := b.text("#submit-error"); !strings.Contains(got, "no go.mod at the root") {
		t.Errorf("the refusal reads %q", got)
	}

	// That request used the one submission of the minute.
	b.do("choose the reference archive", chromedp.SetUploadFiles(chromedp.CSS("#pick-archive"), []string{writeArchive(t, "../challenges/notes-api/solution")}))
	b.waitFor("the submit button", `!document.querySelector('#submit-button').disabled`, 5*time.Second)
	b.do("submit", chromedp.Click(chromedp.CSS("#submit-button")))
	b.waitFor("the rate limit", `document.querySelector('#submit-error').innerText.includes('too many submissions')`, 15*time.Second)
	if got := b.text("#submit-error"); !strings.Contains(got, "You can submit again in") || b.path() != "/challenges/notes-api" {
		t.Errorf("over the rate limit, the page at %s reads %q", b.path(), got)
	}
	if got := b.text("#submit-button"); !strings.HasPrefix(got, "Wait ") {
		t.Errorf("over the rate limit, the submit button reads %q", got)
	}
	b.do("scroll to the form", chromedp.ScrollIntoView(chromedp.CSS("#submit-panel")))
	b.shot(desktop, "14-rate-limited")

	b.open("/challenges/no-such-challenge", "h1")
	if got := b.text("main"); !strings.Contains(got, "There is no challenge") {
		t.Errorf("an unknown challenge reads %q", got)
	}
	b.open("/submissions/sub_0000", "#sub-title")
	b.waitFor("the not-found message", `!document.querySelector('#sub-error').hidden`, 10*time.Second)
	if got := b.text("#sub-error"); !strings.Contains(got, "There is no submission sub_0000") {
		t.Errorf("an unknown submission reads %q", got)
	}
}
