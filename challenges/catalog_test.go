package challenges

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLoadAll(t *testing.T) {
	all, err := LoadAll("testdata/catalog")
	if err != nil {
		t.Fatalf("LoadAll:%s", problemList(Problems(err)))
	}
	var ids []string
	for _, c := range all {
		ids = append(ids, c.ID)
		if !filepath.IsAbs(c.Dir) || filepath.Base(c.Dir) != c.ID {
			t.Errorf("%s: Dir = %q", c.ID, c.Dir)
		}
	}
	if diff := cmp.Diff([]string{"alpha", "beta"}, ids); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
}

func TestLoadAllReportsEveryChallenge(t *testing.T) {
	all, err := LoadAll("testdata/broken")
	if len(all) != 1 || all[0].ID != "good" {
		t.Errorf("loaded %d challenges, want only good", len(all))
	}
	var got []string
	for _, p := range Problems(err) {
		got = append(got, p.File+" "+p.Field)
	}
	want := []string{
		"testdata/broken/bad-memory/challenge.yaml limits.memory",
		"testdata/broken/wrong-id/challenge.yaml id",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func TestLoadAllMissingRoot(t *testing.T) {
	if _, err := LoadAll("testdata/nope"); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LoadAll(missing) = %v, want a not-exist error", err)
	}
}

func TestFind(t *testing.T) {
	abs, err := filepath.Abs("testdata/catalog/beta")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		root   string
		ref    string
		wantID string
		errHas string // when the lookup fails
	}{
		{"id", "testdata/catalog", "alpha", "alpha", ""},
		{"relative path", "testdata/nope", "testdata/catalog/beta", "beta", ""},
		{"path with a trailing slash", "", "testdata/catalog/alpha/", "alpha", ""},
		{"absolute path", "", abs, "beta", ""},
		{"unknown id lists the known ones", "testdata/catalog", "gamma", "", `unknown challenge "gamma"; known: alpha, beta`},
		{"a folder that is not a challenge", "testdata/catalog", "testdata/catalog/notes", "", "has no challenge.yaml"},
		{"a catalog folder without challenge.yaml", "testdata/catalog", "notes", "", "known: alpha, beta"},
		{"an empty catalog", "testdata/catalog/notes", "alpha", "", "holds no challenges"},
		{"not an id", "testdata/catalog", "..", "", "unknown challenge"},
		{"a broken challenge", "testdata/broken", "wrong-id", "", `does not match the folder name "wrong-id"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Find(tc.root, tc.ref)
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("Find(%q, %q) = %v, want an error mentioning %q", tc.root, tc.ref, err, tc.errHas)
				}
				return
			}
			if err != nil {
				t.Fatalf("Find(%q, %q): %v", tc.root, tc.ref, err)
			}
			if c.ID != tc.wantID {
				t.Errorf("Find(%q, %q) = %s, want %s", tc.root, tc.ref, c.ID, tc.wantID)
			}
		})
	}
}

func TestFindUnknownIsErrNotFound(t *testing.T) {
	for _, ref := range []string{"gamma", "testdata/catalog/notes"} {
		if _, err := Find("testdata/catalog", ref); !errors.Is(err, ErrNotFound) {
			t.Errorf("Find(%q) = %v, want ErrNotFound", ref, err)
		}
	}
	// A challenge that exists but is broken is not "not found".
	if _, err := Find("testdata/broken", "bad-memory"); err == nil || errors.Is(err, ErrNotFound) {
		t.Errorf("Find(broken) = %v, want its problems", err)
	}
}

func TestFindPrefersAFolderInTheWorkingDirectory(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Join(wd, "testdata", "catalog"))
	// "beta" names a folder here and an id of the other catalog.
	c, err := Find(filepath.Join(wd, "testdata", "broken"), "beta")
	if err != nil {
		t.Fatal(err)
	}
	if c.Dir != filepath.Join(wd, "testdata", "catalog", "beta") {
		t.Errorf("Find loaded %s", c.Dir)
	}
	c, err = Find(filepath.Join(wd, "testdata", "catalog"), ".")
	if err == nil || c != nil {
		t.Errorf(`Find(".") in a catalog (not a challenge) = %v, %v`, c, err)
	}
}
