package grader

import (
	"encoding/json"
	"time"
)

// Step is one scripted action of an http test: send a request and check
// the response, or wait. Strings in a request and in expected values may
// refer to earlier captures as ${name}.
type Step struct {
	// Name describes the step in failure messages; by default the method
	// and path.
	Name string `json:"name,omitempty"`
	// Wait pauses before the request (or instead of it when Request is
	// nil), for example to let a cache entry expire.
	Wait time.Duration `json:"wait,omitempty"`
	// Request is what to send. Nil for a pure wait.
	Request *Request `json:"request,omitempty"`
	// Expect is what the response must satisfy.
	Expect Expect `json:"expect"`
	// Capture stores values from the response for later steps: variable
	// name to a JSON path in the response body (GJSON syntax, e.g. "id",
	// "items.0.id", "items.#"). A step that sends its request several
	// times captures from the last response in request order.
	Capture map[string]string `json:"capture,omitempty"`
	// Restart stops the learner's service gracefully (SIGTERM, then
	// SIGKILL after ServiceStopGrace), starts it again with the same
	// command and environment and waits until it is ready, as at the
	// first start; then the step's request, if any, is sent. Fixtures keep
	// running, so a test can check that data survives in them.
	Restart bool `json:"restart,omitempty"`
	// Parallel sends the request this many times at once (2 to
	// MaxParallel): every request is built first and all are released
	// together. Repeat sends it this many times one after another (2 to
	// MaxRepeat). A step sets at most one of them; Expect then applies to
	// every response, and Expect.Statuses and Expect.Distinct to the set.
	Parallel int `json:"parallel,omitempty"`
	Repeat   int `json:"repeat,omitempty"`
}

// Requests is how many times the step sends its request: Parallel or
// Repeat when set, else 1 (0 for a step without a request).
func (st Step) Requests() int {
	switch {
	case st.Request == nil:
		return 0
	case st.Parallel > 0:
		return st.Parallel
	case st.Repeat > 0:
		return st.Repeat
	}
	return 1
}

// Request is an HTTP request an http step sends.
type Request struct {
	// Target is "app" (the learner's service, the default) or the name of
	// a fixture; requests to an upstream fixture carry the job's secret so
	// they may read its counters.
	Target  string            `json:"target,omitempty"`
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Headers map[string]string `json:"headers,omitempty"`
	// JSON is a body sent as application/json (raw JSON text).
	JSON json.RawMessage `json:"json,omitempty"`
	// Body is a raw body, sent as is.
	Body string `json:"body,omitempty"`
	// FollowRedirects follows 3xx answers (up to 10) and checks the last
	// response. False by default: the step sees the redirect itself, so a
	// test can check its status and Location.
	FollowRedirects bool `json:"follow_redirects,omitempty"`
	// SQL is, for a step whose Target is a postgres fixture, one read-only
	// query (SELECT or WITH) run as the fixture's superuser. Each ${name}
	// in it is sent as a query parameter, never spliced into the text.
	SQL string `json:"sql,omitempty"`
}

// Expect is what an http step's response must satisfy. Zero fields check
// nothing.
type Expect struct {
	// Status is the exact status code.
	Status int `json:"status,omitempty"`
	// Headers maps a header name to a value the header must contain
	// (case-insensitive), for example Content-Type: application/json.
	Headers map[string]string `json:"headers,omitempty"`
	// HeaderMatches are the other checks of headers (exact value,
	// pattern, absent), in order.
	HeaderMatches []HeaderMatch `json:"header_matches,omitempty"`
	// JSON maps a path in the body (GJSON syntax) to a Match.
	JSON []JSONMatch `json:"json,omitempty"`
	// BodyContains is text the body must contain.
	BodyContains string `json:"body_contains,omitempty"`
	// BodyMatches is a regular expression (RE2 syntax) the body must
	// match somewhere; anchor it with ^ and $ to match all of it.
	BodyMatches string `json:"body_matches,omitempty"`
	// MaxTime bounds each response's time as the tester measures it: from
	// just before the request is sent (connecting included: the tester
	// opens a connection per request) until the whole body is read. It is
	// coarse: the boxes' CPU quotas and a busy machine add to it, so set
	// generous limits (hundreds of milliseconds, not tens).
	MaxTime time.Duration `json:"max_time,omitempty"`
	// MaxQueries, when set, bounds the statements the learner's service
	// runs against the challenge's postgres fixtures while it answers the
	// step's request (counted by pg_stat_statements: each SELECT, INSERT,
	// UPDATE, DELETE sent by the service, not BEGIN or COMMIT). One query
	// per row listed is the N+1 pattern this catches. Nil checks nothing.
	MaxQueries *int `json:"max_queries,omitempty"`
	// Statuses counts the responses of a step that sends its request
	// several times by status: exactly that many must get each listed
	// status, and the counts add up to the number of requests.
	Statuses map[int]int `json:"statuses,omitempty"`
	// Distinct are JSON paths (GJSON syntax) whose values must be present
	// in every response of a step that sends its request several times
	// and differ between all of them (e.g. each request got its own id).
	Distinct []string `json:"distinct,omitempty"`
	// Rows are, for a query step, the rows the query must return, in
	// order: each a JSON object of column name to value (raw JSON text of
	// an array of objects). Nil checks nothing.
	Rows json.RawMessage `json:"rows,omitempty"`
	// RowCount is, for a query step, the number of rows the query must
	// return. Nil checks nothing.
	RowCount *int `json:"row_count,omitempty"`
}

// HeaderMatch checks one response header. A header sent several times is
// checked as its values joined with ", ".
type HeaderMatch struct {
	// Name is the header's name (case-insensitive).
	Name string `json:"name"`
	// Op is one of "contains" (Value is text the header must contain,
	// case-insensitive), "equals" (the header must be exactly Value),
	// "matches" (Value is a regular expression the header must match),
	// "exists" or "absent" (no Value).
	Op string `json:"op"`
	// Value is the operand: text, or a pattern for matches.
	Value string `json:"value,omitempty"`
}

// JSONMatch checks one value in a JSON response body.
type JSONMatch struct {
	// Path is a GJSON path, for example "title", "items.#", "items.0.id".
	Path string `json:"path"`
	// Op is one of "equals" (Value is raw JSON), "exists", "absent",
	// "type" (Value is a JSON string: "string", "number", "bool", "array",
	// "object", "null"), "gte", "lte", "ne" (Value is raw JSON),
	// "matches" (Value is a JSON string holding a regular expression,
	// matched against a string's content or any other value's JSON text)
	// or "length" (the number of characters of a string or elements of an
	// array; Value is a number for an exact length, or an object with
	// "gte" and/or "lte" bounds).
	Op string `json:"op"`
	// Value is the raw JSON operand.
	Value json.RawMessage `json:"value,omitempty"`
}
