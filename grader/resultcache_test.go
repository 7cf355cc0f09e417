package grader

import (
	"slices"
	"testing"
)

func TestResultCacheKeyFieldBoundaries(t *testing.T) {
	ch := &Challenge{ID: "c", Version: "v"}
	ids := map[string]string{"img": "sha256:1"}
	a := ResultCacheKey(ch, Submission{Files: []File{{Name: "ab", Data: []byte("c")}}}, ids)
	b := ResultCacheKey(ch, Submission{Files: []File{{Name: "a", Data: []byte("bc")}}}, ids)
	if a == b {
		t.Error("a name and content split differently give the same key")
	}
	if ResultCacheKey(ch, Submission{Files: []File{{Name: "a", Data: []byte("x")}}}, ids) ==
		ResultCacheKey(ch, Submission{Files: []File{{Name: "a", Data: []byte("x"), Writable: true}}}, ids) {
		t.Error("a file's ownership is not in the key")
	}
	if ResultCacheKey(ch, Submission{}, ids) != ResultCacheKey(ch, Submission{Language: LanguageGo}, ids) {
		t.Error("an empty language and go give different keys")
	}
	if ResultCacheKey(ch, Submission{}, ids) == ResultCacheKey(ch, Submission{}, map[string]string{"img": "sha256:1", "other": "sha256:2"}) {
		t.Error("an image more gives the same key")
	}
	if ResultCacheKey(ch, Submission{}, ids) == ResultCacheKey(&Challenge{ID: "d", Version: "v"}, Submission{}, ids) {
		t.Error("another challenge gives the same key")
	}
}

func TestEngineImages(t *testing.T) {
	e := NewEngine(EngineConfig{})
	ch := &Challenge{ID: "c", Image: ImageGo,
		Languages: []Offering{{Language: LanguageGo, Image: ImageGo}, {Language: LanguagePython, Image: ImagePython}},
		Fixtures:  []Fixture{{Name: "db", Kind: FixturePostgres}, {Name: "cache", Kind: FixtureRedis}, {Name: "up", Kind: FixtureUpstream}}}
	got := e.Images(ch, LanguagePython)
	want := []string{DefaultPostgresImage, ImagePython, DefaultRedisImage, DefaultToolsImage}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("Images = %v, want %v", got, want)
	}
	if got := e.Images(&Challenge{ID: "c", Image: ImageGo}, ""); !slices.Equal(got, []string{ImageGo, DefaultToolsImage}) {
		t.Errorf("Images of a Go-only challenge = %v", got)
	}
}
