package signing

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// memKeys is a KeyStore in memory.
type memKeys struct {
	shared []byte
	pub    map[string][]byte
}

func (m *memKeys) SharedSigningKey(_ context.Context, generated []byte) ([]byte, error) {
	if m.shared == nil {
		m.shared = generated
	}
	return m.shared, nil
}

func (m *memKeys) PublishSigningKey(_ context.Context, id string, doc []byte) error {
	if m.pub == nil {
		m.pub = map[string][]byte{}
	}
	if _, ok := m.pub[id]; !ok {
		m.pub[id] = doc
	}
	return nil
}

func (m *memKeys) SigningKeys(context.Context) ([][]byte, error) {
	var out [][]byte
	for _, d := range m.pub {
		out = append(out, d)
	}
	return out, nil
}

func TestSharedKeyIsOneForAllProcesses(t *testing.T) {
	ks := &memKeys{}
	ctx := context.Background()
	a, err := SharedKey(ctx, ks)
	if err != nil {
		t.Fatal(err)
	}
	b, err := SharedKey(ctx, ks)
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != b.ID {
		t.Fatalf("two processes got keys %s and %s", a.ID, b.ID)
	}
	for range 2 {
		if err := Publish(ctx, ks, a, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	set, err := Published(ctx, ks)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) != 1 || set.Keys[0].ID != a.ID {
		t.Fatalf("published %+v, want %s once", set, a.ID)
	}
	signed, err := a.Sign(sampleResult())
	if err != nil {
		t.Fatal(err)
	}
	doc, err := json.Marshal(signed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(doc, set); err != nil {
		t.Fatalf("verify with the published keys: %v", err)
	}
}

func TestKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "signing.pem")
	k, created, err := KeyFile(path)
	if err != nil || !created {
		t.Fatalf("first start: created %v, %v", created, err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", st.Mode().Perm())
	}
	again, created, err := KeyFile(path)
	if err != nil || created || again.ID != k.ID {
		t.Fatalf("second start: key %s created %v err %v, want %s kept", again.ID, created, err, k.ID)
	}
	if err := os.WriteFile(path, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := KeyFile(path); err == nil {
		t.Fatal("a file that is no key was taken")
	}
	if data, _ := os.ReadFile(path); string(data) != "garbage" {
		t.Fatal("a file that is no key was replaced")
	}
}
