package http

import (
	"crypto/sha256"
	"net/http"
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
// sign-in matches it.
func throttleKey(username string) budgetKey {
	sum := sha256.Sum256([]byte(octoinvite.FoldUsername(username)))
	return budgetKey(sum[:16])
}

// takeUsername takes a token of the username's budget for the attempt (see budgets.take). A
// username without budget gets ETOOMANYREQUESTS and a Retry-After header.
func (a *attempt) takeUsername(w http.ResponseWriter, r *http.Request, username string) error {
	b, err := a.s.usernames.take(r.Context(), throttleKey(username), a.s.now, signInRule)
	if err != nil {
		return refuse(w, err, "Too many failed sign-ins for this username. Try again in %d seconds, or use an API key.",
			"Too many usernames are failing to sign in at once. Try again in %d seconds, or use an API key.")
	}
	a.username = b
	return nil
}
