package queue

import (
	"context"
	"errors"
	"testing"

	"github.com/hibiken/asynq"
)

func TestTriage(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	cause := errors.New("docker: daemon gone")
	tests := []struct {
		name              string
		ctx               context.Context
		retried, maxRetry int
		want              fault
	}{
		{"first try", context.Background(), 0, 3, faultRetry},
		{"last try", context.Background(), 3, 3, faultLastTry},
		{"worker stopping on the last try", cancelled, 3, 3, faultHandedBack},
		{"worker stopping", cancelled, 0, 3, faultHandedBack},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := triage(tt.ctx, tt.retried, tt.maxRetry)
			if f != tt.want {
				t.Fatalf("triage = %v, want %v", f, tt.want)
			}
			err := f.err("grade", "s1", cause)
			if !errors.Is(err, cause) || errors.Is(err, asynq.SkipRetry) {
				t.Errorf("err %v: want it to wrap the cause and be retried", err)
			}
			if got := errors.Is(err, context.Canceled); got != (f == faultHandedBack) {
				t.Errorf("err %v wraps context.Canceled: %v", err, got)
			}
		})
	}
}
