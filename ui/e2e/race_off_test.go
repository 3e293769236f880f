//go:build !race

package e2e

// raceEnabled: this test binary was built without -race.
const raceEnabled = false
