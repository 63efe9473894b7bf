package web_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite"
)

// registration returns the form of a new account, for the invitation's code.
func registration(code, username, password string) url.Values {
	return url.Values{"invitation": {code}, "username": {username}, "display_name": {"Jane Doe"}, "email": {"jane@example.com"}, "password": {password}}
}

// TestRegisterPage shows what an invitation offers and creates the account: the new user lands
// signed in on their profile, which says once what they joined.
func TestRegisterPage(t *testing.T) {
	env, inv, teamID := setup(t)
	b := newBrowser(t, env)
	link := "/app/register?invitation=" + inv.InvitationCode

	form := b.get(link)
	form.want(t, 200, "<title>Create your account · octoinvite</title>",
		"Administrator invited you to join <strong>octoinvite</strong>, in the space <strong>Operations</strong>, as a member of <strong>On call</strong>.",
		"This invitation is for one person: it can be used once.",
		`It expires <time datetime="2026-11-28T10:00:00Z" title="Saturday 28 November 2026 at 10:00 UTC">in 2 days</time>, on Saturday 28 November 2026 at 10:00 UTC.`,
		`<label for="username">Username</label>`, `<label for="display-name">Display name</label>`,
		`<label for="email">Email address <span class="optional">(optional)</span></label>`, `<label for="password">Password</label>`,
		`autocomplete="new-password"`, "Already have an account on octoinvite?", `<label for="join-username">Username</label>`)
	if b.cookie("octoinvite_presession") == "" {
		t.Fatal("got no pre-session cookie with the form, want one")
	}

	t.Run("ErrInvalidFields", func(t *testing.T) {
		a := b.submit(link, "/app/register", registration(inv.InvitationCode, "jane", "short"))
		a.want(t, 400, `<div class="problems" role="alert" id="problems">`, "<li>The password must be at least 12 characters long.</li>",
			`aria-invalid="true" aria-describedby="password-hint password-error"`, `value="jane"`, `value="jane@example.com"`)
		if strings.Contains(a.body, "short") {
			t.Error("got the password echoed in the page, want it left out")
		}
	})
	t.Run("ErrFieldsMappedByField", func(t *testing.T) {
		// The taken username's message quotes it, "(Password)" and all: the problem belongs to
		// the username field alone.
		env.CreateUser(t, "Eve (Password)")
		a := b.submit(link, "/app/register", registration(inv.InvitationCode, "ＥＶＥ (Password)", "correct horse battery"))
		a.want(t, 400, `<p class="error" id="username-error">The username &#39;EVE (Password)&#39; is already taken; please choose another.</p>`)
		if strings.Contains(a.body, `id="password-error"`) {
			t.Errorf("got an error beside the password field, want one beside the username only:\n%s", a.body)
		}
	})
	t.Run("ErrHostileText", func(t *testing.T) {
		v := registration(inv.InvitationCode, "jane", "correct horse battery")
		v.Set("display_name", "Jane\xffDoe")
		b.submit(link, "/app/register", v).want(t, 400, `<p class="error" id="display-name-error">The display name must be valid UTF-8 text.</p>`)
		v.Set("display_name", "Jane\x00Doe")
		b.submit(link, "/app/register", v).want(t, 400, `<p class="error" id="display-name-error">The display name may not contain control characters.</p>`)
	})
	if got := userTotal(t, env); got != 2 {
		t.Fatalf("got %d users after refused forms, want 2", got)
	}

	t.Run("OK", func(t *testing.T) {
		b.submit(link, "/app/register", registration(inv.InvitationCode, "jane", "correct horse battery")).wantRedirect(t, "/app/users/me")
		profile := b.get("/app/users/me")
		profile.want(t, 200, `<div class="notice success" role="status"><p>Welcome, Jane Doe. Your account jane is ready. You are now a member of 1 team in the space Operations:</p><ul><li>On call</li></ul></div>`,
			"Signed in as <strong>Jane Doe</strong>")
		if strings.Contains(b.get("/app/users/me").body, "Welcome") {
			t.Error("got the welcome again on the next page, want it once")
		}
		if got := members(t, env, teamID); len(got) != 1 || got[0] != "Users-3" {
			t.Errorf("got members %v, want [Users-3]", got)
		}
		events, err := env.DB.FindEvents(context.Background(), octoinvite.EventFilter{Regarding: []string{"Users-3"}, Range: octoinvite.Range{Take: 10}})
		if err != nil {
			t.Fatal(err)
		}
		if len(events.Items) == 0 || events.Items[len(events.Items)-1].IdentityEstablishedWith != "Invitation code" {
			t.Errorf("got events %+v, want the registration recorded as made with an invitation code", events.Items)
		}
	})
	t.Run("ErrUsedAfterwards", func(t *testing.T) {
		newBrowser(t, env).get(link).want(t, 410, "This invitation has already been used.")
	})
}

// TestRegisterPage_multipleUses words an invitation for several people as such.
func TestRegisterPage_multipleUses(t *testing.T) {
	env, _, teamID := setup(t)
	inv := invite(t, env, 10, ptr("Spaces-2"), teamID, octoinvite.AdministratorsTeamID)
	b := newBrowser(t, env)
	b.get("/app/register?invitation="+inv.InvitationCode).want(t, 200, "This invitation can be used by 10 people: 10 places are left.",
		"as a member of <strong>On call</strong> and <strong>Octopus Administrators</strong>.")
	for i := range 9 {
		if _, err := env.DB.Register(context.Background(), &octoinvite.Registration{Username: "user" + string(rune('a'+i)), DisplayName: "User",
			Password: "correct horse battery", InvitationCode: inv.InvitationCode}); err != nil {
			t.Fatal(err)
		}
	}
	b.get("/app/register?invitation="+inv.InvitationCode).want(t, 200, "This invitation can be used by 10 people: one place is left.")
}

// TestRegisterPage_badLinks explains, in plain words, links that cannot be used.
func TestRegisterPage_badLinks(t *testing.T) {
	env, inv, _ := setup(t)
	second := invite(t, env, 1, nil)
	fresh, err := env.DB.RegenerateInvitation(context.Background(), second.ID, "admin", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	withdrawn := invite(t, env, 1, nil)
	if _, _, err := env.DB.RevokeInvitation(context.Background(), withdrawn.ID, "admin"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		code   string
		status int
		want   []string
	}{
		{"ErrNoCode", "", 404, []string{"This invitation link is not valid."}},
		{"ErrUnknownCode", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 404, []string{"This invitation link is not valid."}},
		{"ErrTruncatedCode", inv.InvitationCode[:10], 404, []string{"Check that you opened the whole link"}},
		{"ErrReplacedLink", second.InvitationCode, 404, []string{"This invitation link is not valid."}},
		{"OKNewLink", fresh.InvitationCode, 200, []string{"Create your account"}},
		{"ErrWithdrawn", withdrawn.InvitationCode, 410, []string{"This invitation has been withdrawn.", "can no longer be used to create an account",
			"ask the person who invited you to send you a new invitation"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			newBrowser(t, env).get("/app/register?invitation="+url.QueryEscape(tt.code)).want(t, tt.status, tt.want...)
		})
	}
	t.Run("ErrWithdrawnForm", func(t *testing.T) {
		b := newBrowser(t, env)
		token := b.get("/app/register?invitation=" + inv.InvitationCode).token(t)
		if _, _, err := env.DB.RevokeInvitation(context.Background(), inv.ID, "admin"); err != nil {
			t.Fatal(err)
		}
		v := registration(inv.InvitationCode, "jane", "correct horse battery")
		v.Set("csrf_token", token)
		b.post("/app/register", v).want(t, 410, "This invitation has been withdrawn.")
	})
	t.Run("ErrExpired", func(t *testing.T) {
		env.Clock.Advance(octoinvite.DefaultInvitationLifetime)
		newBrowser(t, env).get("/app/register?invitation="+fresh.InvitationCode).want(t, 410, "This invitation has expired.", "Ask the person who invited you")
	})
	if got := userTotal(t, env); got != 1 {
		t.Errorf("got %d users, want only the administrator", got)
	}
}

// TestJoinWithExistingAccount accepts an invitation with an account the person has: signed
// in already, or signing in on the invitation's page. The code is used as a registration uses it.
func TestJoinWithExistingAccount(t *testing.T) {
	env, inv, teamID := setup(t)
	newUser(t, env, "john")
	link := "/app/register?invitation=" + inv.InvitationCode

	t.Run("SignedIn", func(t *testing.T) {
		b := newBrowser(t, env)
		b.signIn("john", "correct horse battery")
		page := b.get(link)
		page.want(t, 200, "<title>Join with your account · octoinvite</title>", "You are signed in as <strong>John</strong> (john).",
			"Accepting adds you to On call.", `<form method="post" action="/app/register/join"`, "Join these teams")
		if strings.Contains(page.body, `action="/app/register"`) {
			t.Error("got the form of a new account for a signed-in user, want the join form alone")
		}
		b.post("/app/register/join", url.Values{"csrf_token": {page.token(t)}, "invitation": {inv.InvitationCode}}).wantRedirect(t, "/app/users/me")
		b.get("/app/users/me").want(t, 200, "You joined 1 team in the space Operations:", "<li>On call</li>")
		if got := members(t, env, teamID); !slices.Equal(got, []string{"Users-2"}) {
			t.Errorf("got members %v, want [Users-2]", got)
		}
		stored, err := env.DB.FindInvitationByID(context.Background(), inv.ID)
		if err != nil || stored.Uses != 1 || *stored.RedeemedBy != "Users-2" {
			t.Errorf("got the invitation %+v, %v; want one use, by Users-2", stored, err)
		}
		b.get(link).want(t, 410, "This invitation has already been used.")
	})

	t.Run("SignInAndJoin", func(t *testing.T) {
		second := invite(t, env, 2, ptr("Spaces-2"), teamID)
		newUser(t, env, "mary")
		b := newBrowser(t, env)
		wrong := b.submit("/app/register?invitation="+second.InvitationCode, "/app/register/join",
			url.Values{"invitation": {second.InvitationCode}, "username": {"mary"}, "password": {"wrong horse battery"}})
		wrong.want(t, 401, "The username or password is not correct.", `id="join-username" name="username" type="text" autocomplete="username" value="mary"`)
		b.submit("/app/register?invitation="+second.InvitationCode, "/app/register/join",
			url.Values{"invitation": {second.InvitationCode}, "username": {"mary"}, "password": {"correct horse battery"}}).wantRedirect(t, "/app/users/me")
		b.get("/app/users/me").want(t, 200, "Signed in as <strong>Mary</strong>", "You joined 1 team in the space Operations:")
		if got := members(t, env, teamID); !slices.Contains(got, "Users-3") {
			t.Errorf("got members %v, want mary (Users-3) among them", got)
		}
	})

	t.Run("ErrNothingToJoin", func(t *testing.T) {
		third := invite(t, env, 1, ptr("Spaces-2"), teamID)
		b := newBrowser(t, env)
		b.signIn("john", "correct horse battery")
		page := b.get("/app/register?invitation=" + third.InvitationCode)
		page.want(t, 200, "You are a member of On call already.", "there is nothing to join")
		b.post("/app/register/join", url.Values{"csrf_token": {page.token(t)}, "invitation": {third.InvitationCode}}).wantRedirect(t, "/app/users/me")
		b.get("/app/users/me").want(t, 200, "You are already a member of every team this invitation adds, so it was not used")
		stored, _ := env.DB.FindInvitationByID(context.Background(), third.ID)
		if stored.Uses != 0 {
			t.Errorf("got %d uses, want the invitation unused", stored.Uses)
		}
	})
}

func ptr(s string) *string { return &s }

// TestRegisterPage_removedTeam opens an invitation whose team was deleted: the page names it,
// and the teams the invitee still joins.
func TestRegisterPage_removedTeam(t *testing.T) {
	env, inv, teamID := setup(t)
	kept := env.CreateTeam(t, "Testers", inv.SpaceID)
	other := invite(t, env, 1, inv.SpaceID, teamID, kept.ID)
	if err := env.DB.DeleteTeam(context.Background(), teamID); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, env)
	b.get("/app/register?invitation="+other.InvitationCode).want(t, 200, "as a member of <strong>Testers</strong>.</p>",
		"<p>Since you were invited, the team On call was deleted: you will not join it.</p>")
	b.get("/app/register?invitation="+inv.InvitationCode).want(t, 200, "in the space <strong>Operations</strong>.</p>",
		"<p>Since you were invited, the team On call was deleted: you will not join it.</p>")
}
