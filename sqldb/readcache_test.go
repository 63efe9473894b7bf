package sqldb

import (
	"context"
	"errors"
	"fmt"
	"reflect"
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

// TestStoreInvitationReads checks that an invitation read again (and perhaps cached) is the
// stored one after each change, that its state follows the clock, and that a caller changing its
// copy changes nothing stored.
func TestStoreInvitationReads(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		cheapPasswords(db)
		now := testEpoch
		db.Now = func() time.Time { return now }
		created := newInvitation(t, db, ptr("Spaces-1"), "teams-everyone")
		other := newInvitation(t, db, nil)
		// readTwice reads the invitation twice, changing the first copy, and returns the second.
		readTwice := func(t *testing.T, id string) *octoinvite.Invitation {
			t.Helper()
			first, err := db.FindInvitationByID(ctx, id)
			mustDo(t, err)
			first.AddToTeamIDs = append(first.AddToTeamIDs[:0], "changed by the caller")
			if first.SpaceID != nil {
				*first.SpaceID = "changed by the caller"
			}
			first.Links = octoinvite.Links{"Self": "changed by the caller"}
			second, err := db.FindInvitationByID(ctx, id)
			mustDo(t, err)
			return second
		}
		want := readTwice(t, created.ID)
		if want.ID != created.ID || *want.SpaceID != "Spaces-1" || !reflect.DeepEqual(want.AddToTeamIDs, []string{"teams-everyone"}) ||
			want.InvitationCode != created.InvitationCode || want.State != octoinvite.StatePending || want.Links != nil {
			t.Fatalf("got %+v, want %+v", want, created)
		}
		readTwice(t, other.ID)

		steps := []struct {
			name string
			// change changes the invitation and returns it as it must now read.
			change func(t *testing.T) *octoinvite.Invitation
		}{
			{"Regenerated", func(t *testing.T) *octoinvite.Invitation {
				inv, err := db.RegenerateInvitation(ctx, created.ID, "alice", time.Time{})
				mustDo(t, err)
				return inv
			}},
			{"Registered", func(t *testing.T) *octoinvite.Invitation {
				inv := readTwice(t, created.ID)
				user, err := db.Register(ctx, registration("jane", inv.InvitationCode))
				mustDo(t, err)
				inv.Uses, inv.State = 1, octoinvite.StateRedeemed
				at := octoinvite.NewTime(now)
				inv.RedeemedOn, inv.RedeemedBy = &at, &user.ID
				return inv
			}},
			{"Expired", func(t *testing.T) *octoinvite.Invitation {
				inv := readTwice(t, other.ID)
				now = inv.Expires.Time
				inv.State = octoinvite.StateExpired
				return inv
			}},
			{"Revoked", func(t *testing.T) *octoinvite.Invitation {
				now = testEpoch
				inv, _, err := db.RevokeInvitation(ctx, other.ID, "bob")
				mustDo(t, err)
				return inv
			}},
		}
		for _, step := range steps {
			wantInv := step.change(t)
			if got := readTwice(t, wantInv.ID); !reflect.DeepEqual(got, wantInv) {
				t.Errorf("%s: got %+v, want %+v", step.name, got, wantInv)
			}
		}
		now = testEpoch.Add(1000 * time.Hour)
		if _, err := db.PurgeInvitations(ctx, time.Hour); err != nil {
			t.Fatalf("PurgeInvitations: %v", err)
		}
		for _, id := range []string{created.ID, other.ID} {
			if _, err := db.FindInvitationByID(ctx, id); octoinvite.ErrorCode(err) != octoinvite.ENOTFOUND {
				t.Errorf("purged %s: got %v, want ENOTFOUND", id, err)
			}
		}
	})
}

func TestReadCacheEvictAndBound(t *testing.T) {
	t.Parallel()
	now := testEpoch
	inv := &octoinvite.Invitation{ID: "Invitations-1"}
	t.Run("EvictsOnlyTheChanged", func(t *testing.T) {
		c := newBoundedReadCache(cloneInvitation, 10)
		for _, id := range []string{"Invitations-1", "Invitations-2"} {
			_, generation := c.lookup(id, now)
			c.store(id, inv, generation, now)
		}
		c.evict([]string{"Invitations-1"})
		if got, _ := c.lookup("Invitations-1", now); got != nil {
			t.Errorf("evicted: got %+v, want a miss", got)
		}
		if got, _ := c.lookup("Invitations-2", now); got == nil {
			t.Errorf("not evicted: got a miss, want a hit")
		}
	})
	t.Run("StaleAnswerNotStored", func(t *testing.T) {
		c := newBoundedReadCache(cloneInvitation, 10)
		_, generation := c.lookup("Invitations-1", now)
		c.evict([]string{"Invitations-1"})
		c.store("Invitations-1", inv, generation, now)
		if got, _ := c.lookup("Invitations-1", now); got != nil {
			t.Errorf("got %+v, want a miss: the answer was read before the write", got)
		}
	})
	t.Run("Bounded", func(t *testing.T) {
		c := newBoundedReadCache(cloneInvitation, 3)
		for i := range 10 {
			id := octoinvite.FormatID(octoinvite.KindInvitation, int64(i+1))
			_, generation := c.lookup(id, now)
			c.store(id, inv, generation, now)
			if got, _ := c.lookup(id, now); got == nil {
				t.Fatalf("%s: got a miss right after its store, want a hit", id)
			}
		}
		if got := len(c.entries); got != 3 {
			t.Errorf("got %d entries, want 3", got)
		}
	})
}

// TestGroupCommitEvictsInvitations checks that a commit evicts the invitations its writes
// declared they change, and clears them all when a write declared nothing.
func TestGroupCommitEvictsInvitations(t *testing.T) {
	t.Parallel()
	declares := func(ids ...string) func(*transaction) error {
		return func(tx *transaction) error {
			tx.changesInvitations(ids...)
			return insertTeam(fmt.Sprintf("declares %q", ids), nil)(tx)
		}
	}
	tests := []struct {
		name   string
		writes []func(*transaction) error
		kept   []string
	}{
		{name: "NoneDeclared", writes: []func(*transaction) error{declares()}, kept: []string{"Invitations-1", "Invitations-2"}},
		{name: "OneDeclared", writes: []func(*transaction) error{declares(), declares("Invitations-1")}, kept: []string{"Invitations-2"}},
		{name: "AWriteDeclaredNothing", writes: []func(*transaction) error{declares(), insertTeam("undeclared", nil)}, kept: []string{}},
		{name: "TheUndeclaredWriteRolledBack", writes: []func(*transaction) error{declares(), insertTeam("fails", errors.New("deliberate failure"))},
			kept: []string{"Invitations-1", "Invitations-2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openSQLite(t)
			for _, id := range []string{"Invitations-1", "Invitations-2"} {
				_, generation := db.invitations.lookup(id, db.Now())
				db.invitations.store(id, &octoinvite.Invitation{ID: id}, generation, db.Now())
			}
			group := make([]*pendingWrite, len(tt.writes))
			for i, fn := range tt.writes {
				group[i] = &pendingWrite{ctx: context.Background(), fn: fn, done: make(chan writeResult, 1)}
			}
			db.writer.commit(group)
			kept := []string{}
			for _, id := range []string{"Invitations-1", "Invitations-2"} {
				if inv, _ := db.invitations.lookup(id, db.Now()); inv != nil {
					kept = append(kept, id)
				}
			}
			if !reflect.DeepEqual(kept, tt.kept) {
				t.Errorf("got %q cached, want %q", kept, tt.kept)
			}
		})
	}
}

// TestInvitationLookupPlan checks that SQLite loads an invitation through its primary key and
// reads its teams from the covering index alone, so that a lookup in a large store descends
// three B-trees, not four: the statement's program opens the B-trees of the invitations' key,
// of the invitations and of the covering index, and never that of the invitation_teams table.
// The invitation's current email is joined by the outbox's key (a lookup skipped for an
// invitation without one, whose key is null).
// It reads the program (EXPLAIN), whose opcodes name the B-trees by their root pages, rather
// than the wording of EXPLAIN QUERY PLAN, which changes between SQLite versions.
func TestInvitationLookupPlan(t *testing.T) {
	t.Parallel()
	db := openSQLite(t)
	roots := map[int64]string{}
	rows, err := db.read.Query(`SELECT name, rootpage FROM sqlite_schema WHERE tbl_name IN ('invitations', 'invitation_teams', 'outbox') AND rootpage > 0`)
	mustDo(t, err)
	for rows.Next() {
		var name string
		var root int64
		mustDo(t, rows.Scan(&name, &root))
		roots[root] = name
	}
	mustDo(t, rows.Err())
	rows, err = db.read.Query(`EXPLAIN `+invitationByQuery(`i.id = ?`), "Invitations-1")
	mustDo(t, err)
	defer rows.Close()
	opened := map[string]bool{}
	for rows.Next() {
		var addr, p1, p2, p3, p5 int64
		var opcode string
		var p4, comment any
		mustDo(t, rows.Scan(&addr, &opcode, &p1, &p2, &p3, &p4, &p5, &comment))
		if opcode == "OpenRead" {
			opened[roots[p2]] = true
		}
	}
	mustDo(t, rows.Err())
	want := map[string]bool{"sqlite_autoindex_invitations_1": true, "invitations": true, "invitation_teams_covering": true,
		"sqlite_autoindex_outbox_1": true, "outbox": true}
	if !reflect.DeepEqual(opened, want) {
		t.Errorf("got B-trees opened %v, want %v", opened, want)
	}
}
