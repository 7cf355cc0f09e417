package grader

import "io/fs"

// modeDir marks a File as a folder.
const modeDir = fs.ModeDir
