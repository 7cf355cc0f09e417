package api

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/signing"
)

// keyList is a KeySource of fixed keys.
type keyList signing.KeySet

func (k keyList) PublicKeys(context.Context) (signing.KeySet, error) { return signing.KeySet(k), nil }

// TestSignedResults checks each view of a result is answered signed by
// the service's key, that the signature checks with GET /v1/keys (asked
// without a token), and that it covers the view answered.
func TestSignedResults(t *testing.T) {
	key, err := signing.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	env := newEnv(t, func(c *Config) {
		c.Signer = key
		c.Keys = keyList{Keys: []signing.PublicKey{key.Public(time.Now())}}
	})
	gradedFixture(env)
	w := env.serve(get("/v1/keys", ""))
	if w.Code != 200 {
		t.Fatalf("GET /v1/keys without a token: %d %s", w.Code, w.Body.String())
	}
	var set signing.KeySet
	if err := json.Unmarshal(w.Body.Bytes(), &set); err != nil || len(set.Keys) != 1 || set.Keys[0].ID != key.ID {
		t.Fatalf("keys %s: %v", w.Body.String(), err)
	}
	for _, c := range []struct {
		token string
		view  grader.View
	}{{adaToken, grader.ViewLearner}, {teachToken, grader.ViewInstructor}} {
		w := env.serve(get("/v1/submissions/s1", c.token))
		inner, err := signing.FindResult(w.Body.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		v, err := signing.Verify(inner, set)
		if err != nil {
			t.Fatalf("%s view: %v\n%s", c.view, err, inner)
		}
		if v.Result.View != c.view || v.Result.Score != 2 {
			t.Errorf("verified the %s view of score %d, want the %s view of score 2", v.Result.View, v.Result.Score, c.view)
		}
	}
	// Another key's set refuses it.
	other, _ := signing.NewKey()
	w = env.serve(get("/v1/submissions/s1", adaToken))
	inner, _ := signing.FindResult(w.Body.Bytes())
	if _, err := signing.Verify(inner, signing.KeySet{Keys: []signing.PublicKey{other.Public(time.Now())}}); !errors.Is(err, signing.ErrUnknownKey) {
		t.Errorf("checked against another key: %v", err)
	}
}

func TestKeysWithoutSigning(t *testing.T) {
	env := newEnv(t)
	if code, body := env.do(t, get("/v1/keys", "")); code != 404 || errCode(body) != "not_found" {
		t.Fatalf("GET /v1/keys of a service that does not sign: %d %v", code, body)
	}
}
