package http

import (
	"fmt"
	"testing"
	"time"
)

// TestFailureLimiterMemoryIsBounded floods the limiter with distinct addresses: it never holds
// more than maxLimitedAddresses, and forgets addresses whose budget has refilled first.
func TestFailureLimiterMemoryIsBounded(t *testing.T) {
	var l failureLimiter
	start := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	const limit, window = 3, 30 * time.Second
	for i := 0; i <= maxLimitedAddresses; i++ {
		l.fail(fmt.Sprintf("203.0.%d.%d", i/256, i%256), start, limit, window)
	}
	if n := len(l.buckets); n > maxLimitedAddresses {
		t.Fatalf("got %d addresses remembered, want at most %d", n, maxLimitedAddresses)
	}
	// An address that is still limited is kept when the others have refilled.
	for i := 0; i < limit; i++ {
		l.fail("198.51.100.1", start.Add(time.Second), limit, window)
	}
	for i := len(l.buckets); i < maxLimitedAddresses; i++ {
		l.fail(fmt.Sprintf("192.0.%d.%d", i/256, i%256), start.Add(time.Second), limit, window)
	}
	later := start.Add(window)
	l.fail("2001:db8::1", later, limit, window)
	// Left: the new address, and the one whose budget, 29 seconds after its 3 failures, is
	// not full yet (2.9 of 3).
	if _, kept := l.buckets["198.51.100.1"]; len(l.buckets) != 2 || !kept {
		t.Errorf("got %d addresses after eviction (198.51.100.1 kept: %v), want 2", len(l.buckets), kept)
	}
}

// TestFailureLimiterBudget: limit failures at once exhaust the budget; one attempt comes back
// every window/limit; the budget never exceeds limit.
func TestFailureLimiterBudget(t *testing.T) {
	var l failureLimiter
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	const limit, window = 4, 40 * time.Second
	const addr = "192.0.2.1"
	for i := 0; i < limit; i++ {
		if wait := l.wait(addr, now, limit, window); wait != 0 {
			t.Fatalf("failure %d: got wait %s, want 0", i+1, wait)
		}
		l.fail(addr, now, limit, window)
	}
	for _, tc := range []struct {
		after time.Duration
		want  time.Duration
	}{{0, 10 * time.Second}, {4 * time.Second, 6 * time.Second}, {10 * time.Second, 0}} {
		if got := l.wait(addr, now.Add(tc.after), limit, window); got != tc.want {
			t.Errorf("after %s: got wait %s, want %s", tc.after, got, tc.want)
		}
	}
	// A day later the budget is full again, not a day's worth.
	day := now.Add(24 * time.Hour)
	for i := 0; i < limit; i++ {
		l.fail(addr, day, limit, window)
	}
	if got := l.wait(addr, day, limit, window); got != 10*time.Second {
		t.Errorf("after a day and %d failures: got wait %s, want 10s", limit, got)
	}
}
