// Package e2e holds the end-to-end tests of the grading engine: every seed
// challenge's samples and a set of hostile submissions, graded with real
// containers on the Docker Engine. Run them with `make integration`
// (build tag integration); they need the images of `make images`.
package e2e
