package sqldb

import (
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/octoinvite/octoinvite"
)

// Bounds of the caches of reads.
const (
	readCacheTTL     = 10 * time.Second
	readCacheEntries = 10_000
	// invitationCacheEntries bounds the cache of invitations: an invitation takes about half a
	// kibibyte in it, so a full cache holds about 2 MiB, whatever the number stored.
	invitationCacheEntries = 4096
)

// readCache remembers the answers of a hot read by key: the users that verified API keys belong
// to (by key digest), so that a request's key check need not query the database, spaces by
// ID, which every space-scoped route loads, and invitations by ID. Every committed write of the
// process clears it, or evicts the keys it changed, before that write is acknowledged, so a
// revoked key, a deactivated user, a changed membership or a revoked invitation is seen by the
// next request at once. Only a store that is the sole writer of its
// database may use it: SQLite, whose file one server owns. (PostgreSQL is shared by several
// servers, whose writes this process would not see, so it reads the database every time.)
type readCache[T any] struct {
	// clone copies a value deeply enough that a caller changing its copy leaves the cache's
	// intact.
	clone func(T) T
	// limit bounds the entries; a store into a full cache evicts one.
	limit int
	mu    sync.Mutex
	// generation counts the writes that cleared or evicted entries, so that an answer read from
	// the database before one of them is not stored after it.
	generation uint64
	entries    map[string]cacheEntry[T]
}

type cacheEntry[T any] struct {
	value   T
	expires time.Time
}

func newReadCache[T any](clone func(T) T) *readCache[T] {
	return newBoundedReadCache(clone, readCacheEntries)
}

func newBoundedReadCache[T any](clone func(T) T, limit int) *readCache[T] {
	return &readCache[T]{clone: clone, limit: limit, entries: map[string]cacheEntry[T]{}}
}

// lookup returns a copy of the value of key, if cached and still valid at now, and the current
// generation, which a later store must pass back.
func (c *readCache[T]) lookup(key string, now time.Time) (*T, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || !now.Before(e.expires) {
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
	if _, ok := c.entries[key]; !ok && len(c.entries) >= c.limit {
		// Evict an arbitrary entry: map iteration starts at a random one.
		for k := range c.entries {
			delete(c.entries, k)
			break
		}
	}
	c.entries[key] = cacheEntry[T]{value: c.clone(*value), expires: now.Add(readCacheTTL)}
}

// invalidate forgets every entry: a write committed.
func (c *readCache[T]) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.generation++
	clear(c.entries)
}

// evict forgets the entries of keys: a write that changed them committed.
func (c *readCache[T]) evict(keys []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.generation++
	for _, k := range keys {
		delete(c.entries, k)
	}
}

// cacheChanges collects what the writes of a commit changed of the cached reads.
type cacheChanges struct {
	// reads is set if a write may have changed a key, user, membership or space.
	reads bool
	// allInvitations is set if a write did not declare which invitations it changed;
	// invitations lists those that the others declared.
	allInvitations bool
	invitations    []string
}

// add records the changes of a write that ran in the commit.
func (c *cacheChanges) add(tx *transaction) {
	c.reads = c.reads || !tx.keepsCaches
	if tx.invitationsDeclared {
		c.invitations = append(c.invitations, tx.changedInvitations...)
	} else {
		c.allInvitations = true
	}
}

// any reports whether a cache must be cleared or evicted from.
func (c *cacheChanges) any() bool { return c.reads || c.allInvitations || len(c.invitations) > 0 }

func cloneUser(u octoinvite.User) octoinvite.User {
	u.Identities = slices.Clone(u.Identities)
	return u
}

func cloneSpace(s octoinvite.Space) octoinvite.Space {
	s.SpaceManagersTeams = slices.Clone(s.SpaceManagersTeams)
	s.SpaceManagersTeamMembers = slices.Clone(s.SpaceManagersTeamMembers)
	return s
}

// cloneInvitation copies everything a caller could change in place: the teams, the pointed-to
// values and the links.
func cloneInvitation(inv octoinvite.Invitation) octoinvite.Invitation {
	inv.AddToTeamIDs = slices.Clone(inv.AddToTeamIDs)
	inv.SpaceID = clonePtr(inv.SpaceID)
	inv.RedeemedOn = clonePtr(inv.RedeemedOn)
	inv.RedeemedBy = clonePtr(inv.RedeemedBy)
	inv.RevokedOn = clonePtr(inv.RevokedOn)
	inv.RevokedBy = clonePtr(inv.RevokedBy)
	inv.Links = maps.Clone(inv.Links)
	return inv
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
