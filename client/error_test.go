package client_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/client"
	"github.com/octoinvite/octoinvite/internal/servertest"
)

// transport lets a test see, or change, each request the client sends.
type transport func(*http.Request) (*http.Response, error)

func (f transport) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// rewrite returns an HTTP client that applies change to every request before sending it.
func rewrite(change func(*http.Request)) *http.Client {
	return &http.Client{Transport: transport(func(r *http.Request) (*http.Response, error) {
		r = r.Clone(r.Context())
		change(r)
		return http.DefaultTransport.RoundTrip(r)
	})}
}

func TestKeyPlacement(t *testing.T) {
	env := servertest.Start(t)
	for _, tc := range []struct {
		name      string
		placement client.KeyPlacement
		where     func(*http.Request) string
	}{
		{"X-Octopus-ApiKey", client.KeyInHeader, func(r *http.Request) string { return r.Header.Get("X-Octopus-ApiKey") }},
		{"ApiKey query", client.KeyInQuery, func(r *http.Request) string { return r.URL.Query().Get("ApiKey") }},
		{"X-NuGet-ApiKey", client.KeyInNuGetHeader, func(r *http.Request) string { return r.Header.Get("X-NuGet-ApiKey") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var requests []*http.Request
			spy := rewrite(func(r *http.Request) { requests = append(requests, r) })
			c := newClient(t, env, client.WithKeyPlacement(tc.placement), client.WithHTTPClient(spy), client.WithUserAgent("test-agent/1"))
			me, err := c.Me(context.Background())
			if err != nil {
				t.Fatalf("Me: %v", err)
			}
			if me.ID != "Users-1" {
				t.Errorf("got %s, want Users-1", me.ID)
			}
			if len(requests) != 2 {
				t.Fatalf("got %d requests, want 2 (the root document, then the user)", len(requests))
			}
			for _, r := range requests {
				places := 0
				for _, v := range []string{r.Header.Get("X-Octopus-ApiKey"), r.URL.Query().Get("ApiKey"), r.Header.Get("X-NuGet-ApiKey")} {
					if v != "" {
						places++
					}
				}
				if got := tc.where(r); got != servertest.AdminKey || places != 1 {
					t.Errorf("%s %s: got the key %q in %d places, want it only in %s", r.Method, r.URL.Path, got, places, tc.name)
				}
				if got := r.Header.Get("User-Agent"); got != "test-agent/1" {
					t.Errorf("got User-Agent %q, want test-agent/1", got)
				}
			}
		})
	}
}

func TestErrors(t *testing.T) {
	ctx := context.Background()
	env := servertest.Start(t)
	_, janeKey := env.CreateUser(t, "jane")
	const msgUnauthorized = "You must be logged in to perform this action. Please provide a valid API key or log in again."

	t.Run("ErrUnauthorized without a key", func(t *testing.T) {
		c, _ := client.New(env.URL)
		_, err := c.Me(ctx)
		assertError(t, err, 401, client.ErrUnauthorized, msgUnauthorized)
	})
	t.Run("ErrUnauthorized unknown key", func(t *testing.T) {
		c, _ := client.New(env.URL, client.WithAPIKey("API-UNKNOWNKEY00000000000000000"), client.WithKeyPlacement(client.KeyInQuery))
		_, err := c.FindInvitationByID(ctx, "Invitations-1")
		assertError(t, err, 401, client.ErrUnauthorized, msgUnauthorized)
		if strings.Contains(err.Error(), "API-UNKNOWN") {
			t.Errorf("the error %q shows the API key", err)
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		c := newClient(t, env, client.WithAPIKey(janeKey))
		err := c.CreateInvitation(ctx, &octoinvite.Invitation{AddToTeamIDs: []string{}})
		assertError(t, err, 403, client.ErrForbidden,
			"You do not have permission to perform this action. Please contact your Octopus administrator. Missing permission: UserInvite")
	})
	t.Run("ErrNotAllowed", func(t *testing.T) {
		c := newClient(t, env, client.WithHTTPClient(rewrite(func(r *http.Request) {
			if r.URL.Path != "/api/" {
				r.Method = "PATCH"
			}
		})))
		_, err := c.FindSpaceByID(ctx, "Spaces-1")
		assertError(t, err, 405, client.ErrNotAllowed, "The method PATCH is not allowed on '/api/spaces/Spaces-1'; use DELETE, GET, HEAD, PUT.")
	})
	t.Run("ErrUnsupported", func(t *testing.T) {
		c := newClient(t, env, client.WithHTTPClient(rewrite(func(r *http.Request) {
			if r.Method == "POST" {
				r.Header.Set("Content-Type", "text/plain")
			}
		})))
		err := c.CreateSpace(ctx, &octoinvite.Space{Name: "Plain"})
		assertError(t, err, 415, client.ErrUnsupported,
			"The request body must be JSON, sent with Content-Type: application/json; it was sent as 'text/plain'.")
	})
	t.Run("ErrTooLarge", func(t *testing.T) {
		env := servertest.Start(t)
		env.API.MaxBodyBytes = 1024
		c := newClient(t, env)
		err := c.CreateTeam(ctx, &octoinvite.Team{Name: "Big", Description: strings.Repeat("x", 1500)})
		assertError(t, err, 413, client.ErrTooLarge, "The request body is too large: the limit is 1024 bytes.")
	})
	t.Run("ErrInvalid empty ID sends nothing", func(t *testing.T) {
		sent := 0
		c := newClient(t, env, client.WithHTTPClient(rewrite(func(*http.Request) { sent++ })))
		_, err := c.FindInvitationByID(ctx, " ")
		assertError(t, err, 0, client.ErrInvalid, "The invitation ID is empty.")
		if sent != 0 {
			t.Errorf("got %d requests, want none", sent)
		}
	})
	t.Run("Error message", func(t *testing.T) {
		c := newClient(t, env)
		err := c.CreateInvitation(ctx, &octoinvite.Invitation{SpaceID: ptr("Spaces-1")})
		want := "client: POST /api/Spaces-1/users/invitations: 400 Bad Request: There was a problem with your request. Please specify which teams the user will be invited to join."
		if err == nil || err.Error() != want {
			t.Errorf("got %v, want %s", err, want)
		}
		if got := octoinvite.ErrorDetails(err); len(got) != 1 || got[0] != octoinvite.MsgSpecifyTeams {
			t.Errorf("got details %q, want [%q]", got, octoinvite.MsgSpecifyTeams)
		}
	})
}

func TestNonJSONErrorBody(t *testing.T) {
	for _, tc := range []struct {
		name        string
		status      int
		contentType string
		body        string
		sentinel    error
		want        string
	}{
		{"HTML from a proxy", 502, "text/html", "<html><body>\n<h1>502 Bad Gateway</h1>\n</body></html>", client.ErrInternal,
			`The server answered 502 Bad Gateway with text/html, not an Octopus error: "<html><body> <h1>502 Bad Gateway</h1> </body></html>"`},
		{"empty body", 404, "", "", client.ErrNotFound, "The server answered 404 Not Found with an empty body."},
		{"JSON that is not an error", 409, "application/json", `{"Message":"no"}`, client.ErrConflict,
			`The server answered 409 Conflict with application/json, not an Octopus error: "{\"Message\":\"no\"}"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.contentType != "" {
					w.Header().Set("Content-Type", tc.contentType)
				}
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			c, _ := client.New(srv.URL)
			_, err := c.Root(context.Background())
			assertError(t, err, tc.status, tc.sentinel, tc.want)
			var ce *client.Error
			if errors.As(err, &ce) && string(ce.Body) != tc.body {
				t.Errorf("got Body %q, want %q", ce.Body, tc.body)
			}
		})
	}
	t.Run("success that is not JSON", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html>Welcome</html>"))
		}))
		defer srv.Close()
		c, _ := client.New(srv.URL)
		_, err := c.Root(context.Background())
		want := "client: GET /api/: the server answered 200 with text/html, not JSON: is " + srv.URL + ` an Octopus server? The answer began "<html>Welcome</html>"`
		if err == nil || err.Error() != want {
			t.Errorf("got %v, want %s", err, want)
		}
	})
	t.Run("JSON that is not a root document", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"ApiVersion":"4.0.0","Links":{"Self":"/api"}}`))
		}))
		defer srv.Close()
		c, _ := client.New(srv.URL)
		_, err := c.Root(context.Background())
		want := "client: the server at " + srv.URL + ` speaks API version "4.0.0"; this client speaks 3.0`
		if err == nil || err.Error() != want {
			t.Errorf("got %v, want %s", err, want)
		}
	})
}

func TestNetworkError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more
	c, _ := client.New(url, client.WithAPIKey(servertest.AdminKey), client.WithKeyPlacement(client.KeyInQuery))
	_, err := c.Root(context.Background())
	if err == nil {
		t.Fatal("got no error, want one")
	}
	var opErr *net.OpError
	if !errors.As(err, &opErr) {
		t.Errorf("got %T, want it to wrap a *net.OpError", err)
	}
	var ce *client.Error
	if errors.As(err, &ce) {
		t.Errorf("got a *client.Error for a request without an answer")
	}
	if want := "client: GET /api/: cannot reach the server at " + url + ": "; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("got %q, want it to start with %q", err, want)
	}
	if strings.Contains(err.Error(), servertest.AdminKey) {
		t.Errorf("the error %q shows the API key", err)
	}
}

func TestContextCancellation(t *testing.T) {
	env := servertest.Start(t)
	t.Run("canceled before", func(t *testing.T) {
		c := newClient(t, env)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := c.Me(ctx)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want context.Canceled", err)
		}
	})
	t.Run("canceled while waiting for the answer", func(t *testing.T) {
		arrived := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			close(arrived)
			<-r.Context().Done() // answer only once the client has gone
		}))
		defer srv.Close()
		c, _ := client.New(srv.URL)
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			<-arrived
			cancel()
		}()
		_, err := c.Root(ctx)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want context.Canceled", err)
		}
		if want := "client: GET /api/: context canceled"; err == nil || err.Error() != want {
			t.Errorf("got %v, want %s", err, want)
		}
	})
}

func TestRedirectToAnotherHost(t *testing.T) {
	sawKey := false
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sawKey = r.Header.Get("X-Octopus-ApiKey") != ""
	}))
	defer other.Close()
	srv := httptest.NewServer(http.RedirectHandler(other.URL+"/api/", http.StatusFound))
	defer srv.Close()

	c, _ := client.New(srv.URL, client.WithAPIKey(servertest.AdminKey))
	_, err := c.Root(context.Background())
	if err == nil || !strings.Contains(err.Error(), "the server redirected to another host, "+strings.TrimPrefix(other.URL, "http://")+"; not following it with the API key") {
		t.Errorf("got %v, want the redirect refused", err)
	}
	if sawKey {
		t.Error("the other host received the API key")
	}
}

// TestTextOutsideASCII: IDs and names reach the server as given, whatever characters they
// hold (each byte of their UTF-8 percent-encoded), and the server's message comes back as it
// wrote it.
func TestTextOutsideASCII(t *testing.T) {
	ctx := context.Background()
	env := servertest.Start(t)
	c := newClient(t, env)
	id := "Invitations-1\x1b[31m\u009b\u202ex"
	_, err := c.FindInvitationByID(ctx, id)
	assertError(t, err, 404, client.ErrNotFound, "The resource '"+id+"' was not found.")
	var ce *client.Error
	if errors.As(err, &ce) && (ce.Summary() != ce.ErrorMessage || ce.Path != "/api/users/invitations/"+id) {
		t.Errorf("got Summary %q and Path %q, want the message and the path as sent", ce.Summary(), ce.Path)
	}
	_, err = c.FindSpaceByID(ctx, "Spaces-1\x00")
	assertError(t, err, 404, client.ErrNotFound, "The resource 'Spaces-1\x00' was not found.")

	for _, name := range []string{"équipe de nuit", "運用チーム", "a+b&c=d%41"} {
		if err := c.CreateTeam(ctx, &octoinvite.Team{Name: name, SpaceID: ptr("Spaces-1")}); err != nil {
			t.Fatalf("CreateTeam(%q): %v", name, err)
		}
		teams, err := c.FindTeamsByName(ctx, "Spaces-1", name)
		if err != nil || len(teams) != 1 || teams[0].Name != name {
			t.Errorf("FindTeamsByName(%q): got %v, %v; want the team", name, teams, err)
		}
	}
}
