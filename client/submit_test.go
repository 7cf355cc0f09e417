package client

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// answer is one answer of the fake service to a POST.
type answer struct {
	status     int
	retryAfter string
}

// postServer answers POST /v1/submissions with answers in order, then
// 202, and records each Idempotency-Key.
func postServer(t *testing.T, answers ...answer) (*Client, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var keys []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		keys = append(keys, r.Header.Get("Idempotency-Key"))
		n := len(keys)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if n <= len(answers) {
			if a := answers[n-1]; a.retryAfter != "" {
				w.Header().Set("Retry-After", a.retryAfter)
			}
			w.WriteHeader(answers[n-1].status)
			fmt.Fprintf(w, `{"error":{"code":"c%d","message":"m"}}`, answers[n-1].status)
			return
		}
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprint(w, `{"id":"sub_1","state":"queued","attempt":1}`)
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{Server: srv.URL, RetryBase: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), keys...)
	}
}

// TestSubmitPolicy: 502, 503 and 504 and a 429 are sent again under one
// key; other answers end the submission at once, and so does a 429 whose
// wait outlasts the deadline.
func TestSubmitPolicy(t *testing.T) {
	form, err := NewForm(map[string]string{"challenge": "notes-api"}, "s.tar.gz", []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		answers   []answer
		timeout   time.Duration
		wantErr   int // status of the *Error returned; 0 for success
		wantSends int
		wantWaits []time.Duration
	}{
		{"accepted", nil, time.Minute, 0, 1, nil},
		{"gateway errors retried", []answer{{status: 502}, {status: 503}, {status: 504}}, time.Minute, 0, 4, nil},
		{"gives up after the attempts", []answer{{status: 503}, {status: 503}, {status: 503}, {status: 503}}, time.Minute, 503, DefaultSubmitAttempts, nil},
		{"500 not retried", []answer{{status: 500}}, time.Minute, 500, 1, nil},
		{"400 not retried", []answer{{status: 400}}, time.Minute, 400, 1, nil},
		{"429 waited out", []answer{{status: 429, retryAfter: "1"}}, time.Minute, 0, 2, []time.Duration{time.Second}},
		{"429 longer than the deadline", []answer{{status: 429, retryAfter: "30"}}, 5 * time.Second, 429, 1, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, keys := postServer(t, tc.answers...)
			ctx, cancel := context.WithTimeout(context.Background(), tc.timeout)
			defer cancel()
			var waits []time.Duration
			acc, err := c.Submit(ctx, form, func(d time.Duration, _ *Error) { waits = append(waits, d) })
			switch ae, ok := AsError(err); {
			case tc.wantErr == 0 && (err != nil || acc.ID != "sub_1"):
				t.Errorf("Submit = %+v, %v", acc, err)
			case tc.wantErr != 0 && (!ok || ae.Status != tc.wantErr):
				t.Errorf("err = %v, want a %d answer", err, tc.wantErr)
			}
			got := keys()
			if len(got) != tc.wantSends {
				t.Errorf("%d sends, want %d", len(got), tc.wantSends)
			}
			for _, k := range got {
				if k == "" || k != got[0] {
					t.Errorf("keys %v, want one key throughout", got)
					break
				}
			}
			if diff := cmp.Diff(tc.wantWaits, waits); diff != "" {
				t.Errorf("429 waits (-want +got):\n%s", diff)
			}
		})
	}
}
