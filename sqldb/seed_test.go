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
		admin, err := db.FindUserByID(ctx, octoinvite.AdminUserID)
		mustDo(t, err)
		mustDo(t, db.SeedInvitations(octoinvite.NewContextWithUser(ctx, admin), 3, octoinvite.Invitation{
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
		// Like every other write, seeding records what it did: one event names the invitations.
		events, err := db.FindEvents(ctx, octoinvite.EventFilter{Regarding: []string{"Invitations-3"}, Range: octoinvite.Range{Take: 10}})
		mustDo(t, err)
		sameLines(t, lines(events.Items), []eventLine{{ID: "Events-2", Category: octoinvite.EventCreated, UserID: "Users-1", Username: "admin",
			Message: "3 invitations were created in bulk to add a user to teams-everyone in space Spaces-1: Invitations-2, Invitations-3, Invitations-4",
			Space:   space, Related: []string{"Invitations-2", "Invitations-3", "Invitations-4", "teams-everyone", "Spaces-1"}, Occurred: testEpoch}})
		// One event per 500 invitations.
		mustDo(t, db.SeedInvitations(ctx, 501, octoinvite.Invitation{AddToTeamIDs: []string{}, LastModifiedBy: "admin"}))
		events, err = db.FindEvents(ctx, octoinvite.EventFilter{Range: octoinvite.Range{Take: 2}})
		mustDo(t, err)
		if got := lines(events.Items); events.Total != 4 || len(got) != 2 ||
			got[0].Message != "1 invitation was created in bulk to add a user to no team: Invitations-505" || len(got[1].Related) != 500 {
			t.Errorf("got %d events, the last %+v, want 4, the last two for 1 and 500 invitations", events.Total, got)
		}
		next := &octoinvite.Invitation{SpaceID: &space, AddToTeamIDs: []string{"teams-everyone"}, LastModifiedBy: "admin"}
		mustDo(t, db.CreateInvitation(ctx, next))
		if next.ID != "Invitations-506" {
			t.Errorf("after seeding, got the next ID %s, want Invitations-506", next.ID)
		}
	})
}
