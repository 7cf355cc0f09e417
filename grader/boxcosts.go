package grader

import (
	"context"
	"time"
)

// startedBox is a box a job started, kept for its costs.
type startedBox struct {
	role string
	box  Box
}

// startBox starts a box through the sandbox and keeps it for the result's
// box timings.
func (j *job) startBox(ctx context.Context, spec BoxSpec) (Box, error) {
	b, err := j.e.cfg.Sandbox.Start(ctx, spec)
	if err != nil {
		return nil, err
	}
	j.boxesMu.Lock()
	j.started = append(j.started, startedBox{role: spec.Role, box: b})
	j.boxesMu.Unlock()
	return b, nil
}

// boxTimings sums, per role in the order roles were first started, what
// the job's boxes cost the sandbox: "box:acquire:<role>" (create, copy in,
// start), "box:copy-in:<role>" and "box:copy-out:<role>" (reading files
// out), the last two only when not zero. They overlap the build and run
// phases, which include them, and boxes started at once overlap each
// other: they say where a phase's time went, they do not add up to it.
func (j *job) boxTimings() []PhaseTiming {
	j.boxesMu.Lock()
	defer j.boxesMu.Unlock()
	var roles []string
	sums := map[string]BoxCosts{}
	for _, s := range j.started {
		c, ok := s.box.(Coster)
		if !ok {
			continue
		}
		if _, seen := sums[s.role]; !seen {
			roles = append(roles, s.role)
		}
		cost := c.Costs()
		sum := sums[s.role]
		sum.Acquire += cost.Acquire
		sum.CopyIn += cost.CopyIn
		sum.CopyOut += cost.CopyOut
		sums[s.role] = sum
	}
	var out []PhaseTiming
	add := func(phase string, d time.Duration) {
		out = append(out, PhaseTiming{Phase: phase, DurationMS: d.Milliseconds()})
	}
	for _, r := range roles {
		c := sums[r]
		add(BoxPhasePrefix+"acquire:"+r, c.Acquire)
		if c.CopyIn > 0 {
			add(BoxPhasePrefix+"copy-in:"+r, c.CopyIn)
		}
		if c.CopyOut > 0 {
			add(BoxPhasePrefix+"copy-out:"+r, c.CopyOut)
		}
	}
	return out
}

// BoxPhasePrefix starts the phase name of every box timing: they break
// the other phases down and are not added to them.
const BoxPhasePrefix = "box:"
