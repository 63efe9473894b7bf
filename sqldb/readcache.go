package sqldb

import (
	"slices"
	"sync"
	"time"

	"github.com/octoinvite/octoinvite"
)

// Bounds of the caches of reads.
const (
	readCacheTTL     = 10 * time.Second
	readCacheEntries = 10_000
)

// readCache remembers the answers of a hot read by key: the users that verified API keys belong
// to (by key digest), so that a request's key check need not query the database, and spaces by
// ID, which every space-scoped route loads. Every committed write of the process clears it
// before that write is acknowledged, so a revoked key, a deactivated user or a changed
// membership is seen by the next request at once. Only a store that is the sole writer of its
// database may use it: SQLite, whose file one server owns. (PostgreSQL is shared by several
// servers, whose writes this process would not see, so it reads the database every time.)
type readCache[T any] struct {
	// clone copies a value deeply enough that a caller changing its copy leaves the cache's
	// intact.
	clone      func(T) T
	mu         sync.Mutex
	generation uint64
	entries    map[string]cacheEntry[T]
}

type cacheEntry[T any] struct {
	value      T
	generation uint64
	expires    time.Time
}

func newReadCache[T any](clone func(T) T) *readCache[T] {
	return &readCache[T]{clone: clone, entries: map[string]cacheEntry[T]{}}
}

// lookup returns a copy of the value of key, if cached and still valid at now, and the current
// generation, which a later store must pass back.
func (c *readCache[T]) lookup(key string, now time.Time) (*T, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || e.generation != c.generation || !now.Before(e.expires) {
		return nil, c.generation
	}
	v := c.clone(e.value)
	return &v, c.generation
}

// store remembers a copy of the value of key, read from the database after lookup returned
// generation; it does nothing if a write committed since, as the value may be stale.
func (c *readCache[T]) store(key string, value *T, generation uint64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if generation != c.generation {
		return
	}
	if len(c.entries) >= readCacheEntries {
		clear(c.entries)
	}
	c.entries[key] = cacheEntry[T]{value: c.clone(*value), generation: generation, expires: now.Add(readCacheTTL)}
}

// invalidate forgets every entry: a write committed.
func (c *readCache[T]) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.generation++
	clear(c.entries)
}

func cloneUser(u octoinvite.User) octoinvite.User {
	u.Identities = slices.Clone(u.Identities)
	return u
}

func cloneSpace(s octoinvite.Space) octoinvite.Space {
	s.SpaceManagersTeams = slices.Clone(s.SpaceManagersTeams)
	s.SpaceManagersTeamMembers = slices.Clone(s.SpaceManagersTeamMembers)
	return s
}
