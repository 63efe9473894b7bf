package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/internal/servertest"
)

type page struct {
	status int
	header http.Header
	body   string
}

func get(t *testing.T, c *http.Client, u string) page {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	return read(t, resp)
}

func post(t *testing.T, c *http.Client, u string, form url.Values, headers ...string) page {
	t.Helper()
	req, err := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return read(t, resp)
}

func read(t *testing.T, resp *http.Response) page {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return page{resp.StatusCode, resp.Header, string(b)}
}

// want fails unless the page has the status and contains every fragment.
func (p page) want(t *testing.T, status int, fragments ...string) {
	t.Helper()
	if p.status != status {
		t.Fatalf("got status %d, want %d; page:\n%s", p.status, status, p.body)
	}
	for _, f := range fragments {
		if !strings.Contains(p.body, f) {
			t.Errorf("got a page without %q:\n%s", f, p.body)
		}
	}
}

func newBrowser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar}
}

var tokenField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func setup(t *testing.T) (*servertest.Env, *octoinvite.Invitation, string) {
	t.Helper()
	env := servertest.Start(t)
	space := env.CreateSpace(t, "Operations")
	team := env.CreateTeam(t, "On call", &space.ID)
	inv := &octoinvite.Invitation{AddToTeamIDs: []string{team.ID}, SpaceID: &space.ID, LastModifiedBy: "admin"}
	if err := env.DB.CreateInvitation(context.Background(), inv); err != nil {
		t.Fatal(err)
	}
	return env, inv, team.ID
}

// setupInvitation stores another invitation of env, into the Everyone team.
func setupInvitation(t *testing.T, env *servertest.Env) *octoinvite.Invitation {
	t.Helper()
	inv := &octoinvite.Invitation{AddToTeamIDs: []string{octoinvite.EveryoneTeamID}, LastModifiedBy: "admin"}
	if err := env.DB.CreateInvitation(context.Background(), inv); err != nil {
		t.Fatal(err)
	}
	return inv
}

// TestRegisterPageRemovedTeam opens an invitation whose team was deleted: the page names it,
// and the teams the invitee still joins.
func TestRegisterPageRemovedTeam(t *testing.T) {
	env, inv, teamID := setup(t)
	space := *inv.SpaceID
	kept := env.CreateTeam(t, "Testers", &space)
	other := &octoinvite.Invitation{AddToTeamIDs: []string{teamID, kept.ID}, SpaceID: &space, LastModifiedBy: "admin"}
	if err := env.DB.CreateInvitation(context.Background(), other); err != nil {
		t.Fatal(err)
	}
	if err := env.DB.DeleteTeam(context.Background(), teamID); err != nil {
		t.Fatal(err)
	}
	browser := newBrowser(t)
	get(t, browser, env.URL+"/app/register?invitation="+other.InvitationCode).want(t, 200,
		"as a member of\n<strong>Testers</strong>.</p>",
		"<p>Since you were invited, the team\n<strong>On call</strong> was deleted: you will not join it.</p>")
	get(t, browser, env.URL+"/app/register?invitation="+inv.InvitationCode).want(t, 200,
		"the space <strong>Operations</strong>.</p>",
		"<p>Since you were invited, the team\n<strong>On call</strong> was deleted: you will not join it.</p>")
}

func TestRegisterPage(t *testing.T) {
	env, inv, teamID := setup(t)
	browser := newBrowser(t)
	link := env.URL + "/app/register?invitation=" + inv.InvitationCode

	form := get(t, browser, link)
	form.want(t, 200, "the space <strong>Operations</strong>", "<strong>On call</strong>",
		`<time datetime="2026-11-28T10:00:00Z">Saturday 28 November 2026 at 10:00 UTC</time>`,
		`<label for="username">Username</label>`, `<label for="display-name">Display name</label>`,
		`<label for="email">Email address <span class="optional">(optional)</span></label>`, `<label for="password">Password</label>`,
		`autocomplete="new-password"`, `<link rel="stylesheet" href="/app/assets/style.css">`)
	for name, want := range map[string]string{
		"Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'",
		"Referrer-Policy":         "no-referrer",
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"Content-Type":            "text/html; charset=utf-8",
		"Cache-Control":           "no-store",
	} {
		if got := form.header.Get(name); got != want {
			t.Errorf("got %s %q, want %q", name, got, want)
		}
	}
	if strings.Contains(form.body, "<script") {
		t.Error("got a script on the page, want none")
	}
	token := tokenField.FindStringSubmatch(form.body)[1]
	fill := func(username, password string) url.Values {
		return url.Values{"invitation": {inv.InvitationCode}, "csrf_token": {token}, "username": {username},
			"display_name": {"Jane Doe"}, "email": {"jane@example.com"}, "password": {password}}
	}

	t.Run("ErrNoToken", func(t *testing.T) {
		v := fill("jane", "correct horse battery")
		v.Del("csrf_token")
		post(t, browser, env.URL+"/app/register", v).want(t, 403, "did not come from this page")
	})
	t.Run("ErrTokenWithoutCookie", func(t *testing.T) {
		post(t, http.DefaultClient, env.URL+"/app/register", fill("jane", "correct horse battery")).want(t, 403, "did not come from this page")
	})
	t.Run("ErrCrossSite", func(t *testing.T) {
		p := post(t, browser, env.URL+"/app/register", fill("jane", "correct horse battery"), "Sec-Fetch-Site", "cross-site")
		if p.status != 403 {
			t.Fatalf("got status %d, want 403", p.status)
		}
	})
	t.Run("ErrInvalidFields", func(t *testing.T) {
		p := post(t, browser, env.URL+"/app/register", fill("jane", "short"))
		p.want(t, 400, `<div class="problems" role="alert" id="problems">`, "<li>The password must be at least 12 characters long.</li>",
			`aria-invalid="true" aria-describedby="password-hint password-error"`, `value="jane"`, `value="jane@example.com"`)
		if strings.Contains(p.body, `value="short"`) {
			t.Error("got the password echoed in the page, want it left out")
		}
	})
	t.Run("ErrFieldsMappedByField", func(t *testing.T) {
		// The taken username's message quotes it, "(Password)" and all: the problem belongs to
		// the username field alone.
		env.CreateUser(t, "Eve (Password)")
		p := post(t, browser, env.URL+"/app/register", fill("ＥＶＥ (Password)", "correct horse battery"))
		p.want(t, 400, `<p class="error" id="username-error">The username &#39;EVE (Password)&#39; is already taken; please choose another.</p>`,
			`<li>The username &#39;EVE (Password)&#39; is already taken; please choose another.</li>`)
		if strings.Contains(p.body, `id="password-error"`) {
			t.Errorf("got an error beside the password field, want one beside the username only:\n%s", p.body)
		}
	})
	t.Run("ErrHostileText", func(t *testing.T) {
		v := fill("jane", "correct horse battery")
		v.Set("display_name", "Jane\xffDoe")
		post(t, browser, env.URL+"/app/register", v).want(t, 400,
			`<p class="error" id="display-name-error">The display name must be valid UTF-8 text.</p>`)
		v.Set("display_name", "Jane\x00Doe")
		post(t, browser, env.URL+"/app/register", v).want(t, 400,
			`<p class="error" id="display-name-error">The display name may not contain control characters.</p>`)
		v = fill("ja\x00ne", "correct horse battery")
		post(t, browser, env.URL+"/app/register", v).want(t, 400, `<p class="error" id="username-error">The username may hold letters`)
	})
	if got := userTotal(t, env); got != 2 {
		t.Fatalf("got %d users after refused forms, want 2", got)
	}

	t.Run("OK", func(t *testing.T) {
		post(t, browser, env.URL+"/app/register", fill("jane", "correct horse battery")).want(t, 200,
			"Your account is ready", "Your account <strong>jane</strong> is ready", "<strong>On call</strong> in the space <strong>Operations</strong>",
			"POST "+env.URL+"/api/users/login", "/api/users/Users-3/apikeys",
			"octoinvite apikey create --server "+env.URL+" --purpose laptop --username jane --password-stdin")
		team, err := env.DB.FindTeamByID(context.Background(), teamID)
		if err != nil {
			t.Fatal(err)
		}
		if len(team.MemberUserIDs) != 1 || team.MemberUserIDs[0] != "Users-3" {
			t.Errorf("got members %v, want [Users-3]", team.MemberUserIDs)
		}
	})
	t.Run("ErrUsedAfterwards", func(t *testing.T) {
		get(t, browser, link).want(t, 410, "This invitation has already been used.")
		post(t, browser, env.URL+"/app/register", fill("john", "correct horse battery")).want(t, 410, "This invitation has already been used.")
	})
}

func TestRegisterPage_badLinks(t *testing.T) {
	env, inv, _ := setup(t)
	tests := []struct {
		name   string
		path   string
		status int
		want   string
	}{
		{"ErrNoCode", "/app/register", 404, "This invitation link is not valid."},
		{"ErrUnknownCode", "/app/register?invitation=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 404, "This invitation link is not valid."},
		{"ErrTruncatedCode", "/app/register?invitation=" + inv.InvitationCode[:10], 404, "Check that you opened the whole link"},
		{"ErrNoSuchPage", "/app/elsewhere", 404, "There is no page here."},
		// The assets' folder is not listed; a missing asset is a page too.
		{"ErrAssetsFolder", "/app/assets/", 404, "There is no page here."},
		{"ErrAssetsFolderNoSlash", "/app/assets", 404, "There is no page here."},
		{"ErrNoSuchAsset", "/app/assets/nope.css", 404, "There is no page here."},
		{"ErrAssetOutside", "/app/assets/../templates/layout.html", 404, "There is no page here."},
		// Paths with empty or dot segments lead to the page (the client follows the redirect).
		{"DoubleSlash", "//app/register?invitation=" + inv.InvitationCode, 200, "Create your account"},
		{"DotSegment", "/app/./register?invitation=" + inv.InvitationCode, 200, "Create your account"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := get(t, http.DefaultClient, env.URL+tt.path)
			p.want(t, tt.status, tt.want)
			if ct := p.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("got Content-Type %q, want a page", ct)
			}
		})
	}
	t.Run("RedirectIsAPage", func(t *testing.T) {
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		p := get(t, noFollow, env.URL+"//app/register?invitation=X")
		if p.status != http.StatusTemporaryRedirect && p.status != http.StatusMovedPermanently {
			t.Fatalf("got %d, want a redirect", p.status)
		}
		if loc, ct, csp := p.header.Get("Location"), p.header.Get("Content-Type"), p.header.Get("Content-Security-Policy"); loc != "/app/register?invitation=X" ||
			ct != "text/html; charset=utf-8" || csp == "" {
			t.Errorf("got Location %q, Content-Type %q, Content-Security-Policy %q; want the page's clean address, with the pages' headers", loc, ct, csp)
		}
	})
	t.Run("ErrExpired", func(t *testing.T) {
		env.Clock.Advance(octoinvite.DefaultInvitationLifetime)
		get(t, http.DefaultClient, env.URL+"/app/register?invitation="+inv.InvitationCode).want(t, 410,
			"This invitation has expired.", "Ask the person who invited you")
	})
	t.Run("OKAsset", func(t *testing.T) {
		p := get(t, http.DefaultClient, env.URL+"/app/assets/style.css")
		p.want(t, 200, "font-family")
		if ct := p.header.Get("Content-Type"); ct != "text/css; charset=utf-8" {
			t.Errorf("got Content-Type %q, want text/css; charset=utf-8", ct)
		}
	})
}

func userTotal(t *testing.T, env *servertest.Env) int {
	t.Helper()
	page, err := env.DB.FindUsers(context.Background(), octoinvite.UserFilter{Range: octoinvite.Range{Take: 10}})
	if err != nil {
		t.Fatal(err)
	}
	return page.Total
}
