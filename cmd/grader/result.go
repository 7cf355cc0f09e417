package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gradebox/grader/client"
	"github.com/gradebox/grader/signing"
)

// maxResultBytes bounds a result document read from a file or stdin.
const maxResultBytes = 64 << 20

func newResultCmd(cfg *Config) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "result",
		Short: "Work with result documents",
	}
	cmd.AddCommand(newResultVerifyCmd(cfg))
	return cmd
}

type verifyOptions struct {
	keys, server, token string
	timeout             time.Duration
}

func newResultVerifyCmd(cfg *Config) *cobra.Command {
	o := verifyOptions{server: envOr("GRADER_SERVER", "http://127.0.0.1:8080"), timeout: time.Minute}
	cmd := &cobra.Command{
		Use:   "verify [--keys FILE|URL] [--server URL] FILE|URL|-",
		Short: "Check a result's signature: that the grading service issued it, unchanged",
		Long: `Check the signature of a result: a file (- for stdin) or a URL of the
grading service. The document may be a result (grader submit --wait
--json), a submission (GET /v1/submissions/{id}) or a webhook's body.

The signature is checked against the service's public keys: --keys, a
file saved from GET /v1/keys (checking offline) or a URL; by default
/v1/keys of the service the URL points at, or of --server for a file.

Exit status: 0 the signature is valid; 1 it is not (the document was
changed, or signed by a key that is not trusted, or carries none); 2 bad
usage or an unreadable document; 3 the service could not be reached.`,
		Args: exactArgs(1, "one result file, URL or - for stdin"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.token == "" {
				o.token = os.Getenv("GRADER_TOKEN")
			}
			log, err := cfg.logger(cmd)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), o.timeout)
			defer cancel()
			return runVerify(ctx, cmd, log, o, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.keys, "keys", "", "trusted public keys: a JSON file saved from GET /v1/keys, or its URL (default: the service's)")
	f.StringVar(&o.server, "server", o.server, "base URL of the grading service whose keys to trust, for a result in a file (env GRADER_SERVER)")
	f.StringVar(&o.token, "token", "", "bearer token, to read a result from the service by URL (env GRADER_TOKEN)")
	f.DurationVar(&o.timeout, "timeout", o.timeout, "give up reading the result or the keys after this long")
	return cmd
}

func runVerify(ctx context.Context, cmd *cobra.Command, log *slog.Logger, o verifyOptions, src string) error {
	doc, origin, err := readResultDoc(ctx, log, o, src, cmd.InOrStdin())
	if err != nil {
		return err
	}
	inner, err := signing.FindResult(doc)
	if err != nil {
		return usageErr("%s: %v", src, err)
	}
	keys, from, err := trustedKeys(ctx, log, o, origin)
	if err != nil {
		return err
	}
	v, err := signing.Verify(inner, keys)
	if err != nil {
		if errors.Is(err, signing.ErrUnsigned) || errors.Is(err, signing.ErrUnknownKey) || errors.Is(err, signing.ErrBadSignature) {
			fmt.Fprintf(cmd.OutOrStdout(), "INVALID: %s\n", src)
			return &exitError{code: exitLess, err: fmt.Errorf("%s: %w (keys from %s)", src, err, from)}
		}
		return usageErr("%s: %v", src, err)
	}
	printVerified(cmd.OutOrStdout(), src, from, v)
	return nil
}

// printVerified says what a valid signature vouches for.
func printVerified(w io.Writer, src, from string, v signing.Verified) {
	r := v.Result
	fmt.Fprintf(w, "valid: %s\n", src)
	fmt.Fprintf(w, "  result of %s: %s (version %s, %s), %s %d/%d, %s view\n",
		clean(r.SubmissionID), clean(r.Challenge), clean(r.ChallengeVersion), clean(string(r.Language)), r.Status, r.Score, r.MaxScore, r.View)
	if p := r.Provenance; p != nil {
		fmt.Fprintf(w, "  graded by %s at %s from files %s\n", clean(p.Worker), p.GradedAt.Format(time.RFC3339), clean(p.SubmissionDigest))
	}
	fmt.Fprintf(w, "  signed with key %s (keys from %s)\n", clean(v.KeyID), clean(from))
}

// readResultDoc reads the document at src: a URL of the service (read
// with the token), a file, or stdin for "-". It returns the service's
// base URL when src is one of its URLs.
func readResultDoc(ctx context.Context, log *slog.Logger, o verifyOptions, src string, stdin io.Reader) ([]byte, string, error) {
	if isURL(src) {
		origin, err := originOf(src)
		if err != nil {
			return nil, "", usageErr("%s: %v", src, err)
		}
		c, err := newAPIClient(origin, o.token, log)
		if err != nil {
			return nil, "", usageErr("%v", err)
		}
		doc, err := c.Document(ctx, src)
		if err != nil {
			return nil, "", apiExit(c, err, "")
		}
		return doc, origin, nil
	}
	var r io.Reader = stdin
	if src != "-" {
		f, err := os.Open(src)
		if err != nil {
			return nil, "", usageErr("%v", err)
		}
		defer f.Close()
		r = f
	}
	doc, err := io.ReadAll(io.LimitReader(r, maxResultBytes+1))
	if err != nil {
		return nil, "", usageErr("read %s: %v", src, err)
	}
	if len(doc) > maxResultBytes {
		return nil, "", usageErr("%s is larger than %d MiB: not a result document", src, maxResultBytes>>20)
	}
	return doc, "", nil
}

// trustedKeys returns the keys to check against and where they came
// from: --keys, else the keys of origin (the service the result was
// read from), else of --server.
func trustedKeys(ctx context.Context, log *slog.Logger, o verifyOptions, origin string) (signing.KeySet, string, error) {
	if o.keys != "" && !isURL(o.keys) {
		data, err := os.ReadFile(o.keys)
		if err != nil {
			return signing.KeySet{}, "", usageErr("--keys: %v", err)
		}
		var set signing.KeySet
		if err := json.Unmarshal(data, &set); err != nil || len(set.Keys) == 0 {
			return signing.KeySet{}, "", usageErr("--keys %s: not a key set as GET /v1/keys answers it ({\"keys\": [...]}): %v", o.keys, err)
		}
		return set, o.keys, nil
	}
	server := o.server
	if origin != "" {
		server = origin
	}
	var c *client.Client
	var err error
	if o.keys != "" {
		// A keys URL: its own service, asked without a token.
		if server, err = originOf(o.keys); err != nil {
			return signing.KeySet{}, "", usageErr("--keys %s: %v", o.keys, err)
		}
		c, err = newAPIClient(server, "", log)
		if err != nil {
			return signing.KeySet{}, "", usageErr("%v", err)
		}
		doc, err := c.Document(ctx, o.keys)
		if err != nil {
			return signing.KeySet{}, "", apiExit(c, err, "")
		}
		var set signing.KeySet
		if err := json.Unmarshal(doc, &set); err != nil {
			return signing.KeySet{}, "", usageErr("--keys %s: not a key set: %v", o.keys, err)
		}
		return set, o.keys, nil
	}
	c, err = newAPIClient(server, "", log)
	if err != nil {
		return signing.KeySet{}, "", usageErr("%v", err)
	}
	set, err := c.Keys(ctx)
	if err != nil {
		return signing.KeySet{}, "", apiExit(c, err, " (give the keys with --keys to check offline)")
	}
	return set, c.URL("v1", "keys"), nil
}

func isURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// originOf returns the base URL of the service an http(s) URL of its API
// is on: scheme, host and any path before "/v1/".
func originOf(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("not an http(s) URL")
	}
	base, _, _ := strings.Cut(u.Path, "/v1/")
	return u.Scheme + "://" + u.Host + strings.TrimSuffix(base, "/"), nil
}
