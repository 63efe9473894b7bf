package sqldb

import (
	"sync"
	"time"

	"github.com/octoinvite/octoinvite"
)

// Bounds of the cache of verified API keys.
const (
	authCacheTTL     = 10 * time.Second
	authCacheEntries = 10_000
)

// authCache remembers, by key digest, the users that verified API keys belong to, so that a
// request's key check need not query the database. Every committed write of the process clears
// it before that write is acknowledged, so a revoked key, a deactivated user or a changed
// membership is seen by the next request at once. Only a store that is the sole writer of its
// database may use it: SQLite, whose file one server owns. (PostgreSQL is shared by several
// servers, whose writes this process would not see, so it checks every key in the database.)
type authCache struct {
	mu         sync.Mutex
	generation uint64
	entries    map[string]authEntry
}

type authEntry struct {
	user       octoinvite.User
	generation uint64
	expires    time.Time
}

func newAuthCache() *authCache { return &authCache{entries: map[string]authEntry{}} }

// lookup returns the user of the key digest, if cached and still valid at now, and the current
// generation, which a later store must pass back.
func (c *authCache) lookup(digest string, now time.Time) (*octoinvite.User, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[digest]
	if !ok || e.generation != c.generation || !now.Before(e.expires) {
		return nil, c.generation
	}
	u := e.user
	return &u, c.generation
}

// store remembers the user of the key digest, verified in the database after lookup returned
// generation; it does nothing if a write committed since, as the answer may be stale.
func (c *authCache) store(digest string, user *octoinvite.User, generation uint64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if generation != c.generation {
		return
	}
	if len(c.entries) >= authCacheEntries {
		clear(c.entries)
	}
	c.entries[digest] = authEntry{user: *user, generation: generation, expires: now.Add(authCacheTTL)}
}

// invalidate forgets every entry: a write committed.
func (c *authCache) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.generation++
	clear(c.entries)
}
