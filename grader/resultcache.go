package grader

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"slices"
	"time"
)

// CachedFrom marks a result served from the result cache: the submission
// whose grading produced it, with identical files, challenge version,
// language and images, and when that grading finished.
type CachedFrom struct {
	SubmissionID string    `json:"submission_id"`
	GradedAt     time.Time `json:"graded_at"`
}

// resultCacheFormat changes when what a cache key covers changes, so
// that no key of the old kind is ever matched again.
const resultCacheFormat = "result-cache/1"

// ResultCacheKey is the content address of a grading: the hex SHA-256 of
// the challenge's id and version, the submission's language, every
// file's name, mode, ownership flag and content, and the id of every
// image the grading uses (imageIDs maps Engine.Images' references to
// the ids the Docker Engine gives them). Two submissions with the same
// key get the same result from the engine, timing aside; anything else
// that could change a result must be one of these inputs.
func ResultCacheKey(ch *Challenge, sub Submission, imageIDs map[string]string) string {
	h := sha256.New()
	lang := sub.Language
	if lang == "" {
		lang = LanguageGo
	}
	writeField(h, resultCacheFormat)
	writeField(h, ch.ID)
	writeField(h, ch.Version)
	writeField(h, string(lang))
	writeFiles(h, sub.Files)
	refs := make([]string, 0, len(imageIDs))
	for ref := range imageIDs {
		refs = append(refs, ref)
	}
	slices.Sort(refs)
	writeNumber(h, uint64(len(refs)))
	for _, ref := range refs {
		writeField(h, ref)
		writeField(h, imageIDs[ref])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// submissionDigestFormat changes when what SubmissionDigest covers
// changes.
const submissionDigestFormat = "submission/1"

// SubmissionDigest identifies a submission's files: "sha256:" and the hex
// SHA-256 of every file's name, mode, ownership flag and content, in
// name order. A signed result's provenance carries it, so whoever holds
// the files can check they are the ones graded.
func SubmissionDigest(sub Submission) string {
	h := sha256.New()
	writeField(h, submissionDigestFormat)
	writeFiles(h, sub.Files)
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// writeFiles writes files in name order, each field length-prefixed.
func writeFiles(h hash.Hash, files []File) {
	files = slices.Clone(files)
	slices.SortFunc(files, func(a, b File) int {
		switch {
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
	writeNumber(h, uint64(len(files)))
	for _, f := range files {
		writeField(h, f.Name)
		writeNumber(h, uint64(f.Mode))
		if f.Writable {
			writeNumber(h, 1)
		} else {
			writeNumber(h, 0)
		}
		writeField(h, string(f.Data))
	}
}

// writeField writes s with its length first, so that no two different
// sequences of fields write the same bytes.
func writeField(h hash.Hash, s string) {
	writeNumber(h, uint64(len(s)))
	h.Write([]byte(s))
}

func writeNumber(h hash.Hash, n uint64) {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	h.Write(b[:])
}

// Images returns the references of every image a grading of ch in lang
// may start: the language's image, the tools image and the images of
// the challenge's fixtures. A result cache keys on their ids, so a
// rebuilt image never serves a result graded with the old one.
func (e *Engine) Images(ch *Challenge, lang Language) []string {
	if lang == "" {
		lang = LanguageGo
	}
	var out []string
	if offer, ok := ch.Offering(lang); ok {
		out = append(out, offer.Image)
	}
	out = append(out, e.cfg.ToolsImage)
	for _, f := range ch.Fixtures {
		switch f.Kind {
		case FixtureRedis:
			out = append(out, e.cfg.RedisImage)
		case FixturePostgres:
			out = append(out, e.cfg.PostgresImage)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
