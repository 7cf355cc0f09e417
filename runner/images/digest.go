package images

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// recipeVersion changes when the code that assembles an image changes in
// a way its inputs do not show, so every image is rebuilt once.
const recipeVersion = 3

// inputs are everything that decides an image's content. Fields that do
// not apply stay empty.
type inputs struct {
	Image  string `json:"image"`
	Recipe int    `json:"recipe"`
	// Dockerfile is the Dockerfile text.
	Dockerfile string `json:"dockerfile,omitempty"`
	// Parent is the ID of the image built FROM.
	Parent string `json:"parent,omitempty"`
	// From is Options.BaseFrom.
	From string `json:"from,omitempty"`
	// Command is the command that makes a root filesystem, and Changes
	// the instructions applied when importing it.
	Command []string `json:"command,omitempty"`
	Changes []string `json:"changes,omitempty"`
	// Go identifies the Go toolchain: GOROOT, VERSION and the go
	// command's hash.
	Go string `json:"go,omitempty"`
	// Packages are the Debian packages apt-get installs.
	Packages []string `json:"packages,omitempty"`
	// Modules are the modules in the module cache, path@version.
	Modules []string `json:"modules,omitempty"`
	// Sources are generated files by name.
	Sources map[string]string `json:"sources,omitempty"`
	// Tools is the SHA-256 of the tools binary.
	Tools string `json:"tools,omitempty"`
}

// digest is the hex SHA-256 of the inputs' JSON (struct fields in order,
// map keys sorted), stamped with recipeVersion.
func (in inputs) digest() string {
	in.Recipe = recipeVersion
	b, err := json.Marshal(in)
	if err != nil {
		panic(fmt.Sprintf("encode image inputs: %v", err)) // strings only: cannot fail
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// fileSHA256 returns the hex SHA-256 of a file's content.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
