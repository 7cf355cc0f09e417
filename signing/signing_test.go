package signing

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gradebox/grader/grader"
)

func sampleResult() grader.Result {
	at := time.Date(2026, 12, 7, 10, 0, 0, 123456789, time.UTC)
	return grader.Result{
		SubmissionID: "sub_0123456789", Challenge: "notes-api", ChallengeVersion: "3", Language: grader.LanguageGo,
		View: grader.ViewLearner, Status: grader.StatusFailed, Score: 7, MaxScore: 10,
		Message: "3 of 10 points lost: <create> & \"list\" fail",
		Tests: []grader.TestResult{
			{Name: "creates a note", Suite: "api", Status: grader.TestPassed, Points: 7, MaxPoints: 7, Visibility: grader.Visible, DurationMS: 12},
			{Name: "lists notes", Suite: "api", Status: grader.TestFailed, Points: 0, MaxPoints: 3, Visibility: grader.Visible, Message: "want 200, got 500 ü"},
		},
		Hidden:   &grader.HiddenSummary{Total: 1, Passed: 1, Points: 0, MaxPoints: 0},
		Timings:  []grader.PhaseTiming{{Phase: "build", DurationMS: 2100}},
		GradedAt: at,
		Provenance: &grader.Provenance{
			SubmissionDigest: "sha256:00ff", Challenge: "notes-api", ChallengeVersion: "3", Language: grader.LanguageGo,
			Images: map[string]string{"grader/go:local": "sha256:aa", "grader/tools:local": "sha256:bb"},
			Worker: "host-1", GradedAt: at,
		},
	}
}

func mustKey(t *testing.T) Key {
	t.Helper()
	k, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func signedDoc(t *testing.T, k Key) []byte {
	t.Helper()
	signed, err := k.Sign(sampleResult())
	if err != nil {
		t.Fatal(err)
	}
	doc, err := json.Marshal(signed)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestVerifyAcceptsWhatWasSignedInAnyLayout(t *testing.T) {
	k := mustKey(t)
	keys := KeySet{Keys: []PublicKey{k.Public(time.Now())}}
	doc := signedDoc(t, k)
	v, err := Verify(doc, keys)
	if err != nil {
		t.Fatalf("a freshly signed result: %v", err)
	}
	if v.KeyID != k.ID || v.Result.Score != 7 || v.Result.Provenance.Worker != "host-1" {
		t.Fatalf("verified %+v", v)
	}
	// As `grader submit --json` prints it: decoded and indented again.
	var res grader.Result
	if err := json.Unmarshal(doc, &res); err != nil {
		t.Fatal(err)
	}
	indented, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(indented, keys); err != nil {
		t.Fatalf("the same result, decoded and indented: %v", err)
	}
	// Inside a submission document.
	sub := []byte(`{"id":"sub_0123456789","state":"graded","result":` + string(indented) + `}`)
	inner, err := FindResult(sub)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(inner, keys); err != nil {
		t.Fatalf("the result of a submission document: %v", err)
	}
}

// TestVerifyRefusesEveryChangedByte changes each byte of a signed
// document in turn (to another byte of the same class, so that most
// changes still parse) and expects every one to be refused.
func TestVerifyRefusesEveryChangedByte(t *testing.T) {
	k := mustKey(t)
	keys := KeySet{Keys: []PublicKey{k.Public(time.Now())}}
	doc := signedDoc(t, k)
	for i := range doc {
		changed := bytes.Clone(doc)
		changed[i] = substitute(doc[i])
		if _, err := Verify(changed, keys); err == nil {
			t.Errorf("byte %d changed from %q to %q: accepted\n%s", i, doc[i], changed[i], changed)
		}
	}
}

// substitute returns another byte like b: a digit for a digit, a letter
// for a letter, otherwise 'x'.
func substitute(b byte) byte {
	switch {
	case b >= '0' && b <= '8':
		return b + 1
	case b == '9':
		return '0'
	case b >= 'a' && b <= 'y', b >= 'A' && b <= 'Y':
		return b + 1
	case b == 'z':
		return 'a'
	case b == 'Z':
		return 'A'
	}
	return 'x'
}

func TestVerifyRefusals(t *testing.T) {
	k, other := mustKey(t), mustKey(t)
	keys := KeySet{Keys: []PublicKey{k.Public(time.Now())}}
	doc := string(signedDoc(t, k))
	unsigned, _ := json.Marshal(sampleResult())
	cases := []struct {
		name string
		doc  string
		keys KeySet
		want error
	}{
		{"score raised", strings.Replace(doc, `"score":7`, `"score":10`, 1), keys, ErrBadSignature},
		{"test renamed", strings.Replace(doc, `lists notes`, `lists notez`, 1), keys, ErrBadSignature},
		{"worker changed", strings.Replace(doc, `"worker":"host-1"`, `"worker":"host-2"`, 1), keys, ErrBadSignature},
		{"member added", strings.Replace(doc, `"score":7`, `"score":7,"bonus":3`, 1), keys, ErrBadSignature},
		{"provenance removed", strings.Replace(doc, `"provenance":`, `"provenanc":`, 1), keys, ErrBadSignature},
		{"no signature", string(unsigned), keys, ErrUnsigned},
		{"unknown key", doc, KeySet{Keys: []PublicKey{other.Public(time.Now())}}, ErrUnknownKey},
		{"duplicate score", strings.Replace(doc, `"score":7`, `"score":10,"score":7`, 1), keys, ErrDuplicateMember},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.doc == doc && c.keys.Keys[0].ID == k.ID {
				t.Fatal("the case changed nothing")
			}
			_, err := Verify([]byte(c.doc), c.keys)
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
}

func TestPublicKeyMustMatchItsID(t *testing.T) {
	k, other := mustKey(t), mustKey(t)
	forged := other.Public(time.Now())
	forged.ID = k.ID // another key under k's id
	signed, err := other.Sign(sampleResult())
	if err != nil {
		t.Fatal(err)
	}
	signed.Signature.KeyID = k.ID
	doc, _ := json.Marshal(signed)
	if _, err := Verify(doc, KeySet{Keys: []PublicKey{forged}}); err == nil || !strings.Contains(err.Error(), "its id is not the one") {
		t.Fatalf("a key published under another's id: %v", err)
	}
}

func TestKeyPEMRoundTrip(t *testing.T) {
	k := mustKey(t)
	p, err := k.MarshalPEM()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseKey(p)
	if err != nil {
		t.Fatal(err)
	}
	if back.ID != k.ID {
		t.Fatalf("id %s after a round trip, want %s", back.ID, k.ID)
	}
	if _, err := ParseKey([]byte("not a key")); err == nil {
		t.Fatal("garbage parsed as a key")
	}
}

func TestViewDropsSignature(t *testing.T) {
	k := mustKey(t)
	r := sampleResult()
	r.View = grader.ViewInstructor
	signed, err := k.Sign(r)
	if err != nil {
		t.Fatal(err)
	}
	if got := signed.As(grader.ViewLearner); got.Signature != nil {
		t.Fatal("a learner view kept the instructor view's signature")
	}
}

func TestCanonical(t *testing.T) {
	got, err := Canonical([]byte(` { "b" : [1, {"d":2,"c":"<&>"}], "a": 10.50 } `))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"a":10.50,"b":[1,{"c":"<&>","d":2}]}`; string(got) != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	for _, bad := range []string{`{"a":1,"a":2}`, `[{"a":{"b":1,"b":1}}]`, `{"a":1} {}`, `{"a":`} {
		if _, err := Canonical([]byte(bad)); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
	// The same key in sibling objects is no duplicate.
	if _, err := Canonical([]byte(`[{"a":1},{"a":2}]`)); err != nil {
		t.Errorf("siblings: %v", err)
	}
}
