package signing

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// ErrDuplicateMember is returned for a JSON document that names a member
// twice in one object.
var ErrDuplicateMember = errors.New("a JSON object names the same member twice")

// Canonical returns the canonical form of a JSON document (see the
// package documentation). It fails for a document that is not exactly one
// JSON value or that names a member twice.
func Canonical(doc []byte) ([]byte, error) {
	v, err := decodeStrict(doc)
	if err != nil {
		return nil, err
	}
	return encodeCanonical(v)
}

// decodeStrict decodes doc, numbers kept as written, refusing duplicate
// members and trailing data.
func decodeStrict(doc []byte) (any, error) {
	if err := checkMembers(doc); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("read the JSON document: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("read the JSON document: more follows the first value")
	}
	return v, nil
}

// encodeCanonical writes v with sorted keys (encoding/json sorts map
// keys), no white space and no HTML escaping.
func encodeCanonical(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode the canonical form: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// checkMembers walks doc's tokens and fails at the first object that
// names a member twice.
func checkMembers(doc []byte) error {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read the JSON document: %w", err)
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.wantKey {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				markValue(stack)
				continue
			}
			key := tok.(string) // the decoder allows only a string here
			if top.keys[key] {
				return fmt.Errorf("%w: %q", ErrDuplicateMember, key)
			}
			top.keys[key] = true
			top.wantKey = false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, keys: map[string]bool{}, wantKey: true})
		case json.Delim('['):
			stack = append(stack, &frame{})
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
			markValue(stack)
		default:
			markValue(stack)
		}
	}
}

// frame is an open object or array of checkMembers: an object's keys so
// far, and whether its next token is a key.
type frame struct {
	object  bool
	keys    map[string]bool
	wantKey bool
}

// markValue records that the innermost open object got its member's
// value, so its next token is a key.
func markValue(stack []*frame) {
	if n := len(stack); n > 0 && stack[n-1].object {
		stack[n-1].wantKey = true
	}
}
