package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/grader"
)

func TestSkippedNotesNameTheSkippingTests(t *testing.T) {
	c := &grader.Challenge{ID: "fix-ledger", Suites: []grader.Suite{{Name: "ledger", Kind: grader.SuiteGo}, {Name: "ledger-py", Kind: grader.SuitePytest}}}
	res := grader.Result{Tests: []grader.TestResult{
		{Name: "TestParse", Suite: "ledger", Status: grader.TestPassed},
		{Name: "TestSplit", Suite: "ledger", Status: grader.TestFailed, Message: grader.TestSkippedMessage},
		{Name: "TestRace", Suite: "ledger", Status: grader.TestFailed, Message: "money was lost"},
		{Name: "test_split", Suite: "ledger-py", Status: grader.TestFailed, Message: grader.TestSkippedMessage},
	}}
	want := []string{
		"fix-ledger: the solution's test TestSplit was skipped (t.Skip): a skipped test fails with 0 points; make it run",
		"fix-ledger: the solution's test test_split was skipped (pytest.skip): a skipped test fails with 0 points; make it run",
	}
	if diff := cmp.Diff(want, skippedNotes(c, "solution", res)); diff != "" {
		t.Errorf("skippedNotes (-want +got):\n%s", diff)
	}
}
