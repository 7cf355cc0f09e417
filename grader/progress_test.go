package grader

import (
	"strings"
	"testing"
)

func TestEventAsLearnerHidesHiddenTests(t *testing.T) {
	secret := "TestSecretHiddenName"
	ev := Event{Type: EventTestFinished, Suite: "unit", Message: "about " + secret,
		Test: &TestResult{Name: secret, Suite: "unit", Visibility: Hidden, Status: TestFailed,
			Message: "want " + secret, Output: secret + " output", Subtests: []TestResult{{Name: secret + "/sub"}}}}
	got := ev.As(ViewLearner)
	if s := got.Message + got.Test.Name + got.Test.Message + got.Test.Output; strings.Contains(s, secret) || len(got.Test.Subtests) != 0 {
		t.Errorf("learner view of a hidden test event keeps details: %+v %+v", got, *got.Test)
	}
	if got.Test.Status != TestFailed || got.Test.Visibility != Hidden {
		t.Errorf("learner view lost the status or visibility: %+v", *got.Test)
	}
	if ev.Test.Name != secret {
		t.Error("As changed the original event")
	}
	if inst := ev.As(ViewInstructor); inst.Test.Name != secret || inst.Message == "" {
		t.Errorf("instructor view hides details: %+v", inst)
	}
	visible := Event{Type: EventTestFinished, Message: "m", Test: &TestResult{Name: "TestVisible", Visibility: Visible, Message: "x"}}
	if got := visible.As(ViewLearner); got.Test.Name != "TestVisible" || got.Message != "m" {
		t.Errorf("learner view of a visible test hides it: %+v", got)
	}
}
