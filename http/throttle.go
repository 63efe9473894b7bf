package http

import (
	"sync"
	"time"

	"github.com/octoinvite/octoinvite"
)

// Sign-in throttling: after MaxFailedSignIns failed sign-ins with one username within
// SignInWindow, further attempts with it are refused with 429 until the oldest failure leaves the
// window. Failures count for any username, existing or not, so the refusal reveals nothing; a
// successful sign-in clears them. API keys keep working throughout.
const (
	MaxFailedSignIns = 10
	SignInWindow     = 15 * time.Minute
)

// maxThrottled bounds the usernames remembered, so that a flood of made-up names cannot grow
// the table without limit; past it, the table starts afresh.
const maxThrottled = 100_000

// signInThrottle counts recent failed sign-ins per username, in this process.
type signInThrottle struct {
	mu       sync.Mutex
	failures map[string][]time.Time
}

func throttleKey(username string) string { return octoinvite.FoldUsername(username) }

// wait returns how long sign-ins with the username must wait, 0 if they may proceed.
func (t *signInThrottle) wait(username string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	key := throttleKey(username)
	recent := t.prune(key, now)
	if len(recent) < MaxFailedSignIns {
		return 0
	}
	return recent[0].Add(SignInWindow).Sub(now)
}

// fail records a failed sign-in.
func (t *signInThrottle) fail(username string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.failures == nil || len(t.failures) >= maxThrottled {
		t.failures = map[string][]time.Time{}
	}
	key := throttleKey(username)
	t.failures[key] = append(t.prune(key, now), now)
}

// succeed forgets the failures of the username.
func (t *signInThrottle) succeed(username string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.failures, throttleKey(username))
}

// prune drops the failures that have left the window and returns the rest, oldest first.
func (t *signInThrottle) prune(key string, now time.Time) []time.Time {
	recent := t.failures[key]
	i := 0
	for i < len(recent) && !recent[i].Add(SignInWindow).After(now) {
		i++
	}
	recent = recent[i:]
	if len(recent) == 0 {
		delete(t.failures, key)
		return nil
	}
	t.failures[key] = recent
	return recent
}
