//go:build integration

package queue

import (
	"testing"

	"github.com/gradebox/grader/internal/redistest"
)

// TestOnRedis runs the Asynq round trips against a real redis-server, one
// per test (Asynq's Lua scripts and the store's, as production runs them).
func TestOnRedis(t *testing.T) {
	t.Cleanup(func() { redisAddr = func(*testing.T) string { return "" } })
	redisAddr = func(t *testing.T) string {
		srv := redistest.Start(t)
		return srv.Addr
	}
	for name, fn := range map[string]func(*testing.T){
		"ServiceRoundTrip":           TestServiceRoundTrip,
		"InteractiveFirst":           TestInteractiveFirst,
		"CohortLanesShare":           TestCohortLanesShare,
		"LastTryThroughAsynq":        TestLastTryThroughAsynq,
		"ShutdownRequeues":           TestShutdownRequeues,
		"WebhookRetriesThroughAsynq": TestWebhookRetriesThroughAsynq,
		"GradedEventSequence":        TestGradedEventSequence,
		"DuplicateTask":              TestDuplicateTask,
		"LateDuplicateGrading":       TestLateDuplicateGrading,
	} {
		t.Run(name, fn)
	}
}
