package signing

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gradebox/grader/grader"
)

// Algorithm is the only signature algorithm: Ed25519 (RFC 8032).
const Algorithm = "Ed25519"

// Errors of Verify; each is wrapped with what was found.
var (
	// ErrUnsigned: the document carries no signature.
	ErrUnsigned = errors.New("the result carries no signature")
	// ErrUnknownKey: no trusted key has the signature's key id.
	ErrUnknownKey = errors.New("the result was signed with a key that is not among the trusted keys")
	// ErrBadSignature: the signature does not match the document.
	ErrBadSignature = errors.New("the signature does not match the result: it was changed after it was signed, or signed by another key")
)

// Key is a private signing key with its id.
type Key struct {
	// ID is KeyID of the public half.
	ID      string
	private ed25519.PrivateKey
}

// NewKey makes a random key.
func NewKey() (Key, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return Key{}, fmt.Errorf("generate an Ed25519 key: %w", err)
	}
	return keyOf(priv), nil
}

func keyOf(priv ed25519.PrivateKey) Key {
	return Key{ID: KeyID(priv.Public().(ed25519.PublicKey)), private: priv}
}

// KeyID names a public key: "ed25519-" and the first 16 hex digits of
// its SHA-256.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return "ed25519-" + hex.EncodeToString(sum[:8])
}

// pemType is the PEM block type of a private key (PKCS #8, as
// `openssl genpkey -algorithm ed25519` writes it).
const pemType = "PRIVATE KEY"

// ParseKey reads a PEM-encoded PKCS #8 Ed25519 private key.
func ParseKey(data []byte) (Key, error) {
	block, _ := pem.Decode(data)
	if block == nil || block.Type != pemType {
		return Key{}, errors.New("not a PEM \"PRIVATE KEY\" block; make one with `openssl genpkey -algorithm ed25519`")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return Key{}, fmt.Errorf("read the PKCS #8 private key: %w", err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return Key{}, fmt.Errorf("the private key is a %T, not an Ed25519 key", k)
	}
	return keyOf(priv), nil
}

// MarshalPEM encodes the key as ParseKey reads it. It is secret.
func (k Key) MarshalPEM() ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k.private)
	if err != nil {
		return nil, fmt.Errorf("encode the private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemType, Bytes: der}), nil
}

// Public returns the key's public half, to publish, stamped created.
func (k Key) Public(created time.Time) PublicKey {
	return PublicKey{ID: k.ID, Algorithm: Algorithm, Key: base64.StdEncoding.EncodeToString(k.private.Public().(ed25519.PublicKey)),
		CreatedAt: created.UTC().Truncate(time.Second)}
}

// Sign returns r signed by k: any signature r had is replaced.
func (k Key) Sign(r grader.Result) (grader.Result, error) {
	r.Signature = nil
	doc, err := json.Marshal(r)
	if err != nil {
		return grader.Result{}, fmt.Errorf("encode the result to sign: %w", err)
	}
	canon, err := Canonical(doc)
	if err != nil {
		return grader.Result{}, err
	}
	r.Signature = &grader.Signature{Algorithm: Algorithm, KeyID: k.ID,
		Value: base64.StdEncoding.EncodeToString(ed25519.Sign(k.private, canon))}
	return r, nil
}

// PublicKey is a published public key.
type PublicKey struct {
	// ID is KeyID of Key.
	ID        string `json:"kid"`
	Algorithm string `json:"alg"`
	// Key is the 32-byte Ed25519 public key in standard base64.
	Key string `json:"public_key"`
	// CreatedAt is when the service first published it.
	CreatedAt time.Time `json:"created_at"`
}

// key decodes the public key and checks it is the one its id names.
func (p PublicKey) key() (ed25519.PublicKey, error) {
	if p.Algorithm != Algorithm {
		return nil, fmt.Errorf("key %s: algorithm %q, want %s", p.ID, p.Algorithm, Algorithm)
	}
	raw, err := base64.StdEncoding.DecodeString(p.Key)
	if err != nil || len(raw) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("key %s: public_key is not %d bytes of base64", p.ID, ed25519.PublicKeySize)
	}
	pub := ed25519.PublicKey(raw)
	if KeyID(pub) != p.ID {
		return nil, fmt.Errorf("key %s: its id is not the one of its public key (%s)", p.ID, KeyID(pub))
	}
	return pub, nil
}

// KeySet is the document of GET /v1/keys: the keys that sign results.
type KeySet struct {
	Keys []PublicKey `json:"keys"`
}

// IDs lists the set's key ids.
func (s KeySet) IDs() []string {
	var ids []string
	for _, k := range s.Keys {
		ids = append(ids, k.ID)
	}
	slices.Sort(ids)
	return ids
}

// Verified is a result whose signature checked.
type Verified struct {
	Result grader.Result
	// KeyID names the key that signed it.
	KeyID string
}

// Verify checks the signature of a result document (a grader.Result as
// JSON) against the trusted keys and returns the result. The error wraps
// ErrUnsigned, ErrUnknownKey or ErrBadSignature when the document was
// read but does not check.
func Verify(doc []byte, trusted KeySet) (Verified, error) {
	v, err := decodeStrict(doc)
	if err != nil {
		return Verified{}, err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return Verified{}, errors.New("the document is not a JSON object")
	}
	sig, err := signatureOf(obj)
	if err != nil {
		return Verified{}, err
	}
	var pub ed25519.PublicKey
	for _, k := range trusted.Keys {
		if k.ID == sig.KeyID {
			if pub, err = k.key(); err != nil {
				return Verified{}, err
			}
		}
	}
	if pub == nil {
		return Verified{}, fmt.Errorf("%w: it names %s; trusted: %s", ErrUnknownKey, sig.KeyID, strings.Join(trusted.IDs(), ", "))
	}
	value, err := base64.StdEncoding.Strict().DecodeString(sig.Value)
	if err != nil {
		return Verified{}, fmt.Errorf("%w: its value is not base64", ErrBadSignature)
	}
	delete(obj, "signature")
	canon, err := encodeCanonical(obj)
	if err != nil {
		return Verified{}, err
	}
	if !ed25519.Verify(pub, canon, value) {
		return Verified{}, ErrBadSignature
	}
	var res grader.Result
	if err := json.Unmarshal(doc, &res); err != nil {
		return Verified{}, fmt.Errorf("read the result: %w", err)
	}
	return Verified{Result: res, KeyID: sig.KeyID}, nil
}

// signatureOf reads the "signature" member of a result document.
func signatureOf(obj map[string]any) (grader.Signature, error) {
	raw, ok := obj["signature"]
	if !ok || raw == nil {
		return grader.Signature{}, ErrUnsigned
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return grader.Signature{}, fmt.Errorf("%w: signature is not an object", ErrBadSignature)
	}
	var sig grader.Signature
	sig.Algorithm, _ = m["alg"].(string)
	sig.KeyID, _ = m["kid"].(string)
	sig.Value, _ = m["value"].(string)
	if sig.Algorithm != Algorithm {
		return grader.Signature{}, fmt.Errorf("%w: algorithm %q, want %s", ErrBadSignature, sig.Algorithm, Algorithm)
	}
	return sig, nil
}

// FindResult returns the result document inside doc: doc itself when it
// is a result (it has a "signature" or a "score"), or the "result" member
// of a submission document (GET /v1/submissions/{id}) or of a webhook's
// body.
func FindResult(doc []byte) ([]byte, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(doc, &top); err != nil {
		return nil, fmt.Errorf("read the JSON document: %w", err)
	}
	if _, ok := top["signature"]; ok {
		return doc, nil
	}
	if inner, ok := top["result"]; ok && len(inner) > 0 && inner[0] == '{' {
		return inner, nil
	}
	if _, ok := top["score"]; ok {
		return doc, nil
	}
	return nil, errors.New("the document is neither a result nor a submission or webhook body holding one")
}
