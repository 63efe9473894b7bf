package client_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/client"
	"github.com/octoinvite/octoinvite/internal/servertest"
)

// TestSetUserPassword sets the administrator's first password with its key, then changes it
// from a session with the current one.
func TestSetUserPassword(t *testing.T) {
	ctx := context.Background()
	env := servertest.Start(t)
	admin, err := client.New(env.URL, client.WithAPIKey(servertest.AdminKey))
	if err != nil {
		t.Fatal(err)
	}
	if err := admin.SetUserPassword(ctx, "Users-1", "silver kettle morning", ""); err != nil {
		t.Fatalf("SetUserPassword: %v", err)
	}
	c := anonymousClient(t, env)
	if _, err := c.Login(ctx, "admin", "silver kettle morning"); err != nil {
		t.Fatalf("Login with the new password: %v", err)
	}
	err = c.SetUserPassword(ctx, "Users-1", "another kettle evening", "wrong kettle")
	var apiErr *client.Error
	if !errors.As(err, &apiErr) || !errors.Is(err, client.ErrInvalid) || len(apiErr.Errors) != 1 ||
		apiErr.Errors[0] != octoinvite.MsgCurrentPasswordWrong {
		t.Fatalf("a wrong current password: got %v, want ErrInvalid saying so", err)
	}
	if err := c.SetUserPassword(ctx, "Users-1", "another kettle evening", "silver kettle morning"); err != nil {
		t.Fatalf("SetUserPassword with the current one: %v", err)
	}
	if _, err := anonymousClient(t, env).Login(ctx, "admin", "another kettle evening"); err != nil {
		t.Errorf("Login with the changed password: %v", err)
	}
	if _, err := c.Me(ctx); err != nil {
		t.Errorf("the session that changed it: got %v, want it signed in still", err)
	}
}

// TestAcceptInvitation joins an invitation's teams with an existing user's key.
func TestAcceptInvitation(t *testing.T) {
	ctx := context.Background()
	env := servertest.Start(t)
	team := env.CreateTeam(t, "Developers", ptrTo("Spaces-1"))
	user, key := env.CreateUser(t, "bob")
	inv := &octoinvite.Invitation{AddToTeamIDs: []string{team.ID}, SpaceID: ptrTo("Spaces-1"), LastModifiedBy: "admin"}
	if err := env.DB.CreateInvitation(ctx, inv); err != nil {
		t.Fatal(err)
	}
	c, err := client.New(env.URL, client.WithAPIKey(key))
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.AcceptInvitation(ctx, inv.InvitationCode)
	if err != nil {
		t.Fatalf("AcceptInvitation: %v", err)
	}
	want := &octoinvite.InvitationAcceptance{UserID: user.ID, InvitationID: inv.ID, SpaceID: ptrTo("Spaces-1"), AddedToTeamIDs: []string{team.ID},
		Links: octoinvite.Links{"User": "/api/users/" + user.ID}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if _, err := c.AcceptInvitation(ctx, inv.InvitationCode); !errors.Is(err, client.ErrInvalid) {
		t.Errorf("the used code again: got %v, want ErrInvalid", err)
	}
}

func ptrTo(s string) *string { return &s }
