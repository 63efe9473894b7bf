package sqldb

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/octoinvite/octoinvite"
)

func TestStoreSeedInvitations(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		space := "Spaces-1"
		mustDo(t, db.CreateInvitation(ctx, &octoinvite.Invitation{SpaceID: &space, AddToTeamIDs: []string{"teams-everyone"}, LastModifiedBy: "admin"}))
		mustDo(t, db.SeedInvitations(ctx, 3, octoinvite.Invitation{
			SpaceID: &space, AddToTeamIDs: []string{"TEAMS-EVERYONE"}, LastModifiedBy: "admin",
		}))
		codes := map[string]bool{}
		for n := 2; n <= 4; n++ {
			id := fmt.Sprintf("Invitations-%d", n)
			inv, err := db.FindInvitationByID(ctx, id)
			if err != nil {
				t.Fatalf("FindInvitationByID(%q): %v", id, err)
			}
			if inv.ID != id || inv.SpaceID == nil || *inv.SpaceID != space || !reflect.DeepEqual(inv.AddToTeamIDs, []string{"teams-everyone"}) ||
				inv.LastModifiedBy != "admin" || !inv.Expires.Equal(testEpoch.Add(octoinvite.DefaultInvitationLifetime)) {
				t.Errorf("got %+v, want %s in %s for teams-everyone, by admin, expiring after the default lifetime", inv, id, space)
			}
			if codes[inv.InvitationCode] || !octoinvite.ValidInvitationCode(inv.InvitationCode) {
				t.Errorf("%s: got code %q, want a fresh well-formed code", id, inv.InvitationCode)
			}
			codes[inv.InvitationCode] = true
		}
		next := &octoinvite.Invitation{SpaceID: &space, AddToTeamIDs: []string{"teams-everyone"}, LastModifiedBy: "admin"}
		mustDo(t, db.CreateInvitation(ctx, next))
		if next.ID != "Invitations-5" {
			t.Errorf("after seeding, got the next ID %s, want Invitations-5", next.ID)
		}
	})
}
