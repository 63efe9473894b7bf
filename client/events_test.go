package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/client"
	"github.com/octoinvite/octoinvite/internal/servertest"
)

// TestEvents reads the audit log through the client and compares it with the store's answer
// for the same filters: the client and the store are interchangeable.
func TestEvents(t *testing.T) {
	ctx := context.Background()
	env := servertest.Start(t)
	c := newClient(t, env, client.WithAPIKey(servertest.AdminKey))
	for i := 0; i < 3; i++ {
		inv := &octoinvite.Invitation{AddToTeamIDs: []string{octoinvite.EveryoneTeamID}}
		if err := c.CreateInvitation(ctx, inv); err != nil {
			t.Fatal(err)
		}
		env.Clock.Advance(time.Minute)
	}
	from := servertest.Epoch.Add(time.Minute)
	for _, filter := range []octoinvite.EventFilter{
		{Range: octoinvite.Range{Take: 30}},
		{Range: octoinvite.Range{Skip: 1, Take: 2}},
		{Regarding: []string{"Invitations-2"}, Range: octoinvite.Range{Take: 30}},
		{Users: []string{"users-system"}, Range: octoinvite.Range{Take: 30}},
		{From: &from, To: &from, Range: octoinvite.Range{Take: 30}},
	} {
		got, err := c.FindEvents(ctx, filter)
		if err != nil {
			t.Fatalf("FindEvents(%+v): %v", filter, err)
		}
		want, err := env.DB.FindEvents(ctx, filter)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range want.Items {
			e.Links = octoinvite.Links{"Self": "/api/events/" + e.ID}
		}
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		if string(g) != string(w) || len(want.Items) == 0 {
			t.Errorf("FindEvents(%+v): got %s, want %s", filter, g, w)
		}
	}
	var ids []string
	for e, err := range c.AllEvents(ctx, octoinvite.EventFilter{Range: octoinvite.Range{Take: 2}}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
	}
	if len(ids) != 4 || ids[0] != "Events-4" || ids[3] != "Events-1" {
		t.Errorf("AllEvents: got %v, want Events-4 to Events-1", ids)
	}
	e, err := c.FindEventByID(ctx, "Events-3")
	if err != nil || e.Message != "Invitation Invitations-2 was created to add a user to teams-everyone in space Spaces-1" {
		t.Errorf("FindEventByID: got %+v, %v", e, err)
	}
	if _, err := c.FindEventByID(ctx, "Events-9"); !errors.Is(err, client.ErrNotFound) {
		t.Errorf("an unknown event: got %v, want ErrNotFound", err)
	}
	_, key := env.CreateUser(t, "jane")
	if _, err := newClient(t, env, client.WithAPIKey(key)).FindEvents(ctx, octoinvite.EventFilter{}); !errors.Is(err, client.ErrForbidden) {
		t.Errorf("without EventView: got %v, want ErrForbidden", err)
	}
}
