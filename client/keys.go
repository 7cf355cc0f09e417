package client

import (
	"context"

	"github.com/gradebox/grader/signing"
)

// Keys reads the public keys that check the service's result signatures
// (GET /v1/keys; no token needed).
func (c *Client) Keys(ctx context.Context) (signing.KeySet, error) {
	var set signing.KeySet
	err := c.get(ctx, c.URL("v1", "keys"), &set)
	return set, err
}

// Document returns the JSON the service answers at link (a path of the
// service or an absolute URL on it) as sent, so that a signature in it
// can be checked on the very bytes.
func (c *Client) Document(ctx context.Context, link string) ([]byte, error) {
	return c.getRaw(ctx, c.Resolve(link))
}
