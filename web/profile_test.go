package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite"
)

// TestProfile shows the signed-in user's details, teams and sessions.
func TestProfile(t *testing.T) {
	env, inv, _ := setup(t)
	b := newBrowser(t, env)
	b.submit("/app/register?invitation="+inv.InvitationCode, "/app/register", registration(inv.InvitationCode, "jane", "correct horse battery"))
	other := newBrowser(t, env)
	other.signIn("jane", "correct horse battery")
	page := b.get("/app/users/me")
	page.want(t, 200, "<dt>Display name</dt><dd>Jane Doe</dd>", "<dt>Username</dt><dd>jane</dd>", "<dt>Email address</dt><dd>jane@example.com</dd>",
		"<li><strong>On call</strong> <span class=\"muted\">in Operations</span></li>", "<li><strong>Everyone</strong> <span class=\"muted\">system team</span></li>",
		`<strong class="tag">this session</strong>`, "<td>127.0.0.1</td>", `<label for="current-password">Current password</label>`)
	if n := strings.Count(page.body, "/app/users/me/sessions/"); n != 2 {
		t.Errorf("got %d sessions listed, want 2", n)
	}
}

// TestChangePassword changes the password with the current one: the other sessions end, this
// one stays, and the new password signs in.
func TestChangePassword(t *testing.T) {
	env, _, _ := setup(t)
	newUser(t, env, "jane")
	b := newBrowser(t, env)
	b.signIn("jane", "correct horse battery")
	elsewhere := newBrowser(t, env)
	elsewhere.signIn("jane", "correct horse battery")

	tests := []struct {
		name, current, password string
		want                    []string
	}{
		{"ErrCurrentWrong", "wrong horse battery", "purple elephant umbrella",
			[]string{`<p class="error" id="current-password-error">The current password is not correct.</p>`}},
		{"ErrCurrentMissing", "", "purple elephant umbrella", []string{"Please provide your current password."}},
		{"ErrTooShort", "correct horse battery", "short", []string{`<p class="error" id="new-password-error">The password must be at least 12 characters long.</p>`}},
		{"ErrMadeOfTheName", "correct horse battery", "janejanejanejane", []string{"must not be the username"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b.submit("/app/users/me", "/app/users/me/password", url.Values{"current_password": {tt.current}, "password": {tt.password}}).want(t, 400, tt.want...)
		})
	}
	elsewhere.get("/app/users/me").want(t, 200)

	b.submit("/app/users/me", "/app/users/me/password", url.Values{"current_password": {"correct horse battery"}, "password": {"purple elephant umbrella"}}).
		wantRedirect(t, "/app/users/me")
	b.get("/app/users/me").want(t, 200, "Your password was changed. Every other session of yours has ended.")
	elsewhere.get("/app/users/me").wantRedirect(t, "/app/users/sign-in?ended=1&returnUrl=%2Fapp%2Fusers%2Fme")
	if status := apiLogin(t, env, "jane", "correct horse battery"); status != http.StatusUnauthorized {
		t.Errorf("the old password: got %d, want 401", status)
	}
	if status := apiLogin(t, env, "jane", "purple elephant umbrella"); status != http.StatusOK {
		t.Errorf("the new password: got %d, want 200", status)
	}
}

var sessionLink = regexp.MustCompile(`/app/users/me/sessions/([0-9a-f]+)/end`)

// TestEndSession ends another session from the profile, after a confirmation; ending one's own
// signs out.
func TestEndSession(t *testing.T) {
	env, _, _ := setup(t)
	newUser(t, env, "jane")
	b := newBrowser(t, env)
	b.signIn("jane", "correct horse battery")
	env.Clock.Advance(2 * time.Minute)
	elsewhere := newBrowser(t, env)
	elsewhere.signIn("jane", "correct horse battery")
	sessions, err := env.DB.FindSessions(context.Background(), "Users-2")
	if err != nil || len(sessions) != 2 {
		t.Fatalf("got %d sessions, %v; want 2", len(sessions), err)
	}
	// The most recently used first: the one elsewhere.
	other, mine := sessions[0].ID, sessions[1].ID
	if ids := sessionLink.FindAllStringSubmatch(b.get("/app/users/me").body, -1); len(ids) != 2 {
		t.Fatalf("got %d session links, want 2", len(ids))
	}

	confirm := b.get("/app/users/me/sessions/" + other + "/end")
	confirm.want(t, 200, "End the session of a Go program, from 127.0.0.1?", `<button type="submit" class="danger">End this session</button>`)
	b.post("/app/users/me/sessions/"+other+"/end", url.Values{"csrf_token": {confirm.token(t)}}).wantRedirect(t, "/app/users/me")
	b.get("/app/users/me").want(t, 200, "The session has ended.")
	elsewhere.get("/app/users/me").wantRedirect(t, "/app/users/sign-in?ended=1&returnUrl=%2Fapp%2Fusers%2Fme")
	// Ending it is recorded, by jane, with her session cookie.
	events, err := env.DB.FindEvents(context.Background(), octoinvite.EventFilter{Regarding: []string{"Users-2"}, Range: octoinvite.Range{Take: 1}})
	if err != nil || len(events.Items) != 1 {
		t.Fatalf("got %d events regarding Users-2, %v; want the session's end", len(events.Items), err)
	}
	if e := events.Items[0]; e.Category != octoinvite.EventDeleted || e.UserID != "Users-2" || e.Username != "jane" ||
		e.IdentityEstablishedWith != "Session cookie" || e.Message != "Session "+other+" of user Users-2 (jane) was ended" {
		t.Errorf("got the event %s %s %s %q %q, want Deleted by Users-2 (jane) with a session cookie, naming the session",
			e.Category, e.UserID, e.Username, e.IdentityEstablishedWith, e.Message)
	}

	t.Run("ErrAnotherUsersSession", func(t *testing.T) {
		admin := newBrowser(t, env)
		admin.signIn("admin", adminPassword)
		admin.get("/app/users/me/sessions/"+mine+"/end").want(t, 404, "This session has ended already, or is not one of yours.")
		admin.post("/app/users/me/sessions/"+mine+"/end", url.Values{"csrf_token": {admin.get("/app/users/me").token(t)}}).want(t, 404)
		b.get("/app/users/me").want(t, 200)
	})

	t.Run("OwnSessionSignsOut", func(t *testing.T) {
		confirm := b.get("/app/users/me/sessions/" + mine + "/end")
		confirm.want(t, 200, "End this session, which you are using now?")
		b.post("/app/users/me/sessions/"+mine+"/end", url.Values{"csrf_token": {confirm.token(t)}}).wantRedirect(t, "/app/users/sign-in?signedOut=1")
		b.get("/app/users/me").wantRedirect(t, "/app/users/sign-in?returnUrl=%2Fapp%2Fusers%2Fme")
	})
}

var keyValue = regexp.MustCompile(`id="new-key" type="text" readonly value="(API-[A-Z0-9]+)"`)

// TestAPIKeysPage creates a key, shown once, which works against the API; lists it with its
// purpose and date; and revokes it after a confirmation.
func TestAPIKeysPage(t *testing.T) {
	env, _, _ := setup(t)
	newUser(t, env, "jane")
	b := newBrowser(t, env)
	b.signIn("jane", "correct horse battery")
	b.get("/app/users/me/apikeys").want(t, 200, "You have no API key.", `<label for="purpose">Purpose</label>`)

	b.submit("/app/users/me/apikeys", "/app/users/me/apikeys", url.Values{"purpose": {"  "}}).want(t, 400, "Please provide the purpose of the API key.")
	created := b.submit("/app/users/me/apikeys", "/app/users/me/apikeys", url.Values{"purpose": {"laptop"}})
	created.want(t, 201, "The key “laptop” was created. Copy it now: it is shown this once", `<button type="button" class="copy" data-copy="new-key" hidden>Copy</button>`)
	m := keyValue.FindStringSubmatch(created.body)
	if m == nil {
		t.Fatalf("got no key on the page:\n%s", created.body)
	}
	req, _ := http.NewRequest("GET", env.URL+"/api/users/me", nil)
	req.Header.Set("X-Octopus-ApiKey", m[1])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("the new key: got %d, want 200", resp.StatusCode)
	}

	list := b.get("/app/users/me/apikeys")
	list.want(t, 200, "<td>laptop</td><td><code>APIKeys-2</code></td>", `title="Thursday 26 November 2026 at 10:00 UTC">just now</time>`,
		`<a href="/app/users/me/apikeys/APIKeys-2/revoke">Revoke`)
	if strings.Contains(list.body, m[1]) {
		t.Error("got the key on the list, want it shown once only")
	}

	confirm := b.get("/app/users/me/apikeys/APIKeys-2/revoke")
	confirm.want(t, 200, "Revoke the API key “laptop” (APIKeys-2)?", "It stops working at once")
	b.post("/app/users/me/apikeys/APIKeys-2/revoke", url.Values{"csrf_token": {confirm.token(t)}}).wantRedirect(t, "/app/users/me/apikeys")
	b.get("/app/users/me/apikeys").want(t, 200, "The API key “laptop” was revoked: it no longer works.", "You have no API key.")
	if _, err := env.DB.Authenticate(context.Background(), m[1]); octoinvite.ErrorCode(err) != octoinvite.EUNAUTHORIZED {
		t.Errorf("the revoked key: got %v, want EUNAUTHORIZED", err)
	}

	t.Run("ErrAnotherUsersKey", func(t *testing.T) {
		admin := newBrowser(t, env)
		admin.signIn("admin", adminPassword)
		key, err := env.DB.CreateAPIKey(context.Background(), "Users-2", "jane's")
		if err != nil {
			t.Fatal(err)
		}
		admin.get("/app/users/me/apikeys/"+key.ID+"/revoke").want(t, 404, "This API key has been revoked already, or is not one of yours.")
		admin.post("/app/users/me/apikeys/"+key.ID+"/revoke", url.Values{"csrf_token": {admin.get("/app/users/me").token(t)}}).want(t, 404)
		if _, err := env.DB.Authenticate(context.Background(), key.APIKey); err != nil {
			t.Errorf("jane's key after another user's attempt: got %v, want it working", err)
		}
	})
}
