package grader

import "time"

// Regrade states. A regrade is running until every item is graded, then
// previewed (nothing recorded yet); applying records the new results.
const (
	RegradeRunning   = "running"
	RegradePreviewed = "previewed"
	RegradeApplying  = "applying"
	RegradeApplied   = "applied"
)

// Regrade grades a cohort's counted submissions at one challenge again,
// with the challenge as it is now, to preview and then apply the change.
type Regrade struct {
	ID        string `json:"id"`
	Cohort    string `json:"cohort"`
	Challenge string `json:"challenge"`
	// Version is the challenge version the regrade grades with.
	Version   string    `json:"version"`
	State     string    `json:"state"`
	Total     int       `json:"total"`
	Done      int       `json:"done"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	AppliedAt time.Time `json:"applied_at,omitzero"`
}

// RegradeItem is one submission of a regrade: its score then and now.
type RegradeItem struct {
	Submission  string `json:"submission"`
	Learner     string `json:"learner"`
	OldScore    int    `json:"old_score"`
	OldMaxScore int    `json:"old_max_score"`
	OldVersion  string `json:"old_version"`
	OldStatus   Status `json:"old_status"`
	// Done is set once the submission is graded again.
	Done        bool   `json:"done"`
	NewScore    int    `json:"new_score"`
	NewMaxScore int    `json:"new_max_score"`
	NewVersion  string `json:"new_version"`
	NewStatus   Status `json:"new_status,omitempty"`
	// Applied is the id of the regrade record once applied.
	Applied string `json:"applied,omitempty"`
}

// Changed reports whether the regrade changes the item's score. An item
// the service failed to grade (StatusError) changes nothing.
func (it RegradeItem) Changed() bool {
	return it.Done && !it.Failed() && (it.NewScore != it.OldScore || it.NewMaxScore != it.OldMaxScore)
}

// Failed reports whether the service failed to grade the item again; an
// apply keeps its old result.
func (it RegradeItem) Failed() bool { return it.Done && it.NewStatus == StatusError }
