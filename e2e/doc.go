// Package e2e holds the end-to-end tests of the grading engine: every seed
// challenge's samples, a set of hostile submissions and a small challenge
// whose tests set the upstream's faults, graded with real containers on
// the Docker Engine. Run them with `make integration` (build tag
// integration); they need the images of `make images`.
package e2e
