package main

import (
	"math"
	"runtime/debug"
	"testing"
)

// TestTuneRuntime checks the server's GC defaults, and that GOGC and GOMEMLIMIT in the
// environment win over them.
func TestTuneRuntime(t *testing.T) {
	percent, limit := debug.SetGCPercent(100), debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() { debug.SetGCPercent(percent); debug.SetMemoryLimit(limit) })

	tests := []struct {
		name        string
		env         map[string]string
		wantPercent int
		wantLimit   int64
	}{
		{"OK_Defaults", nil, defaultGCPercent, defaultMemoryLimit},
		{"OK_OperatorGOGC", map[string]string{"GOGC": "50"}, 100, defaultMemoryLimit},
		{"OK_OperatorGOMEMLIMIT", map[string]string{"GOMEMLIMIT": "1GiB"}, defaultGCPercent, math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			debug.SetGCPercent(100)
			debug.SetMemoryLimit(math.MaxInt64)
			tuneRuntime(func(k string) string { return tt.env[k] })
			if got := debug.SetGCPercent(100); got != tt.wantPercent {
				t.Errorf("got GOGC %d, want %d", got, tt.wantPercent)
			}
			if got := debug.SetMemoryLimit(-1); got != tt.wantLimit {
				t.Errorf("got memory limit %d, want %d", got, tt.wantLimit)
			}
		})
	}
}
