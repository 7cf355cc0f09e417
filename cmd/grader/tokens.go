package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gradebox/grader/api"
	"github.com/gradebox/grader/web"
)

// subjectPattern is what a token's subject (a learner id, an instructor's
// name) may look like: it appears in keys, URLs and reports.
var subjectPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)

// minSecretLen is the shortest bearer token accepted.
const minSecretLen = 16

// tokensFile is the on-disk form of the service's bearer tokens.
type tokensFile struct {
	Tokens []api.Token `json:"tokens"`
}

// loadTokens reads the tokens file at path (when set) and the tokens
// listed in env (GRADER_TOKENS: "role:subject:token" entries separated by
// commas), and checks every one.
func loadTokens(path, env string) ([]api.Token, error) {
	var out []api.Token
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read tokens file: %w", err)
		}
		var f tokensFile
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			return nil, fmt.Errorf("tokens file %s: %w (expected {\"tokens\": [{\"token\": \"...\", \"subject\": \"alice\", \"role\": \"learner\"}]})", path, err)
		}
		for i, t := range f.Tokens {
			if err := checkToken(t); err != nil {
				return nil, fmt.Errorf("tokens file %s: tokens[%d]: %w", path, i, err)
			}
		}
		out = append(out, f.Tokens...)
	}
	for i, entry := range strings.Split(env, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		parts := strings.SplitN(entry, ":", 3)
		if len(parts) != 3 {
			return nil, fmt.Errorf("GRADER_TOKENS entry %d: want role:subject:token", i+1)
		}
		t := api.Token{Role: api.Role(parts[0]), Subject: parts[1], Secret: parts[2]}
		if err := checkToken(t); err != nil {
			return nil, fmt.Errorf("GRADER_TOKENS entry %d: %w", i+1, err)
		}
		out = append(out, t)
	}
	seen := map[string]bool{}
	for _, t := range out {
		if seen[t.Secret] {
			return nil, fmt.Errorf("token of %s (%s) is listed twice: every token must be unique", t.Subject, t.Role)
		}
		seen[t.Secret] = true
	}
	return out, nil
}

func checkToken(t api.Token) error {
	switch t.Role {
	case api.RoleLearner, api.RoleInstructor, api.RoleAdmin:
	default:
		return fmt.Errorf("role %q: use learner, instructor or admin", t.Role)
	}
	if !subjectPattern.MatchString(t.Subject) {
		return fmt.Errorf("subject %q: use 1 to 64 letters, digits, '.', '_', '@' or '-'", t.Subject)
	}
	if len(t.Secret) < minSecretLen {
		return fmt.Errorf("token of %s is shorter than %d characters; make one with `grader tokens new`", t.Subject, minSecretLen)
	}
	return nil
}

// devTokenPrefix starts every token of deploy/tokens.dev.json; `grader
// tokens new` never makes such a token.
const devTokenPrefix = "dev-"

// devTokens returns the tokens the sign-in page may offer: all of them
// when every token the service accepts is a published development token
// (`make run` with deploy/tokens.dev.json), none as soon as one is not,
// so a real deployment never shows a token.
func devTokens(tokens []api.Token) []web.DevToken {
	var out []web.DevToken
	for _, t := range tokens {
		if !strings.HasPrefix(t.Secret, devTokenPrefix) {
			return nil
		}
		out = append(out, web.DevToken{Token: t.Secret, Subject: t.Subject, Role: string(t.Role)})
	}
	return out
}

// newSecret returns a fresh bearer token.
func newSecret() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return "gt_" + hex.EncodeToString(b)
}

func newTokensCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "tokens", Short: "Make bearer tokens for the service"}
	var role, subject, file string
	add := &cobra.Command{
		Use:   "new --role learner|instructor|admin --subject ID [--file tokens.json]",
		Short: "Make a token; with --file, add it to that tokens file",
		Long: `Make a random bearer token for a subject (a learner's id, an instructor's
name) with a role. Without --file it prints the JSON entry to add to the
tokens file the service reads (--tokens, GRADER_TOKENS_FILE); with --file
it adds the entry itself (creating the file, readable only by its owner).
The token is printed on the last line; the service must be restarted to
read a changed file.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			t := api.Token{Role: api.Role(role), Subject: subject, Secret: newSecret()}
			if err := checkToken(t); err != nil {
				return usageErr("%v", err)
			}
			if file == "" {
				b, _ := json.Marshal(t)
				fmt.Fprintln(cmd.OutOrStdout(), string(b))
				fmt.Fprintln(cmd.OutOrStdout(), t.Secret)
				return nil
			}
			if err := appendToken(file, t); err != nil {
				return faultErr(err)
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "added a %s token for %s to %s\n", t.Role, t.Subject, file)
			fmt.Fprintln(cmd.OutOrStdout(), t.Secret)
			return nil
		},
	}
	add.Flags().StringVar(&role, "role", string(api.RoleLearner), "learner, instructor or admin")
	add.Flags().StringVar(&subject, "subject", "", "who holds the token: a learner's id, an instructor's name")
	add.Flags().StringVar(&file, "file", "", "tokens file to add the token to")
	cmd.AddCommand(add)
	return cmd
}

// appendToken adds t to the tokens file at path, creating it if needed.
func appendToken(path string, t api.Token) error {
	var f tokensFile
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return fmt.Errorf("read tokens file: %w", err)
	default:
		if err := json.Unmarshal(b, &f); err != nil {
			return fmt.Errorf("tokens file %s: %w", path, err)
		}
	}
	f.Tokens = append(f.Tokens, t)
	out, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("encode tokens: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(out, '\n'), 0o600); err != nil {
		return fmt.Errorf("write tokens file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write tokens file: %w", err)
	}
	return nil
}
