//go:build !race

package proctree

const raceEnabled = false
