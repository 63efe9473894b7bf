package client_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/client"
	"github.com/octoinvite/octoinvite/internal/servertest"
)

func TestInvitationLifecycle(t *testing.T) {
	ctx := context.Background()
	env := servertest.Start(t)
	c := newClient(t, env)
	for range 5 {
		if err := c.CreateInvitation(ctx, &octoinvite.Invitation{AddToTeamIDs: []string{}, SpaceID: ptr("Spaces-1")}); err != nil {
			t.Fatal(err)
		}
	}
	chosen := &octoinvite.Invitation{AddToTeamIDs: []string{"teams-everyone"}, MaxUses: 4,
		Expires: octoinvite.NewTime(servertest.Epoch.Add(72 * time.Hour))}
	if err := c.CreateInvitation(ctx, chosen); err != nil {
		t.Fatal(err)
	}
	if chosen.ID != "Invitations-6" || chosen.MaxUses != 4 || !chosen.Expires.Equal(servertest.Epoch.Add(72*time.Hour)) || chosen.State != octoinvite.StatePending {
		t.Errorf("got %+v, want Invitations-6 with 4 uses, expiring after 72 hours", chosen)
	}

	t.Run("AllInvitations pages newest first", func(t *testing.T) {
		var got []string
		for inv, err := range c.AllInvitations(ctx, octoinvite.InvitationFilter{SpaceID: ptr("Spaces-1"), Range: octoinvite.Range{Take: 2}}) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, inv.ID)
		}
		// The sixth, created without a space, is in the default space.
		if fmt.Sprint(got) != "[Invitations-6 Invitations-5 Invitations-4 Invitations-3 Invitations-2 Invitations-1]" {
			t.Errorf("got %v, want the six of Spaces-1, newest first", got)
		}
	})
	t.Run("RevokeInvitation", func(t *testing.T) {
		inv, revoked, err := c.RevokeInvitation(ctx, "Invitations-2", "")
		if err != nil {
			t.Fatal(err)
		}
		if !revoked || inv.State != octoinvite.StateRevoked || inv.RevokedBy == nil || *inv.RevokedBy != "admin" {
			t.Errorf("got %+v, %v; want revoked by admin, by this call", inv, revoked)
		}
		again, revoked, err := c.RevokeInvitation(ctx, "Invitations-2", "")
		if err != nil || revoked || !reflect.DeepEqual(again, inv) {
			t.Errorf("revoking again: got %+v, %v, %v; want it unchanged, not revoked by this call", again, revoked, err)
		}
		page, err := c.FindInvitations(ctx, octoinvite.InvitationFilter{States: []string{octoinvite.StateRevoked}, Range: octoinvite.Range{Take: 10}})
		if err != nil || page.Total != 1 || page.Items[0].ID != "Invitations-2" {
			t.Errorf("got %+v, %v; want Invitations-2 alone", page, err)
		}
	})
	t.Run("RegenerateInvitation ErrConflict revoked", func(t *testing.T) {
		_, err := c.RegenerateInvitation(ctx, "Invitations-2", "", time.Time{})
		assertError(t, err, 409, client.ErrConflict, octoinvite.ProblemMessage, "The invitation has been revoked; create a new invitation instead of regenerating it.")
	})
	t.Run("RegenerateInvitation", func(t *testing.T) {
		inv, err := c.RegenerateInvitation(ctx, chosen.ID, "", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if inv.InvitationCode == chosen.InvitationCode || !inv.Expires.Equal(servertest.Epoch.Add(octoinvite.DefaultInvitationLifetime)) {
			t.Errorf("got %+v, want a new code expiring after the default lifetime", inv)
		}
	})
	t.Run("RegenerateInvitation with an expiry", func(t *testing.T) {
		want := servertest.Epoch.Add(7 * 24 * time.Hour)
		inv, err := c.RegenerateInvitation(ctx, chosen.ID, "", want)
		if err != nil {
			t.Fatal(err)
		}
		stored, err := env.DB.FindInvitationByID(ctx, chosen.ID)
		if err != nil || !inv.Expires.Equal(want) || !stored.Expires.Equal(want) || stored.InvitationCode != inv.InvitationCode {
			t.Errorf("got %+v (stored %+v, %v), want the new code expiring at %s", inv, stored, err, want)
		}
		_, err = c.RegenerateInvitation(ctx, chosen.ID, "", servertest.Epoch.Add(-time.Hour))
		assertError(t, err, 400, client.ErrInvalid, octoinvite.ProblemMessage, "The expiry date (Expires) 2026-11-26T09:00:00.000+00:00 is not in the future.")
	})
	t.Run("ListInvitations ErrInvalid state", func(t *testing.T) {
		_, err := c.ListInvitations(ctx, octoinvite.InvitationFilter{States: []string{"Lost"}})
		assertError(t, err, 400, client.ErrInvalid, octoinvite.ProblemMessage, "The state 'Lost' is not one of Pending, Redeemed, Expired, Revoked.")
	})
	t.Run("RevokeInvitation ErrNotFound", func(t *testing.T) {
		_, _, err := c.RevokeInvitation(ctx, "Invitations-99", "")
		assertError(t, err, 404, client.ErrNotFound, "The resource 'Invitations-99' was not found.")
	})
}
