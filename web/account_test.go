package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/internal/servertest"
)

// TestPageHeaders checks the headers every page carries: a strict Content-Security-Policy with
// no inline script, no framing, no Referer.
func TestPageHeaders(t *testing.T) {
	env, inv, _ := setup(t)
	b := newBrowser(t, env)
	for _, path := range []string{"/app/users/sign-in", "/app/register?invitation=" + inv.InvitationCode, "/app/nowhere", "/app"} {
		a := b.get(path)
		for name, want := range map[string]string{
			"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'",
			"Referrer-Policy":         "no-referrer",
			"X-Content-Type-Options":  "nosniff",
			"X-Frame-Options":         "DENY",
			"Content-Type":            "text/html; charset=utf-8",
			"Cache-Control":           "no-store",
		} {
			if got := a.header.Get(name); got != want {
				t.Errorf("%s: got %s %q, want %q", path, name, got, want)
			}
		}
		if strings.Contains(a.body, "<script>") || strings.Contains(a.body, " style=") || strings.Contains(a.body, " on") && strings.Contains(a.body, "onclick") {
			t.Errorf("%s: got inline script or style, want none:\n%s", path, a.body)
		}
		if !strings.Contains(a.body, `<script src="/app/assets/app.js" defer></script>`) {
			t.Errorf("%s: got no script file, want the pages' own", path)
		}
	}
}

// TestHome leads a signed-out person to sign in, and a signed-in one to their home page, from
// / and /app/.
func TestHome(t *testing.T) {
	env, _, _ := setup(t)
	b := newBrowser(t, env)
	b.get("/").wantRedirect(t, "/app/")
	b.get("/app/").wantRedirect(t, "/app/users/sign-in")
	b.get("/app/users/me").wantRedirect(t, "/app/users/sign-in?returnUrl=%2Fapp%2Fusers%2Fme")

	b.signIn("admin", adminPassword)
	b.get("/app/").wantRedirect(t, "/app/configuration/users/invitations")
	jane := newBrowser(t, env)
	newUser(t, env, "jane")
	jane.signIn("jane", "correct horse battery")
	jane.get("/app/").wantRedirect(t, "/app/users/me")
	jane.get("/app/users/sign-in").wantRedirect(t, "/app/users/me")

	t.Run("OctopusLinks", func(t *testing.T) {
		// /app is where Octopus's web links (/app#/...) land: a page that lists the pages.
		jane.get("/app").want(t, 200, `<a href="/app/users/me">Your profile</a>`, "data-octopus-link")
		newBrowser(t, env).get("/app").want(t, 200, `<a href="/app/users/sign-in">Sign in</a>`)
	})
}

// TestSignIn signs in, goes back to the page that asked, and refuses what it must.
func TestSignIn(t *testing.T) {
	env, _, _ := setup(t)
	newUser(t, env, "jane")

	t.Run("ReturnsToThePage", func(t *testing.T) {
		b := newBrowser(t, env)
		b.get("/app/users/me/apikeys").wantRedirect(t, "/app/users/sign-in?returnUrl=%2Fapp%2Fusers%2Fme%2Fapikeys")
		form := b.get("/app/users/sign-in?returnUrl=%2Fapp%2Fusers%2Fme%2Fapikeys")
		form.want(t, 200, `<input type="hidden" name="returnUrl" value="/app/users/me/apikeys">`, `<label for="username">Username</label>`,
			`<label for="password">Password</label>`, `autocomplete="current-password"`)
		b.post("/app/users/sign-in", url.Values{"csrf_token": {form.token(t)}, "username": {"JANE"}, "password": {"correct horse battery"},
			"returnUrl": {"/app/users/me/apikeys"}}).wantRedirect(t, "/app/users/me/apikeys")
		b.get("/app/users/me/apikeys").want(t, 200, "Your API keys", "Signed in as <strong>Jane</strong>")
	})

	t.Run("ErrOpenRedirect", func(t *testing.T) {
		for _, target := range []string{"//evil.example", "/\\evil.example", "https://evil.example/app/", "http:evil.example",
			"/app/..//evil.example", "\\\\evil.example", "/\t/evil.example", "/app\n/x", " //evil.example", "javascript:alert(1)",
			"/api/users/me", "/elsewhere", "/app/../api", "//evil.example/app/users/me"} {
			b := newBrowser(t, env)
			form := b.get("/app/users/sign-in?returnUrl=" + url.QueryEscape(target))
			if strings.Contains(form.body, `name="returnUrl"`) {
				t.Errorf("%q: got a form that returns there, want none", target)
			}
			b.post("/app/users/sign-in", url.Values{"csrf_token": {form.token(t)}, "username": {"jane"}, "password": {"correct horse battery"},
				"returnUrl": {target}}).wantRedirect(t, "/app/users/me")
		}
	})

	t.Run("ErrWrongPassword", func(t *testing.T) {
		b := newBrowser(t, env)
		a := b.submit("/app/users/sign-in", "/app/users/sign-in", url.Values{"username": {"jane"}, "password": {"wrong horse battery"}})
		a.want(t, 401, "The username or password is not correct.", `value="jane"`)
		if strings.Contains(a.body, "wrong horse battery") {
			t.Error("got the password echoed in the page, want it left out")
		}
		b.get("/app/users/me").wantRedirect(t, "/app/users/sign-in?returnUrl=%2Fapp%2Fusers%2Fme")
	})

	t.Run("ErrThrottledLikeTheAPI", func(t *testing.T) {
		// The pages sign in through the API's path: the per-username budget covers both.
		newUser(t, env, "mallory")
		b := newBrowser(t, env)
		for range 10 {
			b.submit("/app/users/sign-in", "/app/users/sign-in", url.Values{"username": {"mallory"}, "password": {"not the password"}}).want(t, 401)
		}
		b.submit("/app/users/sign-in", "/app/users/sign-in", url.Values{"username": {"mallory"}, "password": {"correct horse battery"}}).
			want(t, 429, "Too many failed sign-ins for this username.")
		resp := apiLogin(t, env, "mallory", "correct horse battery")
		if resp != http.StatusTooManyRequests {
			t.Errorf("the API's sign-in after the pages' failures: got %d, want 429", resp)
		}
	})
}

// apiLogin signs in through the API and returns the status.
func apiLogin(t *testing.T, env *servertest.Env, username, password string) int {
	t.Helper()
	resp, err := http.Post(env.URL+"/api/users/login", "application/json",
		strings.NewReader(`{"Username":"`+username+`","Password":"`+password+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestSignOut ends the session with a form; a link alone cannot. The sign-out is audited once.
func TestSignOut(t *testing.T) {
	env, _, _ := setup(t)
	newUser(t, env, "jane")
	b := newBrowser(t, env)
	b.signIn("jane", "correct horse battery")
	sessions, err := env.DB.FindSessions(context.Background(), "Users-2")
	if err != nil || len(sessions) != 1 {
		t.Fatalf("got %d sessions, %v; want 1", len(sessions), err)
	}
	env.Clock.Advance(time.Minute)
	page := b.get("/app/users/sign-out")
	page.want(t, 200, "Sign out of octoinvite on this browser?", `<form method="post" action="/app/users/sign-out"`)
	b.post("/app/users/sign-out", url.Values{}).want(t, 403, "The form could not be accepted")
	b.post("/app/users/sign-out", url.Values{"csrf_token": {page.token(t)}}).wantRedirect(t, "/app/users/sign-in?signedOut=1")
	b.get("/app/users/sign-in?signedOut=1").want(t, 200, "You have signed out.")
	if sessions, _ := env.DB.FindSessions(context.Background(), "Users-2"); len(sessions) != 0 {
		t.Errorf("got %d sessions after signing out, want none", len(sessions))
	}
	b.get("/app/users/me").wantRedirect(t, "/app/users/sign-in?returnUrl=%2Fapp%2Fusers%2Fme")
	// Signing out again, with no session, records nothing more.
	b.post("/app/users/sign-out", url.Values{"csrf_token": {page.token(t)}}).want(t, 403)

	events, err := env.DB.FindEvents(context.Background(), octoinvite.EventFilter{Range: octoinvite.Range{Take: 100}})
	if err != nil {
		t.Fatal(err)
	}
	var signOuts []string
	for _, e := range events.Items {
		if e.Category == octoinvite.EventLogoutSucceeded {
			signOuts = append(signOuts, fmt.Sprintf("%s %s %s %q %s %s %q %v", e.UserID, e.Username, e.IdentityEstablishedWith,
				e.UserAgent, e.IPAddress, e.Occurred, e.Message, e.RelatedDocumentIDs))
		}
	}
	want := []string{`Users-2 jane Session cookie "Go-http-client/1.1" 127.0.0.1 2026-11-26 10:01:00 +0000 UTC "User Users-2 (jane) signed out" [Users-2]`}
	if !slices.Equal(signOuts, want) {
		t.Errorf("got sign-outs\n%s\nwant\n%s", strings.Join(signOuts, "\n"), strings.Join(want, "\n"))
	}
	signedInAdmin(t, env).get("/app/configuration/audit?user=jane").want(t, 200, "User Users-2 (jane) signed out")
}

// TestForgedForms refuses every form whose anti-forgery token the server did not issue to
// this browser, before anything changes.
func TestForgedForms(t *testing.T) {
	env, inv, teamID := setup(t)
	newUser(t, env, "jane")
	registration := url.Values{"invitation": {inv.InvitationCode}, "username": {"eve"}, "display_name": {"Eve"}, "password": {"correct horse battery"}}

	t.Run("ErrNoToken", func(t *testing.T) {
		b := newBrowser(t, env)
		b.get("/app/register?invitation=" + inv.InvitationCode)
		b.post("/app/register", registration).want(t, 403, "The form could not be accepted")
	})
	t.Run("ErrTokenWithoutItsCookie", func(t *testing.T) {
		token := newBrowser(t, env).get("/app/register?invitation=" + inv.InvitationCode).token(t)
		b := newBrowser(t, env)
		v := cloneValues(registration)
		v.Set("csrf_token", token)
		b.post("/app/register", v).want(t, 403, "The form could not be accepted")
	})
	t.Run("ErrCookieAndFieldChosenByAnAttacker", func(t *testing.T) {
		// Equal, well-formed, but not issued by the server: refused.
		forged := strings.Repeat("A", 43)
		b := newBrowser(t, env)
		v := cloneValues(registration)
		v.Set("csrf_token", forged)
		b.post("/app/register", v, "Cookie", "octoinvite_presession="+forged).want(t, 403, "The form could not be accepted")
		signedIn := newBrowser(t, env)
		signedIn.signIn("jane", "correct horse battery")
		signedIn.post("/app/users/me/apikeys", url.Values{"csrf_token": {forged}, "purpose": {"stolen"}},
			"Cookie", "octoinvite_presession="+forged).want(t, 403, "The form could not be accepted")
	})
	t.Run("ErrAnotherBrowsersToken", func(t *testing.T) {
		victim := newBrowser(t, env)
		victim.signIn("jane", "correct horse battery")
		attacker := newBrowser(t, env)
		attacker.signIn("admin", adminPassword)
		token := attacker.get("/app/users/me/apikeys").token(t)
		victim.post("/app/users/me/apikeys", url.Values{"csrf_token": {token}, "purpose": {"stolen"}}).want(t, 403, "The form could not be accepted")
	})
	t.Run("ErrCrossSite", func(t *testing.T) {
		b := newBrowser(t, env)
		v := cloneValues(registration)
		v.Set("csrf_token", b.get("/app/register?invitation="+inv.InvitationCode).token(t))
		if a := b.post("/app/register", v, "Sec-Fetch-Site", "cross-site"); a.status != 403 {
			t.Fatalf("got %d, want 403", a.status)
		}
	})
	if got := userTotal(t, env); got != 2 {
		t.Errorf("got %d users after forged forms, want 2", got)
	}
	if got := members(t, env, teamID); len(got) != 0 {
		t.Errorf("got members %v after forged forms, want none", got)
	}
	keys, err := env.DB.FindAPIKeys(context.Background(), "Users-2", octoinvite.Range{Take: 10})
	if err != nil || keys.Total != 0 {
		t.Errorf("got %d keys of jane, %v; want none", keys.Total, err)
	}
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// TestEndedSession sends a browser whose session has ended (idle too long, past its lifetime,
// or ended elsewhere) to sign in again, saying so, and back to the page afterwards.
func TestEndedSession(t *testing.T) {
	env, _, _ := setup(t)
	newUser(t, env, "jane")
	b := newBrowser(t, env)
	b.signIn("jane", "correct horse battery")
	b.get("/app/users/me").want(t, 200)

	env.Clock.Advance(octoinvite.DefaultSessionIdleTimeout)
	b.get("/app/users/me/apikeys").wantRedirect(t, "/app/users/sign-in?ended=1&returnUrl=%2Fapp%2Fusers%2Fme%2Fapikeys")
	b.get("/app/users/sign-in?ended=1&returnUrl=%2Fapp%2Fusers%2Fme%2Fapikeys").want(t, 200, "Your session has ended. Please sign in again.")
	if b.cookie("OctopusIdentificationToken_"+env.DB.InstallationID()) != "" {
		t.Error("got the ended session's cookie kept, want it cleared")
	}

	t.Run("UsedSessionsLive", func(t *testing.T) {
		b := newBrowser(t, env)
		b.signIn("jane", "correct horse battery")
		// Used every 20 minutes, it lives its whole 8 hours, and no longer.
		for range 23 {
			env.Clock.Advance(20 * time.Minute)
			b.get("/app/users/me").want(t, 200)
		}
		env.Clock.Advance(20 * time.Minute)
		b.get("/app/users/me").wantRedirect(t, "/app/users/sign-in?ended=1&returnUrl=%2Fapp%2Fusers%2Fme")
	})
	t.Run("ErrFormOfAnEndedSession", func(t *testing.T) {
		b := newBrowser(t, env)
		b.signIn("jane", "correct horse battery")
		token := b.get("/app/users/me/apikeys").token(t)
		env.Clock.Advance(octoinvite.DefaultSessionLifetime)
		b.post("/app/users/me/apikeys", url.Values{"csrf_token": {token}, "purpose": {"late"}}).
			wantRedirect(t, "/app/users/sign-in?ended=1&returnUrl=%2Fapp%2Fusers%2Fme%2Fapikeys")
	})
}

// TestNotFoundAndAssets answers unknown addresses with a page, never JSON, and serves the
// assets but no folder's listing.
func TestNotFoundAndAssets(t *testing.T) {
	env, _, _ := setup(t)
	b := newBrowser(t, env)
	for _, path := range []string{"/app/elsewhere", "/app/assets/", "/app/assets", "/app/assets/nope.css", "/app/assets/../templates/layout.html",
		"/app/configuration/nothing"} {
		a := b.get(path)
		if a.status == http.StatusSeeOther || a.status == http.StatusMovedPermanently || a.status == http.StatusTemporaryRedirect {
			continue // a redirect to the clean path, or to sign in: the next page answers
		}
		a.want(t, 404, "There is no page here.")
		if ct := a.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("%s: got Content-Type %q, want a page", path, ct)
		}
	}
	b.get("/app/assets/style.css").want(t, 200, "font-family")
	b.get("/app/assets/app.js").want(t, 200, "navigator.clipboard")
}

// TestOctopusAddresses leads the addresses of Octopus's portal (what follows /app#/, which the
// page at /app forwards) to the matching pages.
func TestOctopusAddresses(t *testing.T) {
	env, _, _ := setup(t)
	b := newBrowser(t, env)
	b.signIn("admin", adminPassword)
	for path, want := range map[string]string{
		"/app/users/me/apiKeys":              "/app/users/me/apikeys",
		"/app/spaces/Spaces-2":               "/app/configuration/spaces/Spaces-2",
		"/app/Spaces-2":                      "/app/configuration/spaces/Spaces-2",
		"/app/Spaces-2/configuration/teams":  "/app/configuration/teams",
		"/app/configuration/spaces":          "/app/configuration/teams",
		"/app/configuration/spaces/Spaces-2": "/app/configuration/teams?space=Spaces-2#Spaces-2",
		"/app/spaces-2/users/me":             "/app/users/me",
	} {
		b.get(path).wantRedirect(t, want)
	}
	for _, path := range []string{"/app/users/me", "/app/configuration/teams/teams-everyone", "/app/configuration/users/Users-1",
		"/app/configuration/users/invitations/Invitations-1", "/app/configuration/audit"} {
		b.get(path).want(t, 200)
	}
	b.get("/app/spaces/nothing").want(t, 404, "There is no page here.")
}
