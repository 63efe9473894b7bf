package http

import (
	"context"
	"crypto/sha256"
	"net/http"
	"sync"
	"time"

	"github.com/octoinvite/octoinvite"
)

// Sign-in throttling: each username has a budget of MaxFailedSignIns failed sign-ins, earned
// back evenly over SignInWindow (one every 90 seconds), on top of the client address's budget.
// A sign-in takes a token of both before its password is checked and gives them back unless it
// fails, so sign-ins in flight count as failures would. A username without budget gets 429 from
// every address. Budgets exist for any username, existing or not, so the refusal reveals
// nothing. API keys keep working throughout.
const (
	MaxFailedSignIns = 10
	SignInWindow     = 15 * time.Minute
)

var signInRule = rule{MaxFailedSignIns, SignInWindow}

// throttleKey returns the key of a username's budget: a digest of the username folded as
// sign-in matches it (octoinvite.SignInKey). A username no user can hold is not folded, so that
// any input costs the same little work: its key is a digest of its first MaxUsernameBytes bytes,
// marked apart from the folded forms' so that it never shares a budget with a real username.
// Usernames that differ only past that bound share a budget, as they fail alike.
func throttleKey(username string) budgetKey {
	var marked []byte
	if folded, ok := octoinvite.SignInKey(username); ok {
		marked = append([]byte{'U'}, folded...)
	} else {
		marked = append([]byte{0}, username[:min(len(username), octoinvite.MaxUsernameBytes)]...)
	}
	sum := sha256.Sum256(marked)
	return budgetKey(sum[:16])
}

// startSignIn makes the attempt a sign-in: it takes a token of the username's budget (see
// budgets.take), then waits for the address's turn to check a password (see passwordChecks). A
// username without budget gets ETOOMANYREQUESTS and a Retry-After header.
func (a *attempt) startSignIn(w http.ResponseWriter, r *http.Request, username string) error {
	b, err := a.s.usernames.take(r.Context(), throttleKey(username), a.s.now, signInRule)
	if err != nil {
		return refuse(w, err, "Too many failed sign-ins for this username. Try again in %d seconds, or use an API key.",
			"Too many usernames are failing to sign in at once. Try again in %d seconds, or use an API key.")
	}
	done, err := a.s.passwordChecks.wait(r.Context(), a.address.key)
	if err != nil {
		a.s.usernames.end(b, false, a.s.now(), signInRule)
		return refuse(w, err, "Too many failed attempts to sign in or register from your address. Try again in %d seconds.", "")
	}
	a.username, a.passTurn = b, done
	return nil
}

// passwordChecks lets each client address check one password at a time: a burst of sign-ins
// from one address then holds at most one of the password hasher's slots (one per CPU), and a
// sign-in from another address does not queue behind the whole burst. Sign-ins from one address
// take their turns in order of arrival.
type passwordChecks struct {
	mu    sync.Mutex
	turns map[budgetKey]*turn
}

// turn is the queue of one address's password checks: the check holding turn.held runs, the
// others wait to send on it.
type turn struct {
	held    chan struct{}
	waiting int
}

// wait waits for the address's turn to check a password (or until ctx is done), and returns the
// function that passes the turn on.
func (p *passwordChecks) wait(ctx context.Context, key budgetKey) (done func(), err error) {
	p.mu.Lock()
	if p.turns == nil {
		p.turns = map[budgetKey]*turn{}
	}
	t, ok := p.turns[key]
	if !ok {
		t = &turn{held: make(chan struct{}, 1)}
		p.turns[key] = t
	}
	t.waiting++
	p.mu.Unlock()
	leave := func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if t.waiting--; t.waiting == 0 {
			delete(p.turns, key)
		}
	}
	select {
	case t.held <- struct{}{}:
		return func() { <-t.held; leave() }, nil
	case <-ctx.Done():
		leave()
		return nil, &budgetRefusal{wait: time.Second}
	}
}
