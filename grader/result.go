package grader

import "time"

// Result is the graded outcome of one submission: the document learners,
// instructors and pipelines read. Use View to get what a given reader may
// see.
type Result struct {
	SubmissionID     string `json:"submission_id,omitempty"`
	Challenge        string `json:"challenge"`
	ChallengeVersion string `json:"challenge_version"`
	// Language is the language the submission was graded in.
	Language Language `json:"language,omitempty"`
	// View says which view this document is; hidden details are present
	// only in the instructor view.
	View     View   `json:"view"`
	Status   Status `json:"status"`
	Score    int    `json:"score"`
	MaxScore int    `json:"max_score"`
	// Message explains the status in one sentence.
	Message string `json:"message"`
	// Tests lists every test, in suite order. The learner view keeps only
	// visible tests; hidden ones are summed up in Hidden.
	Tests []TestResult `json:"tests"`
	// Hidden sums up hidden tests (learner view only).
	Hidden *HiddenSummary `json:"hidden,omitempty"`
	// Suites gives each suite graded its own verdict and points, in
	// suite order, in both views. Results stored before suites had
	// verdicts have none.
	Suites []SuiteResult `json:"suites,omitempty"`
	// Build is the compiler's output when a build failed or warned.
	Build Output `json:"build"`
	// Service is what the learner's own service printed during http
	// suites, trimmed.
	Service Output `json:"service,omitzero"`
	// Timings lists how long each phase took, in order.
	Timings []PhaseTiming `json:"timings"`
	// GradedAt is when grading finished.
	GradedAt time.Time `json:"graded_at"`
	// Cached is set when the result was not graded for this submission
	// but served from the result cache: an earlier submission with the
	// same files, challenge version, language and images was graded, and
	// this is its result.
	Cached *CachedFrom `json:"cached,omitempty"`
	// Feedback, in a learner's result of a cohort with a feedback policy,
	// says what was held back and until when.
	Feedback *FeedbackNote `json:"feedback,omitempty"`
	// Provenance says what was graded, where and when; the worker that
	// graded it sets it. Results stored before it existed have none.
	Provenance *Provenance `json:"provenance,omitempty"`
	// Signature is the service's signature over this document (every
	// field but the signature itself), added when the document is served
	// in a view: a view of it is another document. See package signing.
	Signature *Signature `json:"signature,omitempty"`
}

// Provenance is what a result was graded from, by whom and when.
type Provenance struct {
	// SubmissionDigest identifies the files graded (SubmissionDigest).
	SubmissionDigest string `json:"submission_digest"`
	Challenge        string `json:"challenge"`
	ChallengeVersion string `json:"challenge_version"`
	// Language is the language the files were graded in.
	Language Language `json:"language"`
	// Images maps each image reference the grading used to the Docker
	// Engine's id of that image.
	Images map[string]string `json:"images"`
	// Worker identifies the worker that graded it.
	Worker string `json:"worker"`
	// GradedAt is when that grading finished (for a result served from
	// the cache, the original grading).
	GradedAt time.Time `json:"graded_at"`
}

// Signature is a detached signature carried inside the document it signs.
type Signature struct {
	// Algorithm is "Ed25519".
	Algorithm string `json:"alg"`
	// KeyID names the public key that checks it (GET /v1/keys).
	KeyID string `json:"kid"`
	// Value is the signature, in standard base64.
	Value string `json:"value"`
}

// TestResult is the outcome of one test.
type TestResult struct {
	Name       string     `json:"name"`
	Suite      string     `json:"suite"`
	Status     TestStatus `json:"status"`
	Points     int        `json:"points"`
	MaxPoints  int        `json:"max_points"`
	Visibility Visibility `json:"visibility"`
	// Message says what went wrong, in words a learner can act on.
	Message string `json:"message,omitempty"`
	// Output is what the test and the code under test printed, trimmed.
	Output string `json:"output,omitempty"`
	// OutputTruncated is set when Output was cut.
	OutputTruncated bool `json:"output_truncated,omitempty"`
	// DurationMS is how long the test ran, in milliseconds.
	DurationMS int64 `json:"duration_ms"`
	// Subtests are a go test's subtests (t.Run), without points of their own.
	Subtests []TestResult `json:"subtests,omitempty"`
}

// SuiteResult is the verdict of one suite, as if it were the whole
// challenge: a suite that stopped early (its build failed, a limit was
// hit) has that status, any other passed or failed by its points.
type SuiteResult struct {
	Name     string    `json:"name"`
	Kind     SuiteKind `json:"kind"`
	Status   Status    `json:"status"`
	Score    int       `json:"score"`
	MaxScore int       `json:"max_score"`
	// Message explains the status in one sentence.
	Message string `json:"message"`
}

// HiddenSummary is what a learner learns about hidden tests.
type HiddenSummary struct {
	Total     int `json:"total"`
	Passed    int `json:"passed"`
	Failed    int `json:"failed"`
	Points    int `json:"points"`
	MaxPoints int `json:"max_points"`
}

// Output is captured text with a flag saying whether it was cut.
type Output struct {
	Text      string `json:"text"`
	Truncated bool   `json:"truncated,omitempty"`
	// LearnerText is, in the instructor view of a go suite's build
	// output, what the learner view shows instead of Text: the messages
	// about the learner's own files as they are, and for each message
	// about a hidden test file a line saying which of the learner's names
	// the tests use and how. Empty when Text tells nothing of hidden files.
	LearnerText string `json:"learner_text,omitempty"`
}

// asLearner returns what a learner may see of a build output: LearnerText
// when it is set, and in any case no line pointing into a hidden file
// (results stored before LearnerText existed get a generic line there).
func (o Output) asLearner() Output {
	text := o.Text
	if o.LearnerText != "" {
		text = o.LearnerText
	}
	return Output{Text: learnerBuildText(text, newGoSources(nil, nil, "")), Truncated: o.Truncated}
}

// PhaseTiming is how long one phase of grading took.
type PhaseTiming struct {
	// Phase is "prepare", "build:<suite>", "run:<suite>", ..., then the
	// sandbox's share of them, per box role: "box:acquire:<role>",
	// "box:copy-in:<role>", "box:copy-out:<role>" (see BoxPhasePrefix).
	Phase      string `json:"phase"`
	DurationMS int64  `json:"duration_ms"`
}

// As returns the result as reader v may see it. The instructor view is
// the whole document. The learner view drops hidden tests' names, messages
// and output, keeping their counts and points in Hidden; shows the build
// output's LearnerText; and drops the stack frames of hidden test files
// from visible tests' messages and output.
func (r Result) As(v View) Result {
	out := r
	out.View = v
	// A signature covers one view's document, never another's.
	out.Signature = nil
	out.Suites = append([]SuiteResult(nil), r.Suites...)
	if v != ViewLearner {
		out.Tests = append([]TestResult(nil), r.Tests...)
		return out
	}
	out.Tests = nil
	out.Build = r.Build.asLearner()
	hidden := HiddenSummary{}
	for _, t := range r.Tests {
		if t.Visibility != Hidden {
			out.Tests = append(out.Tests, t.asLearner())
			continue
		}
		hidden.add(t)
	}
	if out.Tests == nil {
		out.Tests = []TestResult{}
	}
	if hidden.Total > 0 {
		out.Hidden = &hidden
	}
	return out
}

// add counts test t in the summary.
func (h *HiddenSummary) add(t TestResult) {
	h.Total++
	h.Points += t.Points
	h.MaxPoints += t.MaxPoints
	if t.Status == TestPassed {
		h.Passed++
	} else {
		h.Failed++
	}
}

// Passed reports whether the result has full marks.
func (r Result) Passed() bool { return r.Status == StatusPassed && r.Score == r.MaxScore }

// asLearner returns a visible test's result without the stack frames of
// hidden test files in its message, output and subtests.
func (t TestResult) asLearner() TestResult {
	t.Message = hideTestFrames(t.Message)
	t.Output = hideTestFrames(t.Output)
	if t.Subtests != nil {
		subs := make([]TestResult, len(t.Subtests))
		for i, s := range t.Subtests {
			subs[i] = s.asLearner()
		}
		t.Subtests = subs
	}
	return t
}
