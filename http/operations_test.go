package http_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/octoinvite/octoinvite/internal/servertest"
)

// notReadyBody is the answer of GET /readyz while the database does not answer.
const notReadyBody = `{"ErrorMessage":"The server cannot reach its database; it is not ready to serve requests."}`

func TestHealthAndReadiness(t *testing.T) {
	env := servertest.Start(t)
	call(t, env, "GET", "/healthz", "", "").want(t, http.StatusOK, `{"Status":"Alive"}`)
	call(t, env, "GET", "/readyz", "", "").want(t, http.StatusOK, `{"Status":"Ready"}`)

	// A closed store stands for a database that is gone: the process is alive, not ready.
	env.DB.Close()
	call(t, env, "GET", "/healthz", "", "").want(t, http.StatusOK, `{"Status":"Alive"}`)
	resp := call(t, env, "GET", "/readyz", "", "")
	resp.want(t, http.StatusServiceUnavailable, notReadyBody)
	if got := resp.header.Get("Retry-After"); got != "5" {
		t.Errorf("got Retry-After %q, want \"5\"", got)
	}
}

// TestMetrics_afterKnownTraffic sends known requests and reads the counters back exactly.
func TestMetrics_afterKnownTraffic(t *testing.T) {
	env := servertest.Start(t)
	var first, second struct{ ID, InvitationCode string }
	admin(t, env, "POST", "/api/users/invitations", `{"AddToTeamIds":[]}`).decode(t, &first)
	admin(t, env, "POST", "/api/Spaces-1/users/invitations", `{"AddToTeamIds":[]}`).decode(t, &second)
	admin(t, env, "GET", "/api/users/invitations/"+first.ID, "").want(t, 200, "")
	admin(t, env, "GET", "/api/users/invitations/Invitations-9", "").want(t, 404, "")
	admin(t, env, "DELETE", "/api/users/invitations/"+second.ID, "").want(t, 200, "")
	admin(t, env, "DELETE", "/api/users/invitations/"+second.ID, "").want(t, 200, "")
	admin(t, env, "POST", "/api/users/invitations/"+first.ID+"/regenerate", "").decode(t, &first)
	call(t, env, "POST", "/api/users/register", "", registerBody("jane", goodPassword, first.InvitationCode)).want(t, 201, "")
	call(t, env, "GET", "/api/users/invitations", "API-WRONGKEY0000000000000000001", "").want(t, 401, "")
	call(t, env, "GET", "/api/users/invitations", "", "").want(t, 401, "")
	call(t, env, "POST", "/api/users/login", "", `{"Username":"jane","Password":"not her password"}`).want(t, 401, "")
	call(t, env, "GET", "/api/nowhere/"+first.InvitationCode, "", "").want(t, 404, "")
	call(t, env, "BREW", "/api", "", "").want(t, 405, "")

	want := `
# HELP octoinvite_authentication_failures_total Requests refused for want of a valid credential, by the credential tried: none, api_key, session, password.
# TYPE octoinvite_authentication_failures_total counter
octoinvite_authentication_failures_total{credential="api_key"} 1
octoinvite_authentication_failures_total{credential="none"} 1
octoinvite_authentication_failures_total{credential="password"} 1
octoinvite_authentication_failures_total{credential="session"} 0
# HELP octoinvite_http_requests_total HTTP requests answered, by method, route pattern and status.
# TYPE octoinvite_http_requests_total counter
octoinvite_http_requests_total{method="DELETE",route="/api/users/invitations/{id}",status="200"} 2
octoinvite_http_requests_total{method="GET",route="/api/users/invitations",status="401"} 2
octoinvite_http_requests_total{method="GET",route="/api/users/invitations/{id}",status="200"} 1
octoinvite_http_requests_total{method="GET",route="/api/users/invitations/{id}",status="404"} 1
octoinvite_http_requests_total{method="GET",route="unmatched",status="404"} 1
octoinvite_http_requests_total{method="OTHER",route="unmatched",status="405"} 1
octoinvite_http_requests_total{method="POST",route="/api/users/invitations",status="201"} 1
octoinvite_http_requests_total{method="POST",route="/api/{space}/users/invitations",status="201"} 1
octoinvite_http_requests_total{method="POST",route="/api/users/invitations/{id}/regenerate",status="200"} 1
octoinvite_http_requests_total{method="POST",route="/api/users/login",status="401"} 1
octoinvite_http_requests_total{method="POST",route="/api/users/register",status="201"} 1
# HELP octoinvite_invitation_events_total Invitations created, redeemed (each use), revoked, regenerated and purged by this instance.
# TYPE octoinvite_invitation_events_total counter
octoinvite_invitation_events_total{event="created"} 2
octoinvite_invitation_events_total{event="purged"} 0
octoinvite_invitation_events_total{event="redeemed"} 1
octoinvite_invitation_events_total{event="regenerated"} 1
octoinvite_invitation_events_total{event="revoked"} 1
# HELP octoinvite_invitations Invitations stored, by state (expired ones count until purged).
# TYPE octoinvite_invitations gauge
octoinvite_invitations{state="Expired"} 0
octoinvite_invitations{state="Pending"} 0
octoinvite_invitations{state="Redeemed"} 1
octoinvite_invitations{state="Revoked"} 1
`
	g := env.API.Metrics.Gatherer()
	if err := testutil.GatherAndCompare(g, strings.NewReader(want), "octoinvite_authentication_failures_total",
		"octoinvite_http_requests_total", "octoinvite_invitation_events_total", "octoinvite_invitations"); err != nil {
		t.Error(err)
	}
	if n, err := testutil.GatherAndCount(g, "octoinvite_http_request_duration_seconds"); err != nil || n != 10 {
		t.Errorf("got %d latency histograms (%v), want one per method and route: 10", n, err)
	}
	if n, err := testutil.GatherAndCount(g, "go_sql_open_connections"); err != nil || n != 2 {
		t.Errorf("got %d pool gauges (%v), want one per SQLite pool: 2", n, err)
	}

	t.Run("ServedToAdministrators", func(t *testing.T) {
		resp := admin(t, env, "GET", "/metrics", "")
		if resp.status != 200 || !strings.HasPrefix(resp.header.Get("Content-Type"), "text/plain") ||
			!strings.Contains(resp.body, `octoinvite_invitation_events_total{event="created"} 2`) {
			t.Fatalf("got %d %s, want 200 with the metrics", resp.status, resp.header.Get("Content-Type"))
		}
		for _, secret := range []string{first.InvitationCode, second.InvitationCode, servertest.AdminKey, "Invitations-1", "Invitations-9", "nowhere"} {
			if strings.Contains(resp.body, secret) {
				t.Errorf("got %q in the metrics, want no code, key, ID or raw path", secret)
			}
		}
	})
	t.Run("ErrNotAdministrator", func(t *testing.T) {
		_, key := env.CreateUser(t, "bob")
		send(t, env, request{method: "GET", path: "/metrics", key: key}).wantJSON(t, 403,
			`{"ErrorMessage":"You do not have permission to perform this action. Only administrators may read the metrics."}`)
		call(t, env, "GET", "/metrics", "", "").want(t, 401, "")
	})
	t.Run("OperationsListener", func(t *testing.T) {
		srv := httptestServer(t, env.API.OperationsHandler())
		for _, path := range []string{"/metrics", "/healthz", "/readyz"} {
			resp, err := http.Get(srv + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("GET %s on the operations listener: got %d, want 200 without a key", path, resp.StatusCode)
			}
		}
	})
}

// httptestServer serves h on a loopback listener until the test ends and returns its URL.
func httptestServer(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}
