package webhook

import "github.com/gradebox/grader/grader"

// Body is the JSON a callback URL receives once its submission is graded.
// Receivers should verify its signature (Verify) and may get it more than
// once: key on SubmissionID.
type Body struct {
	SubmissionID string `json:"submission_id"`
	Challenge    string `json:"challenge"`
	Learner      string `json:"learner"`
	Attempt      int    `json:"attempt"`
	// Result is in the submitter's view (the record's CallbackView;
	// the learner view by default).
	Result grader.Result `json:"result"`
}
