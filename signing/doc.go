// Package signing signs result documents and checks their signatures.
//
// A signed result is a grader.Result whose "signature" member holds an
// Ed25519 signature, by the key the member names, over the document's
// canonical form without that member. The canonical form of a JSON
// document is its members with keys sorted (by their UTF-8 bytes), no
// insignificant white space, strings escaped as encoding/json escapes them
// without HTML escaping, and numbers as written (results hold integers
// only). So a document re-indented or with its members reordered still
// checks, and one with any changed value does not.
//
// A document with a member named twice is refused: readers disagree on
// which of the two counts, so a signature could vouch for a value that a
// reader never sees.
//
// Public keys are published as KeySet (GET /v1/keys); each key's id is
// derived from the key itself (KeyID), so a key set fetched from anywhere
// cannot pass one key off under another's id.
package signing
