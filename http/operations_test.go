package http_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

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

// TestMetrics_access serves the metrics to administrators on the API, and to anyone on the
// operations listener. Their values are tested in the prometheus package.
func TestMetrics_access(t *testing.T) {
	env := servertest.Start(t)
	t.Run("ServedToAdministrators", func(t *testing.T) {
		resp := admin(t, env, "GET", "/metrics", "")
		if resp.status != 200 || !strings.HasPrefix(resp.header.Get("Content-Type"), "text/plain") ||
			!strings.Contains(resp.body, `octoinvite_invitation_events_total{event="created"} 0`) {
			t.Fatalf("got %d %s, want 200 with the metrics", resp.status, resp.header.Get("Content-Type"))
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
