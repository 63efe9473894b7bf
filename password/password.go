// Package password hashes and checks passwords with Argon2id, through
// github.com/alexedwards/argon2id, and bounds how many hashes run at once so that a burst of
// registrations or sign-ins cannot exhaust the server's memory.
package password

import (
	"fmt"
	"runtime"
	"sync"

	"github.com/alexedwards/argon2id"

	"github.com/octoinvite/octoinvite"
)

var _ octoinvite.PasswordHasher = (*Hasher)(nil)

// Params are the Argon2id parameters of new hashes. Hashes made with other parameters still
// verify: each hash records its own.
type Params = argon2id.Params

// DefaultParams are OWASP's recommended minimum for Argon2id: 19 MiB of memory, two passes,
// one lane, a 16-byte salt and a 32-byte key. A hash takes a few tens of milliseconds.
var DefaultParams = Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// Hasher hashes and compares passwords. The zero value is not usable; call New.
type Hasher struct {
	params Params
	slots  chan struct{}

	dummyOnce sync.Once
	dummy     string
}

// New returns a Hasher that makes new hashes with params and runs at most as many hashes at
// once as there are CPUs, queueing the others: a hash keeps one CPU busy, so more at once would
// only hold more memory.
func New(params Params) *Hasher {
	return &Hasher{params: params, slots: make(chan struct{}, runtime.GOMAXPROCS(0))}
}

// Hash returns the PHC-encoded Argon2id hash of password with a fresh random salt.
func (h *Hasher) Hash(password string) (string, error) {
	h.slots <- struct{}{}
	defer func() { <-h.slots }()
	hash, err := argon2id.CreateHash(password, &h.params)
	if err != nil {
		return "", fmt.Errorf("password: hashing: %w", err)
	}
	return hash, nil
}

// Compare reports whether password matches hash, comparing the derived keys in constant time.
// An empty hash (a user without a password) compares against a dummy hash, so that the answer
// takes as long as for a real one, and is false. A malformed hash is an error.
func (h *Hasher) Compare(password, hash string) (bool, error) {
	h.slots <- struct{}{}
	defer func() { <-h.slots }()
	if hash == "" {
		// A dummy hash with the current parameters spends the time of a real comparison.
		h.dummyOnce.Do(func() { h.dummy, _ = argon2id.CreateHash("a password nobody holds", &h.params) })
		_, _ = argon2id.ComparePasswordAndHash(password, h.dummy)
		return false, nil
	}
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	if err != nil {
		return false, fmt.Errorf("password: comparing: %w", err)
	}
	return ok, nil
}
