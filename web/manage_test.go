package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/internal/servertest"
)

// TestTeamPage renames a team, adds and removes members, and deletes it after a confirmation.
func TestTeamPage(t *testing.T) {
	env, inv, teamID := setup(t)
	env.CreateTeam(t, "Platform", inv.SpaceID)
	jane := newUser(t, env, "jane")
	b := signedInAdmin(t, env)
	path := "/app/configuration/teams/" + teamID
	page := b.get(path)
	page.want(t, 200, `<label for="new-member">Add a member</label>`,
		`<p class="hint" id="new-member-hint">Their username, such as jane, or their ID, such as Users-2.</p>`,
		`<input id="new-member" name="user" type="text" autocomplete="off" value="" required aria-required="true" aria-describedby="new-member-hint">`,
		`<label for="team-name">Name</label>`, `<a href="`+path+`/delete" class="button danger">Delete the team</a>`)

	b.post(path+"/members", url.Values{"csrf_token": {page.token(t)}, "user": {" JANE "}}).wantRedirect(t, path)
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

	t.Run("AddMember", func(t *testing.T) {
		team := env.CreateTeam(t, "Reviewers", inv.SpaceID)
		path := "/app/configuration/teams/" + team.ID
		john := newUser(t, env, "john")
		mary := newUser(t, env, "mary")
		b.post(path+"/members", url.Values{"csrf_token": {page.token(t)}, "user": {"users-" + strings.TrimPrefix(john.ID, "Users-")}}).wantRedirect(t, path)
		b.get(path).want(t, 200, "John is now a member of the team.")
		b.post(path+"/members", url.Values{"csrf_token": {page.token(t)}, "user": {mary.ID}}).wantRedirect(t, path)
		b.post(path+"/members", url.Values{"csrf_token": {page.token(t)}, "user": {"admin"}}).wantRedirect(t, path)
		if got := sorted(members(t, env, team.ID)); !slices.Equal(got, []string{octoinvite.AdminUserID, john.ID, mary.ID}) {
			t.Errorf("got members %v, want [Users-1 %s %s]", got, john.ID, mary.ID)
		}
		mary.IsActive = false
		if err := env.DB.UpdateUser(context.Background(), mary); err != nil {
			t.Fatal(err)
		}
		newUser(t, env, "priya")
		priya, err := env.DB.FindUsers(context.Background(), octoinvite.UserFilter{Filter: "priya", Range: octoinvite.Range{Take: 1}})
		if err != nil {
			t.Fatal(err)
		}
		priya.Items[0].IsActive = false
		if err := env.DB.UpdateUser(context.Background(), priya.Items[0]); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name, typed string
			status      int
			problem     string
		}{
			{"ErrEmpty", "  ", 400, "Please enter the username or ID of the user to add."},
			{"ErrUnknownName", "jdoe", 404, "No user has the username or ID jdoe."},
			{"ErrUnknownID", "Users-999", 404, "No user has the username or ID Users-999."},
			{"ErrPartOfAName", "joh", 404, "No user has the username or ID joh."},
			{"ErrAlreadyAMember", "John", 409, "John (john) is already a member of the team."},
			{"ErrAlreadyAMemberByID", john.ID, 409, "John (john) is already a member of the team."},
			{"ErrDisabled", "priya", 400, "Priya (priya) is disabled: enable them on their page before adding them to a team."},
		} {
			t.Run(c.name, func(t *testing.T) {
				b.post(path+"/members", url.Values{"csrf_token": {page.token(t)}, "user": {c.typed}}).want(t, c.status,
					"<li>"+c.problem+"</li>", `<p class="error" id="new-member-error">`+c.problem+`</p>`,
					`value="`+c.typed+`" required aria-required="true" aria-invalid="true" aria-describedby="new-member-hint new-member-error">`,
					"<title>Team Reviewers · octoinvite</title>")
			})
		}
		if got := sorted(members(t, env, team.ID)); !slices.Equal(got, []string{octoinvite.AdminUserID, john.ID, mary.ID}) {
			t.Errorf("after the refused additions: got members %v, want [Users-1 %s %s]", got, john.ID, mary.ID)
		}
		b.get(path+"?find=priya").want(t, 200, `<span class="muted">(priya)</span>
<span class="muted">disabled</span>`)
		b.post("/app/configuration/teams/teams-everyone/members", url.Values{"csrf_token": {page.token(t)}, "user": {"john"}}).
			want(t, 400, "<li>The members of the team Everyone cannot change: every user belongs to it.</li>")
	})
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

// recordingUsers is a user service that records the filters the pages find users with.
type recordingUsers struct {
	octoinvite.UserService
	mu      sync.Mutex
	filters []octoinvite.UserFilter
}

func (r *recordingUsers) FindUsers(ctx context.Context, filter octoinvite.UserFilter) (octoinvite.Page[*octoinvite.User], error) {
	r.mu.Lock()
	r.filters = append(r.filters, filter)
	r.mu.Unlock()
	return r.UserService.FindUsers(ctx, filter)
}

// take returns the filters recorded since the last call.
func (r *recordingUsers) take() []octoinvite.UserFilter {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.filters
	r.filters = nil
	return out
}

// TestTeamPages_readOnlyShownUsers opens the teams and a team's page in an installation of
// hundreds of users: the pages read the users they show, by ID, and the team's page offers no
// choice of every user; the Everyone team's members are a page at a time.
func TestTeamPages_readOnlyShownUsers(t *testing.T) {
	env, _, teamID := setup(t)
	ctx := context.Background()
	const many = 300
	var ids []string
	for i := range many {
		u := &octoinvite.User{Username: fmt.Sprintf("user%03d", i), DisplayName: fmt.Sprintf("User %03d", i), IsActive: true}
		if err := env.DB.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.ID)
	}
	team, err := env.DB.FindTeamByID(ctx, teamID)
	if err != nil {
		t.Fatal(err)
	}
	team.MemberUserIDs = ids[:3]
	if err := env.DB.UpdateTeam(ctx, team); err != nil {
		t.Fatal(err)
	}
	users := &recordingUsers{UserService: env.DB}
	srv := httptest.NewServer(servertest.NewPagesWithUsers(env.API, env.DB, env.Clock, users))
	t.Cleanup(srv.Close)
	pages := *env
	pages.URL = srv.URL
	b := newBrowser(t, &pages)
	b.signIn("admin", adminPassword)
	users.take()

	// wantByID fails unless every recorded filter reads users by ID, no more than wantTake.
	wantByID := func(t *testing.T, page string, wantTake int) {
		t.Helper()
		filters := users.take()
		if len(filters) == 0 {
			t.Errorf("%s: got no reading of users, want one by ID", page)
		}
		for _, f := range filters {
			if f.IDs == nil || f.Filter != "" || f.Take > wantTake || len(f.IDs) > wantTake {
				t.Errorf("%s: got FindUsers with %d IDs, filter %q, take %d; want at most %d IDs and no filter", page, len(f.IDs), f.Filter, f.Take, wantTake)
			}
		}
	}

	path := "/app/configuration/teams/" + teamID
	a := b.get(path)
	a.want(t, 200, "User 000", "User 002", `<input id="new-member" name="user" type="text"`)
	if n := strings.Count(a.body, "<option"); n > 0 {
		t.Errorf("got %d options on the team's page, want none", n)
	}
	wantByID(t, path, 3)

	a = b.get("/app/configuration/teams")
	a.want(t, 200, "User 000, User 001, User 002</td>",
		`Administrator, User 000, User 001, User 002, User 003, User 004, User 005, User 006, User 007, User 008, <a href="/app/configuration/teams/teams-everyone">and 291 more</a>`)
	wantByID(t, "the teams", 10)

	everyone := "/app/configuration/teams/teams-everyone"
	b.get(everyone).want(t, 200, "Showing 1 to 20 of 301.", `<a href="`+everyone+`?skip=20" rel="next">Next page</a>`, "User 018")
	wantByID(t, everyone, pageSize)
	a = b.get(everyone + "?skip=300")
	a.want(t, 200, "Showing 301 to 301 of 301.", "User 299")
	if strings.Contains(a.body, "User 298") {
		t.Errorf("got User 298 on the last page of Everyone's members, want User 299 alone")
	}
	wantByID(t, everyone+"?skip=300", pageSize)

	t.Run("Find", func(t *testing.T) {
		a := b.get(path + "?find=+USER01+")
		a.want(t, 200, `<input id="find" name="find" type="search" value="USER01" aria-describedby="find-hint">`,
			"Users who are not members matching “USER01”", `<input type="hidden" name="user" value="`+ids[10]+`"><button type="submit" class="quiet">Add<span class="visually-hidden"> User 010</span></button>`)
		if n := strings.Count(a.body, `<button type="submit" class="quiet">Add<`); n != 10 {
			t.Errorf("got %d users to add, want user010 to user019", n)
		}
		if strings.Contains(a.body, "More users match") {
			t.Errorf("got more users said to match user01, want none")
		}
		if got := users.take(); len(got) != 2 || got[1].Filter != "USER01" || got[1].Take != 20 {
			t.Errorf("got FindUsers with %+v, want the members by ID, then the search with take 20", got)
		}

		a = b.get(path + "?find=user")
		a.want(t, 200, "User 003", "User 022", "More users match: type more of the name to find them.")
		for _, absent := range []string{`value="` + ids[0] + `"><button`, "User 023"} {
			if strings.Contains(a.body, absent) {
				t.Errorf("got %q among the users to add, want the 20 first who are not members", absent)
			}
		}
		users.take()
		b.get(path+"?find=nobody").want(t, 200, "No user who is not a member matches.")
	})
}

// pageSize is the length of a page of the portal's lists.
const pageSize = 20
