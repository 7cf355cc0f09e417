package store

import (
	"github.com/gradebox/grader/api"
	"github.com/gradebox/grader/cohort"
	"github.com/gradebox/grader/internal/eventhub"
	"github.com/gradebox/grader/queue"
)

// The store implements the ports its consumers declare; they import the
// domain, not the store, so the check lives here.
var (
	_ api.Store            = (*Redis)(nil)
	_ api.CohortStore      = (*Redis)(nil)
	_ queue.Submissions    = (*Redis)(nil)
	_ queue.Results        = (*Redis)(nil)
	_ queue.Events         = (*Redis)(nil)
	_ queue.WebhookRecords = (*Redis)(nil)
	_ queue.RegradeResults = (*Redis)(nil)
	_ cohort.Store         = (*Redis)(nil)
	_ eventhub.Source      = (*Redis)(nil)
)
