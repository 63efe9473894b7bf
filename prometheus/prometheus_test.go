package prometheus_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/octoinvite/octoinvite/internal/servertest"
)

// exchange sends a request to the test server, with the key in X-Octopus-ApiKey if not empty,
// and returns the status and body of the answer.
func exchange(t *testing.T, env *servertest.Env, method, path, key, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, env.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("X-Octopus-ApiKey", key)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// field returns a top-level string field of a JSON body.
func field(t *testing.T, body, name string) string {
	t.Helper()
	_, rest, ok := strings.Cut(body, `"`+name+`":"`)
	if !ok {
		t.Fatalf("no %s in %s", name, body)
	}
	value, _, _ := strings.Cut(rest, `"`)
	return value
}

// TestMetrics_afterKnownTraffic sends known requests and reads the counters back exactly.
func TestMetrics_afterKnownTraffic(t *testing.T) {
	env := servertest.Start(t)
	admin := servertest.AdminKey
	steps := []struct {
		method, path, key, body string
		status                  int
	}{
		{"POST", "/api/users/invitations", admin, `{"AddToTeamIds":[]}`, 201},
		{"POST", "/api/Spaces-1/users/invitations", admin, `{"AddToTeamIds":[]}`, 201},
		{"GET", "/api/users/invitations/Invitations-1", admin, "", 200},
		{"GET", "/api/users/invitations/Invitations-9", admin, "", 404},
		{"DELETE", "/api/users/invitations/Invitations-2", admin, "", 200},
		// Revoking twice answers alike and counts once.
		{"DELETE", "/api/users/invitations/Invitations-2", admin, "", 200},
		{"POST", "/api/users/invitations/Invitations-1/regenerate", admin, "", 200},
	}
	var codes []string
	for _, s := range steps {
		status, body := exchange(t, env, s.method, s.path, s.key, s.body)
		if status != s.status {
			t.Fatalf("%s %s: got %d, want %d: %s", s.method, s.path, status, s.status, body)
		}
		if strings.Contains(body, `"InvitationCode":"`) {
			codes = append(codes, field(t, body, "InvitationCode"))
		}
	}
	code := codes[len(codes)-1] // Invitations-1's, regenerated
	register := `{"Username":"jane","DisplayName":"Jane Doe","Password":"correct horse battery","InvitationCode":"` + code + `"}`
	for _, s := range []struct {
		method, path, key, body string
		status                  int
	}{
		{"POST", "/api/users/register", "", register, 201},
		{"GET", "/api/users/invitations", "API-WRONGKEY0000000000000000001", "", 401},
		{"GET", "/api/users/invitations", "", "", 401},
		{"POST", "/api/users/login", "", `{"Username":"jane","Password":"not her password"}`, 401},
		{"GET", "/api/nowhere/" + code, "", "", 404},
		{"BREW", "/api", "", "", 405},
	} {
		if status, body := exchange(t, env, s.method, s.path, s.key, s.body); status != s.status {
			t.Fatalf("%s %s: got %d, want %d: %s", s.method, s.path, status, s.status, body)
		}
	}

	// Refused before routing, by net/http: counted all the same.
	conn, err := net.Dial("tcp", strings.TrimPrefix(env.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.WriteString(conn, "GET /api HTTP/1.1\r\nHost: octoinvite\r\nX-Pad: "+strings.Repeat("x", 80<<10)+"\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	if resp, err := http.ReadResponse(bufio.NewReader(conn), nil); err != nil || resp.StatusCode != 431 {
		t.Fatalf("oversized header fields: got %v, %v; want 431", resp, err)
	}

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
octoinvite_http_requests_total{method="GET",route="unmatched",status="431"} 1
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
	g := env.Metrics.Gatherer()
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

	// What /metrics serves holds no code, key, ID or raw path.
	status, body := exchange(t, env, "GET", "/metrics", admin, "")
	if status != 200 || !strings.Contains(body, `octoinvite_invitation_events_total{event="created"} 2`) {
		t.Fatalf("GET /metrics: got %d, want 200 with the metrics:\n%s", status, body)
	}
	for _, secret := range append(codes, admin, "Invitations-1", "Invitations-9", "nowhere") {
		if strings.Contains(body, secret) {
			t.Errorf("got %q in the metrics, want no code, key, ID or raw path", secret)
		}
	}
}
