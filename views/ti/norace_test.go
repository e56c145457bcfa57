//go:build !race

package ti

// raceEnabled reports that the tests run under the race detector.
const raceEnabled = false
