package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/gradebox/grader/api/wire"
)

// CreateCohort creates a cohort (POST /v1/cohorts).
func (c *Client) CreateCohort(ctx context.Context, req wire.CohortRequest) (wire.Cohort, error) {
	var out wire.Cohort
	err := c.send(ctx, http.MethodPost, c.URL("v1", "cohorts"), req, &out)
	return out, err
}

// ReplaceCohort replaces cohort req.ID (PUT /v1/cohorts/{id}).
func (c *Client) ReplaceCohort(ctx context.Context, req wire.CohortRequest) (wire.Cohort, error) {
	var out wire.Cohort
	err := c.send(ctx, http.MethodPut, c.URL("v1", "cohorts", req.ID), req, &out)
	return out, err
}

// Cohorts lists the cohorts.
func (c *Client) Cohorts(ctx context.Context) (wire.CohortList, error) {
	var out wire.CohortList
	err := c.get(ctx, c.URL("v1", "cohorts"), &out)
	return out, err
}

// Cohort reads cohort id.
func (c *Client) Cohort(ctx context.Context, id string) (wire.Cohort, error) {
	var out wire.Cohort
	err := c.get(ctx, c.URL("v1", "cohorts", id), &out)
	return out, err
}

// IssueTokens issues new tokens to learners of cohort id (every learner
// when none is named), revoking each one's previous token.
func (c *Client) IssueTokens(ctx context.Context, id string, learners []string) (wire.TokenList, error) {
	if learners == nil {
		learners = []string{}
	}
	var out wire.TokenList
	err := c.send(ctx, http.MethodPost, c.URL("v1", "cohorts", id, "tokens"), wire.TokensRequest{Learners: learners}, &out)
	return out, err
}

// RevokeToken revokes learner's token of cohort id.
func (c *Client) RevokeToken(ctx context.Context, id, learner string) error {
	return c.send(ctx, http.MethodDelete, c.URL("v1", "cohorts", id, "tokens", learner), nil, nil)
}

// Report downloads cohort id's report in format (csv, json or junit),
// of one challenge or, when challenge is empty, of all; of the submissions
// in one language or, when language is empty, in any.
func (c *Client) Report(ctx context.Context, id, challenge, language, format string) ([]byte, error) {
	q := url.Values{"format": {format}}
	if challenge != "" {
		q.Set("challenge", challenge)
	}
	if language != "" {
		q.Set("language", language)
	}
	return c.getRaw(ctx, c.URL("v1", "cohorts", id, "report")+"?"+q.Encode())
}

// Leaderboard reads cohort id's leaderboard at challenge (which may be
// empty when the cohort has one challenge).
func (c *Client) Leaderboard(ctx context.Context, id, challenge string) (wire.Leaderboard, error) {
	var out wire.Leaderboard
	err := c.get(ctx, c.URL("v1", "cohorts", id, "leaderboard")+queryOf("challenge", challenge), &out)
	return out, err
}

// TestStats reads which tests fail most across cohort id's best
// submissions at challenge (which may be empty when the cohort has one).
func (c *Client) TestStats(ctx context.Context, id, challenge string) (wire.TestStats, error) {
	var out wire.TestStats
	err := c.get(ctx, c.URL("v1", "cohorts", id, "tests")+queryOf("challenge", challenge), &out)
	return out, err
}

// StartRegrade starts a preview regrade of cohort id at challenge.
func (c *Client) StartRegrade(ctx context.Context, id, challenge string) (wire.Regrade, error) {
	var out wire.Regrade
	err := c.send(ctx, http.MethodPost, c.URL("v1", "cohorts", id, "regrades"), wire.RegradeRequest{Challenge: challenge}, &out)
	return out, err
}

// Regrade reads regrade rg of cohort id.
func (c *Client) Regrade(ctx context.Context, id, rg string) (wire.Regrade, error) {
	var out wire.Regrade
	err := c.get(ctx, c.URL("v1", "cohorts", id, "regrades", rg), &out)
	return out, err
}

// ApplyRegrade records previewed regrade rg of cohort id.
func (c *Client) ApplyRegrade(ctx context.Context, id, rg string) (wire.Regrade, error) {
	var out wire.Regrade
	err := c.send(ctx, http.MethodPost, c.URL("v1", "cohorts", id, "regrades", rg, "apply"), nil, &out)
	return out, err
}

func queryOf(k, v string) string {
	if v == "" {
		return ""
	}
	return "?" + url.Values{k: {v}}.Encode()
}
