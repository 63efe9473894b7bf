package sqldb

import (
	"context"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite"
)

// TestStoreRevokedKeyFailsAtOnce checks that a key that authenticated (and may be cached) fails
// on the next check after its revocation returned.
func TestStoreRevokedKeyFailsAtOnce(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		key, err := db.CreateAPIKey(ctx, "Users-1", "to revoke")
		mustDo(t, err)
		for range 2 {
			user, err := db.Authenticate(ctx, key.APIKey)
			if err != nil || user.ID != "Users-1" || !user.IsAdministrator {
				t.Fatalf("got %+v, %v, want the administrator", user, err)
			}
		}
		mustDo(t, db.RevokeAPIKey(ctx, "Users-1", key.ID))
		if _, err := db.Authenticate(ctx, key.APIKey); octoinvite.ErrorCode(err) != octoinvite.EUNAUTHORIZED {
			t.Errorf("after revocation: got %v, want EUNAUTHORIZED", err)
		}
	})
}

func TestReadCache(t *testing.T) {
	t.Parallel()
	now := testEpoch
	user := &octoinvite.User{ID: "Users-1", Username: "admin"}
	tests := []struct {
		name string
		// between runs between the lookup that missed and the store of its answer, then the
		// clock moves by wait.
		between func(c *readCache[octoinvite.User])
		wait    time.Duration
		hit     bool
	}{
		{name: "Hit", between: func(*readCache[octoinvite.User]) {}, hit: true},
		{name: "StaleAnswerNotStored", between: func(c *readCache[octoinvite.User]) { c.invalidate() }},
		{name: "MissAfterTTL", between: func(*readCache[octoinvite.User]) {}, wait: readCacheTTL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newReadCache(cloneUser)
			got, generation := c.lookup("digest", now)
			if got != nil {
				t.Fatalf("empty cache: got %+v, want a miss", got)
			}
			tt.between(c)
			c.store("digest", user, generation, now)
			got, _ = c.lookup("digest", now.Add(tt.wait))
			if (got != nil) != tt.hit || (got != nil && got.ID != user.ID) {
				t.Errorf("got %+v, want a hit: %v", got, tt.hit)
			}
		})
	}
	t.Run("MissAfterInvalidate", func(t *testing.T) {
		c := newReadCache(cloneUser)
		_, generation := c.lookup("digest", now)
		c.store("digest", user, generation, now)
		c.invalidate()
		if got, _ := c.lookup("digest", now); got != nil {
			t.Errorf("got %+v, want a miss after a committed write", got)
		}
	})
}

// TestStoreSpaceReads checks that a space read again (and perhaps cached) is the stored one: a
// space missing is found once created, and a caller changing its copy changes nothing stored.
func TestStoreSpaceReads(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		if _, err := db.FindSpaceByID(ctx, "Spaces-2"); octoinvite.ErrorCode(err) != octoinvite.ENOTFOUND {
			t.Fatalf("before creation: got %v, want ENOTFOUND", err)
		}
		mustDo(t, db.CreateSpace(ctx, &octoinvite.Space{Name: "Operations", SpaceManagersTeams: []string{"teams-administrators"}}))
		for range 2 {
			space, err := db.FindSpaceByID(ctx, "spaces-2")
			mustDo(t, err)
			if space.ID != "Spaces-2" || space.Name != "Operations" || len(space.SpaceManagersTeams) != 1 || space.SpaceManagersTeams[0] != "teams-administrators" {
				t.Fatalf("got %+v, want Spaces-2 Operations managed by teams-administrators", space)
			}
			space.Name = "changed by the caller"
			space.SpaceManagersTeams[0] = "changed by the caller"
		}
	})
}
