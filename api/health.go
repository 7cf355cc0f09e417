package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/gin-gonic/gin"
)

// healthz answers while the process serves HTTP at all.
func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz runs every readiness check in parallel, each bounded by
// CheckTimeout, and answers 200 when all pass, else 503 with each failing
// check's error.
func (s *Server) readyz(c *gin.Context) {
	results := make(map[string]string, len(s.cfg.Ready))
	var mu sync.Mutex
	var wg sync.WaitGroup
	ready := true
	for _, ch := range s.cfg.Ready {
		wg.Go(func() {
			err := probe(c.Request.Context(), ch)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				ready = false
				results[ch.Name] = err.Error()
				return
			}
			results[ch.Name] = "ok"
		})
	}
	wg.Wait()
	if !ready {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "checks": results})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready", "checks": results})
}

// probe runs one check within CheckTimeout. A probe that ignores its
// context is abandoned at the timeout (its goroutine ends when it
// returns), so one hung dependency cannot hang the endpoint.
func probe(ctx context.Context, ch Check) error {
	if ch.Probe == nil {
		return errors.New("no probe")
	}
	ctx, cancel := context.WithTimeout(ctx, CheckTimeout)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("probe panicked: %v", r)
			}
		}()
		done <- ch.Probe(ctx)
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("no answer within %s", CheckTimeout)
	}
}
