package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/grader"
)

func TestSkippedNotesNameTheSkippingTests(t *testing.T) {
	res := grader.Result{Tests: []grader.TestResult{
		{Name: "TestParse", Status: grader.TestPassed},
		{Name: "TestSplit", Status: grader.TestFailed, Message: grader.TestSkippedMessage},
		{Name: "TestRace", Status: grader.TestFailed, Message: "money was lost"},
	}}
	want := []string{"fix-ledger: the solution's test TestSplit was skipped (t.Skip): a skipped test fails with 0 points; make it run"}
	if diff := cmp.Diff(want, skippedNotes("fix-ledger", "solution", res)); diff != "" {
		t.Errorf("skippedNotes (-want +got):\n%s", diff)
	}
}
