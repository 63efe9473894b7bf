package http_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/octoinvite/octoinvite/internal/servertest"
)

// TestRoutesIgnoreCase sends Octopus's routes in other cases, as Octopus accepts them: each
// answers what the canonical route answers, with IDs in canonical form, and the metrics count it
// under the canonical pattern.
func TestRoutesIgnoreCase(t *testing.T) {
	env := servertest.Start(t)
	admin(t, env, "POST", "/API/SPACES-1/Teams", `{"Name":"Developers"}`).wantStatus(t, http.StatusCreated)
	created := admin(t, env, "POST", "/Api/Spaces-1/Users/Invitations", `{"AddToTeamIds":["TEAMS-1"]}`)
	created.wantStatus(t, http.StatusCreated)
	if got := created.header.Get("Location"); got != "/api/Spaces-1/users/invitations/Invitations-1" {
		t.Errorf("got Location %q, want the canonical path", got)
	}
	for _, tc := range []struct{ method, odd, canonical string }{
		{"GET", "/API/Users/Invitations/invitations-1", "/api/users/invitations/Invitations-1"},
		{"GET", "/api/SPACES-1/USERS/INVITATIONS/INVITATIONS-1", "/api/Spaces-1/users/invitations/Invitations-1"},
		{"GET", "/API/", "/api/"},
		{"GET", "/Api/Spaces-1", "/api/Spaces-1"},
		{"GET", "/API/SPACES/ALL", "/api/spaces/all"},
		{"GET", "/api/Spaces?Name=DEFAULT", "/api/spaces?Name=DEFAULT"},
		{"GET", "/API/spaces-1/teams/TEAMS-1", "/api/Spaces-1/teams/Teams-1"},
		{"GET", "/API/USERS/USERS-1", "/api/users/Users-1"},
		{"GET", "/api/Users/Me", "/api/users/me"},
		{"GET", "/API/USERS/users-1/APIKEYS", "/api/users/Users-1/apikeys"},
		{"GET", "/Api/TeamMembership?UserId=users-1", "/api/teammembership?userId=Users-1"},
	} {
		t.Run(tc.odd, func(t *testing.T) {
			want := admin(t, env, tc.method, tc.canonical, "")
			want.wantStatus(t, http.StatusOK)
			admin(t, env, tc.method, tc.odd, "").wantJSON(t, http.StatusOK, want.body)
		})
	}
	// Other methods and unknown paths keep their answers, naming the path as it was sent.
	admin(t, env, "PATCH", "/API/Spaces", "").wantJSON(t, http.StatusMethodNotAllowed,
		`{"ErrorMessage":"The method PATCH is not allowed on '/API/Spaces'; use GET, HEAD, POST."}`)
	admin(t, env, "GET", "/API/Nothing", "").wantJSON(t, http.StatusNotFound, `{"ErrorMessage":"There is no resource at '/API/Nothing'."}`)

	metrics := admin(t, env, "GET", "/metrics", "")
	for _, line := range []string{
		`octoinvite_http_requests_total{method="GET",route="/api/users/invitations/{id}",status="200"} 2`,
		`octoinvite_http_requests_total{method="GET",route="/api/{space}/users/invitations/{id}",status="200"} 2`,
		`octoinvite_http_requests_total{method="POST",route="/api/{space}/teams",status="201"} 1`,
	} {
		if !strings.Contains(metrics.body, line+"\n") {
			t.Errorf("the metrics lack %s", line)
		}
	}
}
