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

// The pages' tests drive a real server (the real handler over the real store) with a client
// that keeps cookies as a browser does and does not follow redirects, so that each test sees
// every answer: its status, its redirect, its page.

// answer is a page as a client received it.
type answer struct {
	status int
	header http.Header
	body   string
}

// browser is a client with a cookie jar that does not follow redirects.
type browser struct {
	t      *testing.T
	env    *servertest.Env
	client *http.Client
}

func newBrowser(t *testing.T, env *servertest.Env) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, env: env, client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(req *http.Request) answer {
	b.t.Helper()
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, string(body)}
}

// get opens the page at path.
func (b *browser) get(path string) answer {
	b.t.Helper()
	req, err := http.NewRequest("GET", b.env.URL+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// post sends a form to path; headers are pairs of names and values.
func (b *browser) post(path string, form url.Values, headers ...string) answer {
	b.t.Helper()
	req, err := http.NewRequest("POST", b.env.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return b.do(req)
}

// submit opens the page at page, and sends its form of action with the page's token and the
// values.
func (b *browser) submit(page, action string, values url.Values) answer {
	b.t.Helper()
	a := b.get(page)
	if a.status >= 300 {
		b.t.Fatalf("opening %s: got %d, want the page; page:\n%s", page, a.status, a.body)
	}
	values.Set("csrf_token", a.token(b.t))
	return b.post(action, values)
}

// cookie returns the value of the browser's cookie of that name for the server, "" if none.
func (b *browser) cookie(name string) string {
	u, _ := url.Parse(b.env.URL + "/app/")
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

var tokenPattern = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// token returns the anti-forgery token of the page's forms.
func (a answer) token(t *testing.T) string {
	t.Helper()
	m := tokenPattern.FindStringSubmatch(a.body)
	if m == nil {
		t.Fatalf("got a page without a form's token:\n%s", a.body)
	}
	return m[1]
}

// want fails unless the answer has the status and its page contains every fragment.
func (a answer) want(t *testing.T, status int, fragments ...string) {
	t.Helper()
	if a.status != status {
		t.Fatalf("got status %d, want %d; page:\n%s", a.status, status, a.body)
	}
	for _, f := range fragments {
		if !strings.Contains(a.body, f) {
			t.Errorf("got a page without %q:\n%s", f, a.body)
		}
	}
}

// wantRedirect fails unless the answer is a 303 to location.
func (a answer) wantRedirect(t *testing.T, location string) {
	t.Helper()
	if a.status != http.StatusSeeOther || a.header.Get("Location") != location {
		t.Fatalf("got %d to %q, want 303 to %q; page:\n%s", a.status, a.header.Get("Location"), location, a.body)
	}
}

// adminPassword is the administrator's password in the pages' tests.
const adminPassword = "silver kettle morning"

// setup starts a server whose administrator has a password, with a space Operations, a team
// On call in it, and an invitation into that team.
func setup(t *testing.T) (*servertest.Env, *octoinvite.Invitation, string) {
	t.Helper()
	env := servertest.Start(t)
	if _, err := env.DB.SetInitialPassword(context.Background(), octoinvite.AdminUserID, adminPassword, nil); err != nil {
		t.Fatal(err)
	}
	space := env.CreateSpace(t, "Operations")
	team := env.CreateTeam(t, "On call", &space.ID)
	inv := &octoinvite.Invitation{AddToTeamIDs: []string{team.ID}, SpaceID: &space.ID, LastModifiedBy: "admin"}
	if err := env.DB.CreateInvitation(asAdmin(t, env), inv); err != nil {
		t.Fatal(err)
	}
	return env, inv, team.ID
}

// asAdmin returns a context whose caller is the administrator, as an API request of theirs has.
func asAdmin(t *testing.T, env *servertest.Env) context.Context {
	t.Helper()
	admin, err := env.DB.FindUserByID(context.Background(), octoinvite.AdminUserID)
	if err != nil {
		t.Fatal(err)
	}
	return octoinvite.NewContextWithUser(context.Background(), admin)
}

// invite stores another invitation of env into the teams, for uses people.
func invite(t *testing.T, env *servertest.Env, uses int, spaceID *string, teams ...string) *octoinvite.Invitation {
	t.Helper()
	inv := &octoinvite.Invitation{AddToTeamIDs: append([]string{}, teams...), SpaceID: spaceID, LastModifiedBy: "admin", MaxUses: uses}
	if err := env.DB.CreateInvitation(asAdmin(t, env), inv); err != nil {
		t.Fatal(err)
	}
	return inv
}

// signIn signs the browser in through the sign-in page.
func (b *browser) signIn(username, password string) {
	b.t.Helper()
	a := b.submit("/app/users/sign-in", "/app/users/sign-in", url.Values{"username": {username}, "password": {password}})
	if a.status != http.StatusSeeOther {
		b.t.Fatalf("signing in as %s: got %d, want 303; page:\n%s", username, a.status, a.body)
	}
}

// newUser registers a user with a password through the store, and returns it.
func newUser(t *testing.T, env *servertest.Env, username string) *octoinvite.User {
	t.Helper()
	inv := invite(t, env, 1, nil)
	user, err := env.DB.Register(context.Background(), &octoinvite.Registration{Username: username, DisplayName: strings.ToUpper(username[:1]) + username[1:],
		Password: "correct horse battery", InvitationCode: inv.InvitationCode})
	if err != nil {
		t.Fatal(err)
	}
	return user
}

// userTotal counts the stored users.
func userTotal(t *testing.T, env *servertest.Env) int {
	t.Helper()
	page, err := env.DB.FindUsers(context.Background(), octoinvite.UserFilter{Range: octoinvite.Range{Take: 0}})
	if err != nil {
		t.Fatal(err)
	}
	return page.Total
}

// members returns the members of a team.
func members(t *testing.T, env *servertest.Env, teamID string) []string {
	t.Helper()
	team, err := env.DB.FindTeamByID(context.Background(), teamID)
	if err != nil {
		t.Fatal(err)
	}
	return team.MemberUserIDs
}
