package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/sqldb"
)

// TestInvitePage_byEmail invites a list of addresses from the form, one invitation each, shows
// where their emails stand, sends one again, and refuses what is not an address.
func TestInvitePage_byEmail(t *testing.T) {
	env, _, teamID := setup(t)
	b := signedInAdmin(t, env)
	if strings.Contains(b.get("/app/configuration/users/invite?space=Spaces-2").body, `name="emails"`) {
		t.Error("got the email field on a server that sends no email")
	}
	env.DB.Email = &sqldb.EmailSettings{MessageIDDomain: "example.org"}
	page := b.get("/app/configuration/users/invite?space=Spaces-2")
	page.want(t, 200, "<legend>4. Send it by email</legend>", `<textarea id="emails" name="emails" rows="4" autocomplete="off"`)
	form := func(emails, uses string) url.Values {
		return url.Values{"csrf_token": {page.token(t)}, "space": {"Spaces-2"}, "team": {teamID}, "lifetime": {"48h0m0s"},
			"max_uses": {uses}, "emails": {emails}}
	}
	before := total(t, env.DB)
	b.post("/app/configuration/users/invite", form("jane@example.org\nnot an address", "1")).
		want(t, 400, "&#34;not an address&#34; is not an email address such as jane@example.com.", "jane@example.org\nnot an address</textarea>")
	b.post("/app/configuration/users/invite", form("jane@example.org", "3")).
		want(t, 400, "An invitation sent to an email address is for one person: its number of uses must be 1.")
	if n := total(t, env.DB); n != before {
		t.Fatalf("refused forms created %d invitations", n-before)
	}

	sent := b.post("/app/configuration/users/invite", form("jane@example.org, joe@example.org\n\nJane@example.org", "1"))
	sent.want(t, 201, "<title>2 invitations created · octoinvite</title>", "2 invitations are on their way by email",
		"<td>jane@example.org</td>", "<td>joe@example.org</td>", "Waiting to be sent")
	invs, err := env.DB.FindInvitations(context.Background(), octoinvite.InvitationFilter{Range: octoinvite.Range{Take: 2}})
	if err != nil {
		t.Fatal(err)
	}
	joe, jane := invs.Items[0], invs.Items[1]
	if jane.EmailAddress != "jane@example.org" || joe.EmailAddress != "joe@example.org" || joe.MaxUses != 1 || len(joe.AddToTeamIDs) != 1 {
		t.Fatalf("stored %+v and %+v", jane, joe)
	}
	b.get("/app/configuration/users/invitations").want(t, 200, "jane@example.org <span class=\"muted\">(Queued)</span>")

	// The first message fails once; the page says why and when it is tried again.
	msgs, err := env.DB.ClaimEmails(context.Background(), "test", time.Minute, 1)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("claim: %v, %v", msgs, err)
	}
	if _, err := env.DB.RecordEmailOutcome(context.Background(), msgs[0], &octoinvite.PermanentEmailError{Reply: "550 5.1.1 no such user"}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	path := "/app/configuration/users/invitations/" + jane.ID
	detail := b.get(path)
	detail.want(t, 200, "<dt>Sent to</dt><dd>jane@example.org</dd>", "Failed after 1 attempt: 550 5.1.1 no such user",
		`<form method="post" action="`+path+`/resend" class="inline">`, "Send the email again")
	env.Clock.Advance(octoinvite.ResendInterval)
	b.post(path+"/resend", url.Values{"csrf_token": {detail.token(t)}}).wantRedirect(t, path)
	b.get(path).want(t, 200, "The invitation is on its way again to jane@example.org, with the same link.", "Waiting to be sent")
	b.post(path+"/resend", url.Values{"csrf_token": {detail.token(t)}}).wantRedirect(t, path)
	b.get(path).want(t, 200, "The invitation was emailed less than a minute ago; try again in 60 seconds.")
}

func total(t *testing.T, env interface {
	FindInvitations(context.Context, octoinvite.InvitationFilter) (octoinvite.Page[*octoinvite.Invitation], error)
}) int {
	t.Helper()
	page, err := env.FindInvitations(context.Background(), octoinvite.InvitationFilter{Range: octoinvite.Range{Take: 0}})
	if err != nil {
		t.Fatal(err)
	}
	return page.Total
}
