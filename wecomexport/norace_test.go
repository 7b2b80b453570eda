//go:build !race

package wecomexport_test

// raceEnabled is true under the race detector, which multiplies time and memory.
const raceEnabled = false
