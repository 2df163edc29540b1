//go:build !race

package knowledge

const raceDetector = false
