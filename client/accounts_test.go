package client_test

import (
	"context"
	"errors"
	"testing"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/client"
	"github.com/octoinvite/octoinvite/internal/servertest"
)

func anonymousClient(t *testing.T, env *servertest.Env) *client.Client {
	t.Helper()
	c, err := client.New(env.URL)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestRegisterAndFirstKey registers with a code, creates the first key with the session the
// registration opened, and uses the key.
func TestRegisterAndFirstKey(t *testing.T) {
	ctx := context.Background()
	env := servertest.Start(t)
	inv := &octoinvite.Invitation{AddToTeamIDs: []string{}, LastModifiedBy: "admin"}
	if err := env.DB.CreateInvitation(ctx, inv); err != nil {
		t.Fatal(err)
	}
	reg := &octoinvite.Registration{Username: "jane", DisplayName: "Jane Doe", Password: "correct horse battery", InvitationCode: inv.InvitationCode}

	c := anonymousClient(t, env)
	user, err := c.Register(ctx, reg)
	if err != nil {
		t.Fatalf("Register: %v", err)
	}
	if user.ID != "Users-2" || user.Username != "jane" || !user.IsRequestor {
		t.Fatalf("got %+v, want Users-2 jane, the requestor", user)
	}
	key, err := c.CreateAPIKey(ctx, user.ID, "CI")
	if err != nil {
		t.Fatalf("CreateAPIKey with the registration's session: %v", err)
	}
	if key.ID != "APIKeys-2" || key.Purpose != "CI" || !octoinvite.ValidAPIKey(key.APIKey) {
		t.Fatalf("got %+v, want APIKeys-2 for CI with its value", key)
	}

	withKey := newClient(t, env, client.WithAPIKey(key.APIKey))
	if me, err := withKey.Me(ctx); err != nil || me.ID != user.ID {
		t.Fatalf("Me with the new key: got %v, %v; want %s", me, err, user.ID)
	}

	if _, err := anonymousClient(t, env).Register(ctx, reg); !errors.Is(err, client.ErrInvalid) ||
		octoinvite.ErrorMessage(err) != octoinvite.ErrInvitationUsed.Message {
		t.Fatalf("registering twice: got %v, want ErrInvalid saying the code was used", err)
	}

	if err := c.Logout(ctx); err != nil {
		t.Fatalf("Logout: %v", err)
	}
	if _, err := c.Me(ctx); !errors.Is(err, client.ErrUnauthorized) {
		t.Fatalf("after Logout: got %v, want ErrUnauthorized", err)
	}
}

func TestLoginAndKeys(t *testing.T) {
	ctx := context.Background()
	env := servertest.Start(t)
	inv := &octoinvite.Invitation{AddToTeamIDs: []string{}, LastModifiedBy: "admin"}
	if err := env.DB.CreateInvitation(ctx, inv); err != nil {
		t.Fatal(err)
	}
	if _, err := env.DB.Register(ctx, &octoinvite.Registration{Username: "jane", DisplayName: "Jane",
		Password: "correct horse battery", InvitationCode: inv.InvitationCode}); err != nil {
		t.Fatal(err)
	}

	c := anonymousClient(t, env)
	if _, err := c.Login(ctx, "jane", "wrong horse battery"); !errors.Is(err, client.ErrUnauthorized) {
		t.Fatalf("Login with a wrong password: got %v, want ErrUnauthorized", err)
	}
	if _, err := c.Login(ctx, "Jane", "correct horse battery"); err != nil {
		t.Fatalf("Login: %v", err)
	}
	first, err := c.CreateAPIKey(ctx, "Users-2", "first")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateAPIKey(ctx, "Users-2", "second"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateAPIKey(ctx, "Users-2", " "); !errors.Is(err, client.ErrInvalid) {
		t.Fatalf("an empty purpose: got %v, want ErrInvalid", err)
	}
	if _, err := c.CreateAPIKey(ctx, "Users-1", "not mine"); !errors.Is(err, client.ErrForbidden) {
		t.Fatalf("a key for another user: got %v, want ErrForbidden", err)
	}

	col, err := c.ListAPIKeys(ctx, "Users-2", octoinvite.Range{Take: 1})
	if err != nil {
		t.Fatal(err)
	}
	if col.TotalResults != 2 || len(col.Items) != 1 || col.Items[0].Purpose != "first" || col.Items[0].APIKey != "" {
		t.Fatalf("got %d keys %+v, want 2 in all and the first without its value", col.TotalResults, col.Items)
	}
	if err := c.RevokeAPIKey(ctx, "Users-2", first.ID); err != nil {
		t.Fatalf("RevokeAPIKey: %v", err)
	}
	if err := c.RevokeAPIKey(ctx, "Users-2", first.ID); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("revoking twice: got %v, want ErrNotFound", err)
	}
	if _, err := c.FindAPIKeyByID(ctx, "Users-2", first.ID); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("a revoked key: got %v, want ErrNotFound", err)
	}
	page, err := c.FindAPIKeys(ctx, "Users-2", octoinvite.Range{})
	if err != nil || page.Total != 1 || page.Items[0].Purpose != "second" {
		t.Fatalf("got %+v, %v; want only the second key", page, err)
	}
	if _, err := newClient(t, env, client.WithAPIKey(first.APIKey)).Me(ctx); !errors.Is(err, client.ErrUnauthorized) {
		t.Fatalf("the revoked key: got %v, want ErrUnauthorized", err)
	}
}
