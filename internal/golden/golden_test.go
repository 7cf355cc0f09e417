package golden

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestUpdateWritesOnlyChanges: under -update, a file that already holds
// what the test produced is left alone (its modification time stays), and
// one that differs is rewritten.
func TestUpdateWritesOnlyChanges(t *testing.T) {
	defer func(was bool) { *update = was }(*update)
	*update = true
	dir := t.TempDir()
	same, changed := filepath.Join(dir, "same.json"), filepath.Join(dir, "changed.json")
	old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	for path, data := range map[string]string{same: "{}\n", changed: "{\"a\": 1}\n"} {
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, old, old); err != nil {
			t.Fatal(err)
		}
	}
	Bytes(t, same, []byte("{}\n"))
	Bytes(t, changed, []byte("{}\n"))
	if fi, err := os.Stat(same); err != nil || !fi.ModTime().Equal(old) {
		t.Errorf("an unchanged golden file was rewritten (%v, %v)", fi.ModTime(), err)
	}
	if got, err := os.ReadFile(changed); err != nil || string(got) != "{}\n" {
		t.Errorf("a changed golden file holds %q (%v), want the new content", got, err)
	}
	Bytes(t, filepath.Join(dir, "new", "file.json"), []byte("{}\n"))
	if _, err := os.Stat(filepath.Join(dir, "new", "file.json")); err != nil {
		t.Errorf("a new golden file was not written: %v", err)
	}
}
