package store

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"
)

func testSigningKeys(t *testing.T, rdb redis.UniversalClient) {
	s, _ := newStore(t, rdb)
	ctx := context.Background()
	first, err := s.SharedSigningKey(ctx, []byte("key-one"))
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.SharedSigningKey(ctx, []byte("key-two"))
	if err != nil {
		t.Fatal(err)
	}
	if string(first) != "key-one" || string(second) != "key-one" {
		t.Fatalf("shared keys %q then %q, want the first written both times", first, second)
	}
	for _, p := range []struct{ id, doc string }{{"b", `{"kid":"b"}`}, {"a", `{"kid":"a"}`}, {"b", `{"kid":"b","late":true}`}} {
		if err := s.PublishSigningKey(ctx, p.id, []byte(p.doc)); err != nil {
			t.Fatal(err)
		}
	}
	docs, err := s.SigningKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 || string(docs[0]) != `{"kid":"a"}` || string(docs[1]) != `{"kid":"b"}` {
		t.Fatalf("published keys %q, want a then b's first publication", docs)
	}
}
