package http

import (
	"context"
	"errors"
	"net/netip"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite"
)

var epoch = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

// at returns a clock stopped at t.
func at(t time.Time) func() time.Time { return func() time.Time { return t } }

// ipv4 returns the i-th address of 10.0.0.0/8.
func ipv4(i int) budgetKey {
	return netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}).As16()
}

// failN makes n failed attempts with key at now.
func failN(t *testing.T, bs *budgets, key budgetKey, n int, now time.Time, r rule) {
	t.Helper()
	for i := range n {
		b, err := bs.take(context.Background(), key, at(now), r)
		if err != nil {
			t.Fatalf("attempt %d of %d: %v", i+1, n, err)
		}
		bs.end(b, true, now, r)
	}
}

// refusal returns the wait of take's refusal of key at now, and whether it was for a crowded
// table; it fails the test if take allows an attempt.
func refusal(t *testing.T, bs *budgets, key budgetKey, now time.Time, r rule) (time.Duration, bool) {
	t.Helper()
	b, err := bs.take(context.Background(), key, at(now), r)
	if err == nil {
		bs.end(b, false, now, r)
		t.Fatalf("got an attempt allowed, want it refused")
	}
	var refused *budgetRefusal
	if !errors.As(err, &refused) {
		t.Fatalf("got %v, want a refusal", err)
	}
	return refused.wait, refused.crowded
}

// TestBudgetsRefill: limit failures at once exhaust the budget; one attempt comes back every
// window/limit; the budget never exceeds limit; a success gives its token back.
func TestBudgetsRefill(t *testing.T) {
	var bs budgets
	r := rule{4, 40 * time.Second}
	addr := ipv4(1)
	failN(t, &bs, addr, r.limit, epoch, r)
	for _, tc := range []struct{ after, want time.Duration }{{0, 10 * time.Second}, {4 * time.Second, 6 * time.Second}} {
		if got, _ := refusal(t, &bs, addr, epoch.Add(tc.after), r); got != tc.want {
			t.Errorf("after %s: got wait %s, want %s", tc.after, got, tc.want)
		}
	}
	failN(t, &bs, addr, 1, epoch.Add(10*time.Second), r)
	// A day later the budget is full again, not a day's worth.
	day := epoch.Add(24 * time.Hour)
	failN(t, &bs, addr, r.limit, day, r)
	if got, _ := refusal(t, &bs, addr, day, r); got != 10*time.Second {
		t.Errorf("after a day and %d failures: got wait %s, want 10s", r.limit, got)
	}
	// Successes cost nothing, and a budget full again is forgotten.
	later := day.Add(time.Hour)
	for range 10 * r.limit {
		b, err := bs.take(context.Background(), addr, at(later), r)
		if err != nil {
			t.Fatalf("a success after the budget refilled: %v", err)
		}
		bs.end(b, false, later, r)
	}
	if n := bs.len(); n != 0 {
		t.Errorf("got %d keys remembered with every budget full, want 0", n)
	}
}

// TestBudgetsInFlight: attempts in flight hold their tokens, so that concurrent failures get
// no more than the budget; one that finds the budget taken by attempts in flight waits for
// them, and is refused if they fail, allowed if one succeeds.
func TestBudgetsInFlight(t *testing.T) {
	var bs budgets
	r := rule{2, time.Minute}
	addr := ipv4(1)
	ctx := context.Background()
	first, err1 := bs.take(ctx, addr, at(epoch), r)
	second, err2 := bs.take(ctx, addr, at(epoch), r)
	if err1 != nil || err2 != nil {
		t.Fatalf("got %v, %v, want two attempts allowed", err1, err2)
	}
	waited := make(chan error)
	go func() {
		b, err := bs.take(ctx, addr, at(epoch), r)
		if err == nil {
			bs.end(b, true, epoch, r)
		}
		waited <- err
	}()
	select {
	case err := <-waited:
		t.Fatalf("the third attempt ended (%v) while two were in flight, want it to wait", err)
	case <-time.After(50 * time.Millisecond):
	}
	bs.end(first, true, epoch, r)
	bs.end(second, false, epoch, r)
	if err := <-waited; err != nil {
		t.Fatalf("the third attempt, after one success: got %v, want it allowed", err)
	}
	// Both tokens spent now, none in flight: refused at once.
	if got, _ := refusal(t, &bs, addr, epoch, r); got != 30*time.Second {
		t.Errorf("got wait %s, want 30s", got)
	}
	// A waiting attempt whose request is abandoned gives up.
	later := epoch.Add(time.Minute)
	held, err := bs.take(ctx, addr, at(later), r)
	if err != nil {
		t.Fatal(err)
	}
	failN(t, &bs, addr, 1, later, r)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := bs.take(cancelled, addr, at(later), r); !errors.As(err, new(*budgetRefusal)) {
		t.Errorf("an abandoned waiting attempt: got %v, want a refusal", err)
	}
	bs.end(held, false, later, r)
}

// TestBudgetsFlood floods a table with 200,000 addresses while one address is locked out: the
// locked address stays locked until its time, the table never holds more than its cap, and its
// memory stays within 150 bytes a key. Once the table is full of locked addresses, new
// addresses are refused until one of them earns a token back.
func TestBudgetsFlood(t *testing.T) {
	var bs budgets
	r := rule{DefaultAuthFailureLimit, DefaultAuthFailureWindow}
	locked := netip.MustParseAddr("198.51.100.1").As16()
	failN(t, &bs, locked, r.limit, epoch, r)
	heapBefore := liveHeap()

	// Each flooding address fails once: a flood that lasts 20 seconds, all within the window.
	const flood = 200_000
	for i := range flood {
		now := epoch.Add(time.Duration(i) * 100 * time.Microsecond)
		b, err := bs.take(context.Background(), ipv4(i), at(now), r)
		if err != nil {
			t.Fatalf("flooding address %d: %v", i, err)
		}
		bs.end(b, true, now, r)
	}
	afterFlood := epoch.Add(flood * 100 * time.Microsecond)
	if n := bs.len(); n != maxBudgets {
		t.Errorf("got %d keys remembered, want the cap, %d", n, maxBudgets)
	}
	perKey := float64(liveHeap()-heapBefore) / maxBudgets
	t.Logf("%.0f bytes of heap per key remembered", perKey)
	if perKey > 150 {
		t.Errorf("got %.0f bytes of heap per key remembered, want at most 150", perKey)
	}
	// 20 s after its 30 failures, 1 token of 30 is earned back (one every 20 s): it is not
	// forgotten, so it has exactly that one.
	failN(t, &bs, locked, 1, afterFlood, r)
	if wait, _ := refusal(t, &bs, locked, afterFlood, r); wait != 20*time.Second {
		t.Errorf("the locked address after the flood: got wait %s, want 20s", wait)
	}

	// A flood of addresses that each spend their whole budget: once every key remembered is
	// locked, a new one is refused rather than a locked one forgotten.
	var bs2 budgets
	bs2.max = 1000
	failN(t, &bs2, locked, r.limit, epoch, r)
	for i := range bs2.max - 1 {
		failN(t, &bs2, ipv4(i), r.limit, epoch, r)
	}
	wait, crowded := refusal(t, &bs2, ipv4(bs2.max), epoch, r)
	if !crowded || wait != 20*time.Second {
		t.Errorf("a new address with the table full of locked ones: got wait %s, crowded %v, want 20s, true", wait, crowded)
	}
	if n := bs2.len(); n != bs2.max {
		t.Errorf("got %d keys remembered, want %d", n, bs2.max)
	}
	if wait, _ := refusal(t, &bs2, locked, epoch, r); wait != 20*time.Second {
		t.Errorf("the locked address: got wait %s, want 20s", wait)
	}
	// 20 s later every address has a token again: the new address displaces one of them.
	failN(t, &bs2, ipv4(bs2.max), 1, epoch.Add(20*time.Second), r)
}

// liveHeap returns the bytes of the heap in use after a collection.
func liveHeap() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// TestThrottleKey: usernames that sign-in matches to one user share a budget; one that no user
// can hold is read no further than the longest username a user can hold, and never shares a
// budget with a username a user can hold.
func TestThrottleKey(t *testing.T) {
	long := strings.Repeat("a", 1<<20)
	bound := octoinvite.MaxUsernameBytes
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"jane", " ＪＡＮＥ ", true},
		{"jane", "john", false},
		{long + "x", long + "y", true},
		{long[:bound] + "x", long[:bound] + "y", true},
		{"b" + long, "c" + long, false},
		{long[:bound-1] + "b" + long, long[:bound-1] + "c" + long, false},
		{long[:bound], long[:bound+1], false},
		{"jane", "jane\x00", false},
		{"jane\x1b", "jane\x00", false},
	} {
		if got := throttleKey(tc.a) == throttleKey(tc.b); got != tc.same {
			t.Errorf("throttleKey(%.20q…%d bytes) == throttleKey(%.20q…%d bytes): got %v, want %v", tc.a, len(tc.a), tc.b, len(tc.b), got, tc.same)
		}
	}
}
