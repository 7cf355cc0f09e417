package store

import (
	"context"
	"fmt"
	"slices"
)

// SharedSigningKey returns the service's shared result-signing key (a
// PEM private key, see package signing): the one stored, or generated
// when none is, stored for every process on this Redis. Two processes
// starting at once agree on the first one written.
func (s *Redis) SharedSigningKey(ctx context.Context, generated []byte) ([]byte, error) {
	key := s.key("signing-key")
	if err := s.rdb.SetNX(ctx, key, generated, 0).Err(); err != nil {
		return nil, fmt.Errorf("store the signing key: %w", err)
	}
	stored, err := s.rdb.Get(ctx, key).Bytes()
	if err != nil {
		return nil, fmt.Errorf("read the signing key: %w", err)
	}
	return stored, nil
}

// PublishSigningKey adds a public key document (JSON, see
// signing.PublicKey) under its key id, unless that id is published
// already: the first publication, with its time, stands.
func (s *Redis) PublishSigningKey(ctx context.Context, id string, doc []byte) error {
	if err := s.rdb.HSetNX(ctx, s.key("signing-keys"), id, doc).Err(); err != nil {
		return fmt.Errorf("publish signing key %s: %w", id, err)
	}
	return nil
}

// SigningKeys returns every published public key document, by key id.
func (s *Redis) SigningKeys(ctx context.Context) ([][]byte, error) {
	all, err := s.rdb.HGetAll(ctx, s.key("signing-keys")).Result()
	if err != nil {
		return nil, fmt.Errorf("read the signing keys: %w", err)
	}
	ids := make([]string, 0, len(all))
	for id := range all {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	docs := make([][]byte, 0, len(ids))
	for _, id := range ids {
		docs = append(docs, []byte(all[id]))
	}
	return docs, nil
}
