package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// TestRegisterPage_revokedAndRegenerated shows the invitee what became of a link an
// administrator withdrew or replaced, in plain words, both when the link is opened and when a
// form opened before is sent.
func TestRegisterPage_revokedAndRegenerated(t *testing.T) {
	env, inv, _ := setup(t)
	ctx := context.Background()
	browser := newBrowser(t)
	link := env.URL + "/app/register?invitation=" + inv.InvitationCode
	form := get(t, browser, link)
	form.want(t, 200, "Create your account")
	token := tokenField.FindStringSubmatch(form.body)[1]
	fill := func(code string) url.Values {
		return url.Values{"invitation": {code}, "csrf_token": {token}, "username": {"jane"},
			"display_name": {"Jane Doe"}, "email": {"jane@example.com"}, "password": {"correct horse battery"}}
	}

	second := setupInvitation(t, env)
	fresh, err := env.DB.RegenerateInvitation(ctx, second.ID, "admin", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("ErrReplacedLink", func(t *testing.T) {
		get(t, http.DefaultClient, env.URL+"/app/register?invitation="+second.InvitationCode).want(t, 404, "This invitation link is not valid.")
	})
	t.Run("OKNewLink", func(t *testing.T) {
		get(t, http.DefaultClient, env.URL+"/app/register?invitation="+fresh.InvitationCode).want(t, 200, "Create your account")
	})

	if _, _, err := env.DB.RevokeInvitation(ctx, inv.ID, "admin"); err != nil {
		t.Fatal(err)
	}
	t.Run("ErrWithdrawnLink", func(t *testing.T) {
		get(t, browser, link).want(t, 410, "This invitation has been withdrawn.", "can no longer be used to create an account",
			"ask the person who invited you to send you a new invitation")
	})
	t.Run("ErrWithdrawnForm", func(t *testing.T) {
		post(t, browser, env.URL+"/app/register", fill(inv.InvitationCode)).want(t, 410, "This invitation has been withdrawn.")
	})
	if got := userTotal(t, env); got != 1 {
		t.Errorf("got %d users, want 1: no one registered with a withdrawn code", got)
	}
}
