package httpcheck

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"

	"github.com/tidwall/gjson"
)

// capture is a value a step stored for later steps.
type capture struct {
	// text is what ${name} becomes inside a string: a JSON string's
	// content, or the raw JSON of any other value.
	text string
	// raw is the value as JSON.
	raw string
	// isString tells a captured JSON string from other values.
	isString bool
}

// vars are one test's captures, by name.
type vars map[string]capture

func (v vars) set(name string, res gjson.Result) {
	if res.Type == gjson.String {
		v[name] = capture{text: res.String(), raw: res.Raw, isString: true}
		return
	}
	v[name] = capture{text: res.Raw, raw: res.Raw}
}

var varRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// expand replaces every ${name} in s with the captured text.
func (v vars) expand(s string) (string, error) {
	var missing string
	out := varRef.ReplaceAllStringFunc(s, func(m string) string {
		name := m[2 : len(m)-1]
		c, ok := v[name]
		if !ok && missing == "" {
			missing = name
		}
		return c.text
	})
	if missing != "" {
		return "", fmt.Errorf("uses ${%s}, which no earlier step captured", missing)
	}
	return out, nil
}

// pattern compiles the regular expression p with each ${name} replaced by
// the captured text, quoted so that it matches literally.
func (v vars) pattern(p string) (*regexp.Regexp, error) {
	quoted := make(vars, len(v))
	for name, c := range v {
		c.text = regexp.QuoteMeta(c.text)
		quoted[name] = c
	}
	expr, err := quoted.expand(p)
	if err != nil {
		return nil, err
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, fmt.Errorf("invalid pattern %q in the test: %w", p, err)
	}
	return re, nil
}

// expandJSON replaces ${name} in the string leaves of raw. A leaf that is
// exactly "${name}" where name holds a number, bool, null, object or
// array becomes that JSON value, so a captured numeric id compares (and
// is sent) as a number; anywhere else the captured text is spliced into
// the string.
func (v vars) expandJSON(raw json.RawMessage) (json.RawMessage, error) {
	if !bytes.Contains(raw, []byte("${")) {
		return raw, nil
	}
	doc, err := decodeJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("invalid JSON in the test: %w", err)
	}
	doc, err = v.walk(doc)
	if err != nil {
		return nil, err
	}
	return encodeJSON(doc)
}

func (v vars) walk(x any) (any, error) {
	switch t := x.(type) {
	case string:
		if m := varRef.FindStringSubmatch(t); m != nil && m[0] == t {
			if c, ok := v[m[1]]; ok && !c.isString {
				return json.RawMessage(c.raw), nil
			}
		}
		return v.expand(t)
	case map[string]any:
		for k, e := range t {
			n, err := v.walk(e)
			if err != nil {
				return nil, err
			}
			t[k] = n
		}
	case []any:
		for i, e := range t {
			n, err := v.walk(e)
			if err != nil {
				return nil, err
			}
			t[i] = n
		}
	}
	return x, nil
}

// decodeJSON decodes one JSON value, keeping numbers as written.
func decodeJSON(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// encodeJSON encodes v compactly, without escaping <, > and &.
func encodeJSON(v any) (json.RawMessage, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode JSON: %w", err)
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}
