package signing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// KeyStore keeps the shared signing key and the published public keys;
// *store.Redis implements it.
type KeyStore interface {
	// SharedSigningKey returns the stored key (PEM), storing generated
	// first when there is none.
	SharedSigningKey(ctx context.Context, generated []byte) ([]byte, error)
	// PublishSigningKey adds a public key document under its id unless
	// the id is there.
	PublishSigningKey(ctx context.Context, id string, doc []byte) error
	// SigningKeys returns every published public key document.
	SigningKeys(ctx context.Context) ([][]byte, error)
}

// SharedKey returns the key every process on ks shares, generating and
// storing one when ks holds none.
func SharedKey(ctx context.Context, ks KeyStore) (Key, error) {
	k, err := NewKey()
	if err != nil {
		return Key{}, err
	}
	p, err := k.MarshalPEM()
	if err != nil {
		return Key{}, err
	}
	stored, err := ks.SharedSigningKey(ctx, p)
	if err != nil {
		return Key{}, err
	}
	k, err = ParseKey(stored)
	if err != nil {
		return Key{}, fmt.Errorf("the stored signing key: %w", err)
	}
	return k, nil
}

// KeyFile returns the key in the PEM file at path. When there is no file
// there, it makes a key and writes it (mode 0600, its folder made 0700
// if missing) and reports created. A file that cannot be read as a key
// is an error, never replaced.
func KeyFile(path string) (k Key, created bool, err error) {
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		k, err := ParseKey(data)
		if err != nil {
			return Key{}, false, fmt.Errorf("signing key %s: %w", path, err)
		}
		return k, false, nil
	case !errors.Is(err, fs.ErrNotExist):
		return Key{}, false, fmt.Errorf("read signing key: %w", err)
	}
	if k, err = NewKey(); err != nil {
		return Key{}, false, err
	}
	p, err := k.MarshalPEM()
	if err != nil {
		return Key{}, false, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return Key{}, false, fmt.Errorf("make the signing key's folder: %w", err)
	}
	// O_EXCL: two processes starting at once never overwrite each other.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return KeyFile(path)
	}
	if err != nil {
		return Key{}, false, fmt.Errorf("write signing key: %w", err)
	}
	if _, err := f.Write(p); err != nil {
		f.Close()
		return Key{}, false, fmt.Errorf("write signing key %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return Key{}, false, fmt.Errorf("write signing key %s: %w", path, err)
	}
	return k, true, nil
}

// Publish adds k's public half to the published keys, stamped now
// unless it was published before.
func Publish(ctx context.Context, ks KeyStore, k Key, now time.Time) error {
	doc, err := json.Marshal(k.Public(now))
	if err != nil {
		return fmt.Errorf("encode public key: %w", err)
	}
	return ks.PublishSigningKey(ctx, k.ID, doc)
}

// Published returns every published public key.
func Published(ctx context.Context, ks KeyStore) (KeySet, error) {
	docs, err := ks.SigningKeys(ctx)
	if err != nil {
		return KeySet{}, err
	}
	set := KeySet{Keys: []PublicKey{}}
	for _, d := range docs {
		var p PublicKey
		if err := json.Unmarshal(d, &p); err != nil {
			return KeySet{}, fmt.Errorf("read a published key: %w", err)
		}
		set.Keys = append(set.Keys, p)
	}
	return set, nil
}

// PublishedKeys answers the published keys of Store (the API's
// KeySource).
type PublishedKeys struct {
	Store KeyStore
}

// PublicKeys returns every published public key.
func (p PublishedKeys) PublicKeys(ctx context.Context) (KeySet, error) {
	return Published(ctx, p.Store)
}
