package web_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/internal/servertest"
	"github.com/octoinvite/octoinvite/web"
)

// configurationPath returns a path of the pattern of an administrators' page, its wildcards
// naming documents setup made: the invitation, the team, the space, the administrator.
func configurationPath(pattern string) string {
	_, path, _ := strings.Cut(pattern, " ")
	segments := strings.Split(path, "/")
	for i, seg := range segments {
		if !strings.HasPrefix(seg, "{") {
			continue
		}
		switch {
		case seg == "{user}" || segments[i-1] == "users":
			segments[i] = "Users-1"
		case segments[i-1] == "invitations":
			segments[i] = "Invitations-1"
		case segments[i-1] == "teams":
			segments[i] = "Teams-1"
		case segments[i-1] == "spaces":
			segments[i] = "Spaces-2"
		}
	}
	return strings.Join(segments, "/")
}

// TestAdminPages_forbidden shows a 403 page, never a JSON body, to a signed-in user who is not
// an administrator, on every administrators' page and form the handler registers, and changes
// nothing; signed out, the pages lead to sign in.
func TestAdminPages_forbidden(t *testing.T) {
	env, inv, _ := setup(t)
	newUser(t, env, "jane")
	b := newBrowser(t, env)
	b.signIn("jane", "correct horse battery")
	token := b.get("/app/users/me").token(t)
	pages := env.API.Web.(*web.Handler).Routes()
	checked := 0
	for _, pattern := range pages {
		method, _, _ := strings.Cut(pattern, " ")
		if !strings.Contains(pattern, " /app/configuration/") {
			continue
		}
		checked++
		path := configurationPath(pattern)
		var a answer
		if method == "POST" {
			a = b.post(path, url.Values{"csrf_token": {token}, "space": {"Spaces-2"}, "team": {"Teams-1"}, "lifetime": {"48h0m0s"},
				"max_uses": {"1"}, "name": {"Mine"}, "user": {"Users-2"}, "active": {"false"}})
		} else {
			a = b.get(path)
		}
		if a.status != 403 || !strings.Contains(a.body, "This page is for administrators, and your account is not one.") {
			t.Errorf("%s %s: got %d, want the 403 page:\n%.300s", method, path, a.status, a.body)
		}
		if ct := a.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("%s %s: got Content-Type %q, want a page", method, path, ct)
		}
	}
	if checked < 20 {
		t.Errorf("checked %d administrators' pages, want every one", checked)
	}
	stored, err := env.DB.FindInvitationByID(context.Background(), inv.ID)
	if err != nil || stored.State != octoinvite.StatePending || stored.InvitationCode != inv.InvitationCode {
		t.Errorf("got %+v, %v; want the invitation unchanged", stored, err)
	}
	all, _ := env.DB.FindInvitations(context.Background(), octoinvite.InvitationFilter{Range: octoinvite.Range{Take: 0}})
	teams, _ := env.DB.FindTeams(context.Background(), octoinvite.TeamFilter{IncludeSystem: true, Range: octoinvite.Range{Take: 0}})
	jane, _ := env.DB.FindUserByID(context.Background(), "Users-2")
	if all.Total != 2 || teams.Total != 3 || !jane.IsActive || !slices.Equal(members(t, env, "Teams-1"), []string{}) {
		t.Errorf("got %d invitations, %d teams, jane active %v, members %v; want 2, 3, true and none", all.Total, teams.Total, jane.IsActive, members(t, env, "Teams-1"))
	}
	// Signed out, the pages lead to sign-in and back.
	newBrowser(t, env).get("/app/configuration/teams").wantRedirect(t, "/app/users/sign-in?returnUrl=%2Fapp%2Fconfiguration%2Fteams")
}

// signedInAdmin returns a browser signed in as the administrator.
func signedInAdmin(t *testing.T, env *servertest.Env) *browser {
	t.Helper()
	b := newBrowser(t, env)
	b.signIn("admin", adminPassword)
	return b
}

var linkPattern = regexp.MustCompile(`id="invitation-link" type="text" readonly value="([^"]+)"`)

// TestInvitePage creates an invitation in two steps, the space then its teams, within the
// server's bounds, and shows its link.
func TestInvitePage(t *testing.T) {
	env, _, teamID := setup(t)
	b := signedInAdmin(t, env)
	first := b.get("/app/configuration/users/invite")
	first.want(t, 200, `<input type="radio" name="space" id="space-Spaces-1" value="Spaces-1">`, `<label for="space-Spaces-2">Operations</label>`,
		`<label for="space-none">No space: system teams only</label>`, "Choose the teams")
	if strings.Contains(first.body, `name="team"`) {
		t.Error("got teams before a space was chosen, want the space first")
	}
	second := b.get("/app/configuration/users/invite?space=Spaces-2")
	second.want(t, 200, `<input type="checkbox" name="team" id="team-`+teamID+`" value="`+teamID+`"><label for="team-`+teamID+`">On call</label>`,
		`<label for="team-teams-administrators">Octopus Administrators</label>`, "Its members can do anything",
		`<option value="48h0m0s" selected>2 days (the usual)</option>`, `<option value="720h0m0s">30 days</option>`,
		`<input id="max-uses" name="max_uses" type="number" value="1" min="1" max="100" required`)
	if strings.Contains(second.body, `id="team-teams-everyone"`) {
		t.Error("got the Everyone team offered, want it left out: everyone joins it")
	}

	form := func(values url.Values) url.Values {
		v := url.Values{"csrf_token": {second.token(t)}, "space": {"Spaces-2"}, "team": {teamID}, "lifetime": {"168h0m0s"}, "max_uses": {"5"}}
		for k, vs := range values {
			v[k] = vs
		}
		return v
	}
	t.Run("ErrTooManyUses", func(t *testing.T) {
		b.post("/app/configuration/users/invite", form(url.Values{"max_uses": {"101"}})).want(t, 400, "The number of uses (MaxUses) must be from 1 to 100.")
	})
	t.Run("ErrNoUses", func(t *testing.T) {
		b.post("/app/configuration/users/invite", form(url.Values{"max_uses": {"0"}})).want(t, 400, "must be from 1 to 100")
		b.post("/app/configuration/users/invite", form(url.Values{"max_uses": {"many"}})).want(t, 400, "must be a whole number from 1 to 100")
	})
	t.Run("ErrTooLong", func(t *testing.T) {
		b.post("/app/configuration/users/invite", form(url.Values{"lifetime": {"2000h"}})).want(t, 400, "is too far away")
	})
	t.Run("ErrTeamOfAnotherSpace", func(t *testing.T) {
		other := env.CreateTeam(t, "Elsewhere", ptr("Spaces-1"))
		b.post("/app/configuration/users/invite", form(url.Values{"team": {other.ID}})).want(t, 400, "belongs to the space")
	})
	t.Run("ErrNoSpace", func(t *testing.T) {
		b.post("/app/configuration/users/invite", form(url.Values{"space": {""}})).want(t, 400, "Please choose the space of the invitation.")
	})
	before, _ := env.DB.FindInvitations(context.Background(), octoinvite.InvitationFilter{Range: octoinvite.Range{Take: 0}})

	created := b.post("/app/configuration/users/invite", form(nil))
	created.want(t, 201, "<title>Invitation created · octoinvite</title>", "Send this link to the people you invite.", "5 times in all",
		`<label for="invitation-link">Invitation link</label>`, `<button type="button" class="copy" data-copy="invitation-link" hidden>Copy</button>`)
	m := linkPattern.FindStringSubmatch(created.body)
	if m == nil || !strings.HasPrefix(m[1], env.URL+"/app/register?invitation=") {
		t.Fatalf("got no link to the registration page on %s:\n%s", env.URL, created.body)
	}
	code := strings.TrimPrefix(m[1], env.URL+"/app/register?invitation=")
	page, err := env.DB.FindInvitations(context.Background(), octoinvite.InvitationFilter{Range: octoinvite.Range{Take: 1}})
	if err != nil {
		t.Fatal(err)
	}
	inv := page.Items[0]
	if page.Total != before.Total+1 || inv.InvitationCode != code || inv.MaxUses != 5 || fmt.Sprint(inv.AddToTeamIDs) != "["+teamID+"]" ||
		*inv.SpaceID != "Spaces-2" || !inv.Expires.Equal(servertest.Epoch.Add(7*24*time.Hour)) || inv.LastModifiedBy != "admin" {
		t.Errorf("got %+v, want the invitation the form described", inv)
	}
	events, _ := env.DB.FindEvents(context.Background(), octoinvite.EventFilter{Regarding: []string{inv.ID}, Range: octoinvite.Range{Take: 1}})
	if e := events.Items[0]; e.Username != "admin" || e.IdentityEstablishedWith != "Session cookie" {
		t.Errorf("got the creation's event by %q with %q, want by admin with the session cookie", e.Username, e.IdentityEstablishedWith)
	}

	t.Run("SystemTeamsOnly", func(t *testing.T) {
		page := b.get("/app/configuration/users/invite?space=none")
		page.want(t, 200, "2. The teams</legend>", `id="team-teams-administrators"`)
		b.post("/app/configuration/users/invite", url.Values{"csrf_token": {page.token(t)}, "space": {"none"}, "lifetime": {"1h0m0s"}, "max_uses": {"1"}}).
			want(t, 201, "Send this link to the person you invite.")
	})
}

// TestInvitationsPage lists the invitations newest first, with their state, uses, expiry,
// creator and redeemers, filtered by state, space and team, in pages.
func TestInvitationsPage(t *testing.T) {
	env, first, teamID := setup(t)
	ctx := context.Background()
	john := newUser(t, env, "john") // with Invitations-2, to no team
	if _, err := env.DB.AcceptInvitation(ctx, john.ID, first.InvitationCode); err != nil {
		t.Fatal(err)
	}
	withdrawn := invite(t, env, 1, ptr("Spaces-2"), teamID) // Invitations-3
	if _, _, err := env.DB.RevokeInvitation(ctx, withdrawn.ID, "admin"); err != nil {
		t.Fatal(err)
	}
	for range 25 {
		invite(t, env, 3, nil)
	}
	b := signedInAdmin(t, env)

	page := b.get("/app/configuration/users/invitations")
	page.want(t, 200, "Showing 1 to 20 of 28.", `<a href="/app/configuration/users/invitations?skip=20" rel="next">Next page</a>`,
		`<th scope="row" class="nowrap"><a href="/app/configuration/users/invitations/Invitations-28">Invitations-28</a></th>`,
		`<td><span class="state state-Pending">Pending</span></td>`+"\n"+`<td class="nowrap">0 of 3</td>`, "<span class=\"muted\">Everyone only</span>")
	if strings.Contains(page.body, "Invitations-3<") {
		t.Error("got the 26th newest on the first page, want it on the second")
	}
	second := b.get("/app/configuration/users/invitations?skip=20")
	second.want(t, 200, "Showing 21 to 28 of 28.", `rel="prev">Previous page</a>`,
		`<td><span class="state state-Revoked">Withdrawn</span></td>`,
		`<td>Operations: On call</td>`+"\n<td>admin</td>\n<td>john</td>")

	filtered := b.get("/app/configuration/users/invitations?state=Revoked&space=Spaces-2&team=" + teamID)
	filtered.want(t, 200, "Showing 1 to 1 of 1.", "Invitations-3</a>", `<option value="Revoked" selected>Withdrawn</option>`,
		`<option value="Spaces-2" selected>Operations</option>`, `<a href="/app/configuration/users/invitations">Show all</a>`)
	b.get("/app/configuration/users/invitations?state=Redeemed").want(t, 200, "Invitations-1</a>", "Invitations-2</a>", "Showing 1 to 2 of 2.")
	b.get("/app/configuration/users/invitations?state=Expired").want(t, 200, "No invitation matches these filters.", "Nothing to show.")

	t.Run("OneInvitation", func(t *testing.T) {
		b.get("/app/configuration/users/invitations/Invitations-1").want(t, 200, "This invitation has been used as many times as it allows.",
			"<dt>Used by</dt><dd>john</dd>", "<dt>Created by</dt><dd>admin</dd>", "<dt>Teams</dt><dd>On call</dd>")
		b.get("/app/configuration/users/invitations/Invitations-99").want(t, 404, "The resource &#39;Invitations-99&#39; was not found.")
	})
}

// TestRevokeAndRegeneratePages withdraws an invitation and gives another a new link, each after
// a confirmation, and says what became of them.
func TestRevokeAndRegeneratePages(t *testing.T) {
	env, inv, _ := setup(t)
	b := signedInAdmin(t, env)
	path := "/app/configuration/users/invitations/" + inv.ID
	b.get(path).want(t, 200, "It can be used once more, until Saturday 28 November 2026 at 10:00 UTC",
		`<a href="`+path+`/revoke" class="button danger">Withdraw</a>`, `<a href="`+path+`/regenerate" class="button">Make a new link</a>`)

	confirm := b.get(path + "/revoke")
	confirm.want(t, 200, "Withdraw the invitation Invitations-1?", `<button type="submit" class="danger">Withdraw the invitation</button>`,
		`<a href="`+path+`">Cancel</a>`)
	b.post(path+"/revoke", url.Values{"csrf_token": {confirm.token(t)}}).wantRedirect(t, path)
	b.get(path).want(t, 200, "The invitation Invitations-1 was withdrawn: its link no longer works.",
		"This invitation was withdrawn by admin", "just now</time>: its link no longer works.")
	stored, _ := env.DB.FindInvitationByID(context.Background(), inv.ID)
	if stored.State != octoinvite.StateRevoked || *stored.RevokedBy != "admin" {
		t.Errorf("got %s by %v, want Revoked by admin", stored.State, stored.RevokedBy)
	}
	newBrowser(t, env).get("/app/register?invitation="+inv.InvitationCode).want(t, 410, "This invitation has been withdrawn.")
	b.post(path+"/regenerate", url.Values{"csrf_token": {confirm.token(t)}}).
		want(t, 409, "The invitation has been revoked; create a new invitation instead of regenerating it.")

	other := invite(t, env, 1, nil)
	otherPath := "/app/configuration/users/invitations/" + other.ID
	confirm = b.get(otherPath + "/regenerate")
	confirm.want(t, 200, "Give the invitation Invitations-2 a new link?", `<option value="48h0m0s" selected>2 days (the usual)</option>`)
	renewed := b.post(otherPath+"/regenerate", url.Values{"csrf_token": {confirm.token(t)}, "lifetime": {"168h0m0s"}})
	renewed.want(t, 200, "A new link for Invitations-2", "until it expires <time datetime=\"2026-12-03T10:00:00Z\"")
	m := linkPattern.FindStringSubmatch(renewed.body)
	if m == nil || strings.Contains(m[1], other.InvitationCode) {
		t.Fatalf("got the link %v, want a new one", m)
	}
	newBrowser(t, env).get("/app/register?invitation="+other.InvitationCode).want(t, 404, "This invitation link is not valid.")
	newBrowser(t, env).get(strings.TrimPrefix(m[1], env.URL)).want(t, 200, "Create your account")
}

// TestTeamsPage lists teams by space with their members, and creates a team.
func TestTeamsPage(t *testing.T) {
	env, inv, teamID := setup(t)
	jane := newBrowser(t, env)
	jane.submit("/app/register?invitation="+inv.InvitationCode, "/app/register", registration(inv.InvitationCode, "jane", "correct horse battery"))
	b := signedInAdmin(t, env)
	b.get("/app/configuration/teams").want(t, 200, `<h2 id="group-system">System teams</h2>`, `<h2 id="group-Spaces-2">Space Operations</h2>`,
		`<a href="/app/configuration/teams/`+teamID+`">On call</a></th>`+"\n<td>Jane Doe</td>", `<td>Administrator, Jane Doe</td>`)
	b.get("/app/configuration/spaces/Spaces-2").wantRedirect(t, "/app/configuration/teams?space=Spaces-2#Spaces-2")
	b.get("/app/configuration/teams/"+teamID).want(t, 200, "<title>Team On call · octoinvite</title>", "<dt>Space</dt><dd>Operations</dd>",
		`<a href="/app/configuration/users/Users-2">Jane Doe</a>`)

	page := b.get("/app/configuration/teams?space=Spaces-2")
	page.want(t, 200, `<option value="Spaces-2" selected>Operations</option>`)
	b.post("/app/configuration/teams", url.Values{"csrf_token": {page.token(t)}, "space": {"Spaces-2"}, "name": {"on CALL"}}).
		want(t, 409, "A team with the name &#39;on CALL&#39; already exists in this space.", `value="on CALL"`)
	b.post("/app/configuration/teams", url.Values{"csrf_token": {page.token(t)}, "space": {"Spaces-2"}, "name": {"Release managers"}}).
		wantRedirect(t, "/app/configuration/teams/Teams-2")
	b.get("/app/configuration/teams/Teams-2").want(t, 200, "The team Release managers was created.", "No members.")
}

// TestUsersPage lists and searches users, and shows one.
func TestUsersPage(t *testing.T) {
	env, _, _ := setup(t)
	newUser(t, env, "jane")
	newUser(t, env, "john")
	b := signedInAdmin(t, env)
	b.get("/app/configuration/users").want(t, 200, "Showing 1 to 3 of 3.", `<a href="/app/configuration/users/Users-2">Jane</a>`,
		"<td>Active, administrator</td>")
	search := b.get("/app/configuration/users?filter=JOH")
	search.want(t, 200, "Showing 1 to 1 of 1.", "John</a>", `value="JOH"`)
	if strings.Contains(search.body, "Jane</a>") {
		t.Error("got jane in a search for joh")
	}
	b.get("/app/configuration/users?filter=nobody").want(t, 200, "No user matches “nobody”.")
	b.get("/app/configuration/users/Users-2").want(t, 200, "<title>Jane · octoinvite</title>", "<dt>Username</dt><dd>jane</dd>",
		`<a href="/app/configuration/audit?user=Users-2">`)
}

// TestAuditPage shows the audit log, newest first, filtered by document, user and dates.
func TestAuditPage(t *testing.T) {
	env, inv, _ := setup(t)
	jane := newUser(t, env, "jane")
	env.Clock.Advance(48 * time.Hour)
	if _, err := env.DB.AcceptInvitation(context.Background(), jane.ID, inv.InvitationCode); err == nil {
		t.Fatal("got the expired invitation accepted")
	}
	b := signedInAdmin(t, env)
	all := b.get("/app/configuration/audit")
	all.want(t, 200, "User Users-1 (admin) signed in", "Invitation Invitations-1 was created")
	if strings.Index(all.body, "signed in") > strings.Index(all.body, "was created") {
		t.Error("got older events first, want the newest first")
	}
	b.get("/app/configuration/audit?regarding=invitations-1").want(t, 200, "Invitation Invitations-1 was created", "Showing 1 to 1 of 1.")
	byJane := b.get("/app/configuration/audit?user=jane")
	byJane.want(t, 200, "User Users-2 (jane) registered with invitation Invitations-2")
	if strings.Contains(byJane.body, "(admin) signed in") {
		t.Error("got the administrator's events in jane's")
	}
	b.get("/app/configuration/audit?from=2026-11-27").want(t, 200, "Showing 1 to 1 of 1.", "(admin) signed in")
	b.get("/app/configuration/audit?to=2026-11-25&regarding=Users-1").want(t, 200, "Nothing to show.")
	b.get("/app/configuration/audit?from=yesterday").want(t, 400, "From: It must be a date such as 2026-11-28.")
}
