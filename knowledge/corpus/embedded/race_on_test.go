//go:build race

package embedded

// raceDetector is set under -race, where building the index of the
// built-in laws takes minutes instead of seconds.
const raceDetector = true
