package web_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/octoinvite/octoinvite"
)

// TestTeamPage renames a team, adds and removes members, and deletes it after a confirmation.
func TestTeamPage(t *testing.T) {
	env, inv, teamID := setup(t)
	env.CreateTeam(t, "Platform", inv.SpaceID)
	jane := newUser(t, env, "jane")
	b := signedInAdmin(t, env)
	path := "/app/configuration/teams/" + teamID
	page := b.get(path)
	page.want(t, 200, `<label for="new-member">Add a member</label>`, `<option value="Users-2">Jane (jane)</option>`,
		`<label for="team-name">Name</label>`, `<a href="`+path+`/delete" class="button danger">Delete the team</a>`)

	b.post(path+"/members", url.Values{"csrf_token": {page.token(t)}, "user": {jane.ID}}).wantRedirect(t, path)
	b.get(path).want(t, 200, "Jane is now a member of the team.", `<a href="/app/configuration/users/Users-2">Jane</a>`)
	if got := members(t, env, teamID); !slices.Equal(got, []string{jane.ID}) {
		t.Errorf("got members %v, want [%s]", got, jane.ID)
	}
	b.post(path, url.Values{"csrf_token": {page.token(t)}, "name": {"PLATFORM"}}).want(t, 409, "already exists", `value="PLATFORM"`)
	b.post(path, url.Values{"csrf_token": {page.token(t)}, "name": {"Night shift"}}).wantRedirect(t, path)
	b.get(path).want(t, 200, "The team was renamed Night shift.", "<title>Team Night shift · octoinvite</title>")
	b.post(path+"/members/"+jane.ID+"/remove", url.Values{"csrf_token": {page.token(t)}}).wantRedirect(t, path)
	b.get(path).want(t, 200, "Jane is no longer a member of the team.", "No members.")

	confirm := b.get(path + "/delete")
	confirm.want(t, 200, "Delete the team Night shift?")
	b.post(path+"/delete", url.Values{"csrf_token": {confirm.token(t)}}).wantRedirect(t, "/app/configuration/teams")
	b.get("/app/configuration/teams").want(t, 200, "The team Night shift was deleted.")
	if _, err := env.DB.FindTeamByID(context.Background(), teamID); octoinvite.ErrorCode(err) != octoinvite.ENOTFOUND {
		t.Errorf("got %v, want the team gone", err)
	}

	t.Run("SystemTeams", func(t *testing.T) {
		everyone := b.get("/app/configuration/teams/teams-everyone")
		everyone.want(t, 200, "Everyone is a member of this team: its members cannot change.")
		for _, hidden := range []string{"/delete", `<label for="team-name">`, `action="/app/configuration/teams/teams-everyone/members"`} {
			if strings.Contains(everyone.body, hidden) {
				t.Errorf("got %q on the Everyone team's page, want it left out", hidden)
			}
		}
		b.post("/app/configuration/teams/teams-administrators/members/Users-1/remove", url.Values{"csrf_token": {page.token(t)}}).
			want(t, 400, "without an active member")
		b.post("/app/configuration/teams/teams-everyone/delete", url.Values{"csrf_token": {page.token(t)}}).
			want(t, 400, "built-in team and cannot be deleted")
	})
	t.Run("ErrNotAnAdministrator", func(t *testing.T) {
		u := newBrowser(t, env)
		u.signIn("jane", "correct horse battery")
		token := u.get("/app/users/me").token(t)
		for _, action := range []string{"/app/configuration/teams/teams-everyone", "/app/configuration/teams/teams-administrators/members",
			"/app/configuration/teams/teams-administrators/members/Users-1/remove", "/app/configuration/teams/teams-administrators/delete"} {
			u.post(action, url.Values{"csrf_token": {token}, "user": {jane.ID}, "name": {"Mine"}}).want(t, 403, "This page is for administrators")
		}
		if got := members(t, env, octoinvite.AdministratorsTeamID); !slices.Equal(got, []string{"Users-1"}) {
			t.Errorf("got administrators %v, want [Users-1]", got)
		}
	})
}

// TestUserPage_disableAndEnable disables a user after a confirmation, which ends their
// sessions, and enables them again.
func TestUserPage_disableAndEnable(t *testing.T) {
	env, _, _ := setup(t)
	jane := newUser(t, env, "jane")
	janeBrowser := newBrowser(t, env)
	janeBrowser.signIn("jane", "correct horse battery")
	b := signedInAdmin(t, env)
	path := "/app/configuration/users/" + jane.ID
	b.get(path).want(t, 200, `<a href="`+path+`?disable" class="button danger">Disable</a>`)
	confirm := b.get(path + "?disable")
	confirm.want(t, 200, "Disable Jane (jane)?", `<input type="hidden" name="active" value="false">`)
	b.post(path, url.Values{"csrf_token": {confirm.token(t)}, "active": {"false"}}).wantRedirect(t, path)
	b.get(path).want(t, 200, "Jane is disabled", "<dt>Status</dt><dd>Disabled</dd>", `<input type="hidden" name="active" value="true">`)
	janeBrowser.get("/app/users/me").wantRedirect(t, "/app/users/sign-in?ended=1&returnUrl=%2Fapp%2Fusers%2Fme")
	if status := apiLogin(t, env, "jane", "correct horse battery"); status != 401 {
		t.Errorf("a disabled user's sign-in: got %d, want 401", status)
	}
	b.post(path, url.Values{"csrf_token": {confirm.token(t)}, "active": {"true"}}).wantRedirect(t, path)
	b.get(path).want(t, 200, "Jane is enabled again.", "<dt>Status</dt><dd>Active</dd>")
	if status := apiLogin(t, env, "jane", "correct horse battery"); status != 200 {
		t.Errorf("an enabled user's sign-in: got %d, want 200", status)
	}
	b.post("/app/configuration/users/Users-1", url.Values{"csrf_token": {confirm.token(t)}, "active": {"false"}}).
		want(t, 400, "without an active member")
}

// TestProfile_details changes one's display name and email address.
func TestProfile_details(t *testing.T) {
	env, _, _ := setup(t)
	newUser(t, env, "jane")
	b := newBrowser(t, env)
	b.signIn("jane", "correct horse battery")
	b.submit("/app/users/me", "/app/users/me", url.Values{"display_name": {"  "}, "email": {"not an address"}}).
		want(t, 400, "<li>Please provide a display name.</li>", "must be a single address", `value="not an address"`, "<details open>")
	b.submit("/app/users/me", "/app/users/me", url.Values{"display_name": {"Jane Doe"}, "email": {"jane@example.com"}}).wantRedirect(t, "/app/users/me")
	b.get("/app/users/me").want(t, 200, "Your details were saved.", "<dt>Display name</dt><dd>Jane Doe</dd>",
		"<dt>Email address</dt><dd>jane@example.com</dd>", "Signed in as <strong>Jane Doe</strong>")
}
