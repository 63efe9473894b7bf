package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/client"
	"github.com/octoinvite/octoinvite/internal/servertest"
)

// newClient returns a client of the test server with the administrator's key.
func newClient(t *testing.T, env *servertest.Env, opts ...client.Option) *client.Client {
	t.Helper()
	c, err := client.New(env.URL, append([]client.Option{client.WithAPIKey(servertest.AdminKey)}, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// assertJSON compares the JSON encoding of got with want, ignoring want's layout.
func assertJSON(t *testing.T, got any, want string) {
	t.Helper()
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatalf("encoding %T: %v", got, err)
	}
	// Both sides go through any, so that key order and layout do not matter.
	var g, w any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("the wanted JSON is malformed: %v", err)
	}
	_ = json.Unmarshal(b, &g)
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if string(gb) != string(wb) {
		t.Errorf("got %s, want %s", gb, wb)
	}
}

// assertError checks that err is a *client.Error with the status, message and details, that
// it matches the sentinel, and that octoinvite.ErrorCode reads its code.
func assertError(t *testing.T, err error, status int, sentinel error, message string, details ...string) {
	t.Helper()
	var ce *client.Error
	if !errors.As(err, &ce) {
		t.Fatalf("got error %v (%T), want a *client.Error", err, err)
	}
	if ce.StatusCode != status {
		t.Errorf("got status %d, want %d", ce.StatusCode, status)
	}
	if !errors.Is(err, sentinel) {
		t.Errorf("errors.Is(%v, %v) = false, want true", err, sentinel)
	}
	if code, want := octoinvite.ErrorCode(err), octoinvite.ErrorCode(sentinel); code != want {
		t.Errorf("got code %q, want %q", code, want)
	}
	if ce.ErrorMessage != message {
		t.Errorf("got ErrorMessage %q, want %q", ce.ErrorMessage, message)
	}
	if !slices.Equal(ce.Errors, details) {
		t.Errorf("got Errors %q, want %q", ce.Errors, details)
	}
}

func ptr(s string) *string { return &s }

func TestRoot(t *testing.T) {
	env := servertest.Start(t)
	for _, base := range []string{env.URL, env.URL + "/", env.URL + "/api", env.URL + "/api/"} {
		t.Run("OK "+strings.TrimPrefix(base, env.URL), func(t *testing.T) {
			c, err := client.New(base) // the root document is anonymous
			if err != nil {
				t.Fatal(err)
			}
			root, err := c.Root(context.Background())
			if err != nil {
				t.Fatalf("Root: %v", err)
			}
			assertJSON(t, root, `{"Application":"octoinvite","Version":"0.0.0-test","ApiVersion":"3.0.0",
				"InstallationId":"`+env.DB.InstallationID()+`",
				"Links":{"Self":"/api","Events":"/api/events{?skip,take,from,to,regarding,users,spaces}","Invitations":"/api/users/invitations","Register":"/api/users/register",
				"SignIn":"/api/users/login{?returnUrl}","SignOut":"/api/users/logout","CurrentUser":"/api/users/me","SpaceHome":"/api/{spaceId}",
				"Spaces":"/api/spaces{/id}{?name,skip,ids,take,partialName}",
				"Teams":"/api/teams{/id}{?skip,take,ids,partialName,spaces,includeSystem}",
		"TeamMembership":"/api/teammembership{?userId,spaces,includeSystem}",
				"Users":"/api/users{/id}{?skip,take,ids,filter}","Web":"/app"}}`)
			if got := c.BaseURL(); got != env.URL {
				t.Errorf("got BaseURL %q, want %q", got, env.URL)
			}
		})
	}
}

func TestNew(t *testing.T) {
	for _, base := range []string{"", "127.0.0.1:8080", "ftp://example.com", "http://", "://x"} {
		t.Run("ErrBadURL "+base, func(t *testing.T) {
			if _, err := client.New(base); err == nil || !strings.Contains(err.Error(), "must be an absolute http or https URL") {
				t.Errorf("got %v, want an error about the URL", err)
			}
		})
	}
	t.Run("ErrBadPlacement", func(t *testing.T) {
		if _, err := client.New("http://example.com", client.WithKeyPlacement(7)); err == nil {
			t.Error("got no error, want one")
		}
	})
}

func TestFollowsLinks(t *testing.T) {
	ctx := context.Background()
	env := servertest.Start(t)
	var got []string
	spy := rewrite(func(r *http.Request) { got = append(got, r.Method+" "+r.URL.RequestURI()) })
	c := newClient(t, env, client.WithHTTPClient(spy))
	spaceID := "Spaces-1"
	for range 2 {
		if err := c.CreateInvitation(ctx, &octoinvite.Invitation{AddToTeamIDs: []string{}, SpaceID: &spaceID}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.FindInvitationByID(ctx, "Invitations-2"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListTeamsInSpace(ctx, spaceID, octoinvite.TeamFilter{PartialName: "a b", Range: octoinvite.Range{Skip: 1, Take: 5}}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"GET /api/",
		"GET /api/Spaces-1",
		"POST /api/Spaces-1/users/invitations",
		"POST /api/Spaces-1/users/invitations",
		"GET /api/users/invitations/Invitations-2",
		"GET /api/Spaces-1/teams?skip=1&take=5&partialName=a%20b&includeSystem=false",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got requests\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
