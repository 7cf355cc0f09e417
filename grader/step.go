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
	// "items.0.id", "items.#").
	Capture map[string]string `json:"capture,omitempty"`
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
}

// Expect is what an http step's response must satisfy. Zero fields check
// nothing.
type Expect struct {
	// Status is the exact status code.
	Status int `json:"status,omitempty"`
	// Headers maps a header name to a value the header must contain
	// (case-insensitive), for example Content-Type: application/json.
	Headers map[string]string `json:"headers,omitempty"`
	// JSON maps a path in the body (GJSON syntax) to a Match.
	JSON []JSONMatch `json:"json,omitempty"`
	// BodyContains is text the body must contain.
	BodyContains string `json:"body_contains,omitempty"`
}

// JSONMatch checks one value in a JSON response body.
type JSONMatch struct {
	// Path is a GJSON path, for example "title", "items.#", "items.0.id".
	Path string `json:"path"`
	// Op is one of "equals" (Value is raw JSON), "exists", "absent",
	// "type" (Value is a JSON string: "string", "number", "bool", "array",
	// "object", "null"), "gte", "lte", "ne" (Value is raw JSON).
	Op string `json:"op"`
	// Value is the raw JSON operand.
	Value json.RawMessage `json:"value,omitempty"`
}
