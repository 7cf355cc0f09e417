package challenges

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/grader"
)

func TestSetSteps(t *testing.T) {
	files := apply(t, demoFiles(), edit{"tests/api.yaml", "", `tests:
  - name: concurrency and restarts
    steps:
      - parallel: 5
        request: {method: PUT, path: /pay/k1, json: {amount: 3}}
        expect:
          statuses: {201: 1, 200: 4}
          distinct: [request_id]
          max_ms: 800
          json: {amount: 3}
        capture: {id: id}
      - repeat: 3
        request: {path: "/pay/${id}"}
        expect: {status: 200}
      - restart: true
      - restart: true
        request: {path: "/pay/${id}"}
        expect: {status: 200, max_ms: 500}
`})
	c, err := LoadFS(mapFS("demo", files), "demo")
	if err != nil {
		t.Fatal(err)
	}
	want := []grader.Step{
		{
			Parallel: 5,
			Request:  &grader.Request{Method: "PUT", Path: "/pay/k1", JSON: raw(`{"amount":3}`)},
			Expect: grader.Expect{
				Statuses: map[int]int{201: 1, 200: 4}, Distinct: []string{"request_id"}, MaxTime: 800 * time.Millisecond,
				JSON: []grader.JSONMatch{{Path: "amount", Op: "equals", Value: raw(`3`)}},
			},
			Capture: map[string]string{"id": "id"},
		},
		{Repeat: 3, Request: &grader.Request{Method: "GET", Path: "/pay/${id}"}, Expect: grader.Expect{Status: 200}},
		{Restart: true},
		{Restart: true, Request: &grader.Request{Method: "GET", Path: "/pay/${id}"}, Expect: grader.Expect{Status: 200, MaxTime: 500 * time.Millisecond}},
	}
	if diff := cmp.Diff(want, c.Suites[0].Tests[0].Steps); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
}

func TestSetStepProblems(t *testing.T) {
	files := apply(t, demoFiles(), edit{"tests/api.yaml", "", `tests:
  - name: mistakes
    steps:
      - parallel: 500
        request: {path: /x}
      - parallel: 1
        request: {path: /x}
      - parallel: 3
        repeat: 3
        request: {path: /x}
      - repeat: 4
        request: {path: /x}
        expect: {statuses: {200: 3}, status: 200}
      - parallel: 4
        request: {path: /x}
        expect: {statuses: {200: 3, 99: 1}, distinct: [id, id], max_ms: 0}
      - request: {path: /x}
        expect: {statuses: {200: 1}, distinct: [id]}
      - parallel: 2
`})
	_, err := LoadFS(mapFS("demo", files), "demo")
	const f = `test "mistakes": steps`
	for _, p := range []struct{ field, want string }{
		{f + "[0].parallel", "500 is more than the 50 requests a step may send at once"},
		{f + "[1].parallel", "1 is fewer than 2 requests"},
		{f + "[2].parallel", "set together with repeat"},
		{f + "[3].expect.status", "is set together with statuses"},
		{f + "[4].expect.statuses.99", "99 is not an HTTP status"},
		{f + "[4].expect.distinct[1]", `"id" is listed twice`},
		{f + "[4].expect.max_ms", "0 is not a positive time"},
		{f + "[5].expect.statuses", "counts responses but the step sends 1 request"},
		{f + "[5].expect.distinct", "compares responses but the step sends 1 request"},
		{f + "[6].parallel", "has no request to send"},
	} {
		assertProblem(t, err, "demo/tests/api.yaml", p.field, p.want)
	}
}
