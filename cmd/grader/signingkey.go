package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/gradebox/grader/signing"
	"github.com/gradebox/grader/store"
)

// signingKey returns the key this process signs results with: the file
// of --signing-key (made there when missing), or the key shared in Redis.
// Either way its public half is published for GET /v1/keys.
func signingKey(ctx context.Context, sc ServiceConfig, st *store.Redis, log *slog.Logger) (signing.Key, error) {
	var key signing.Key
	if sc.SigningKeyFile != "" {
		k, created, err := signing.KeyFile(sc.SigningKeyFile)
		if err != nil {
			return signing.Key{}, fmt.Errorf("%w (--signing-key, GRADER_SIGNING_KEY_FILE)", err)
		}
		if created {
			log.Warn("made a new result-signing key: keep this file, results it signs check only with it", "path", sc.SigningKeyFile, "kid", k.ID)
		}
		key = k
	} else {
		k, err := signing.SharedKey(ctx, st)
		if err != nil {
			return signing.Key{}, fmt.Errorf("the result-signing key shared in Redis: %w", err)
		}
		key = k
	}
	if err := signing.Publish(ctx, st, key, time.Now()); err != nil {
		return signing.Key{}, err
	}
	log.Info("signing results", "kid", key.ID, "from", keySource(sc))
	return key, nil
}

func keySource(sc ServiceConfig) string {
	if sc.SigningKeyFile != "" {
		return sc.SigningKeyFile
	}
	return "redis"
}
