//go:build !race

package ioc

const raceEnabled = false
