package http_test

import (
	"net/http"
	"strings"
	"testing"

	stduritemplate "github.com/std-uritemplate/std-uritemplate/go/v2"

	ohttp "github.com/octoinvite/octoinvite/http"
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

// actionLinks name links that a client POSTs to rather than reads: the walk checks that their
// route is served, and by POST.
var actionLinks = map[string]bool{"Register": true, "SignIn": true, "SignOut": true}

// TestEveryLinkAnswers walks every link of every resource reachable from the root document, as
// a client following links would, and requires each to answer: 2xx for links to read, a route
// served by POST for links to act on, and, for the Web links of the portal, an address under
// /app#/ whose page, /app, answers.
func TestEveryLinkAnswers(t *testing.T) {
	env := servertest.Start(t)
	admin(t, env, "POST", "/api/Spaces-1/teams", `{"Name":"Developers","MemberUserIds":["Users-1"]}`).wantStatus(t, http.StatusCreated)
	admin(t, env, "POST", "/api/spaces", `{"Name":"Operations"}`).wantStatus(t, http.StatusCreated)
	admin(t, env, "POST", "/api/users/invitations", `{"AddToTeamIds":["Teams-1"]}`).wantStatus(t, http.StatusCreated)
	env.CreateUser(t, "jane")

	queue := []string{"/api/", "/api/Spaces-1", "/api/spaces/all", "/api/teams/all", "/api/users/all", "/api/teammembership",
		"/api/users/Users-1/apikeys", "/api/users/invitations", "/api/events?take=5"}
	fetched := map[string]bool{}
	seen := map[string]int{} // link names, counted
	var walk func(v any)
	follow := func(name, link string) {
		seen[name]++
		path, err := stduritemplate.Expand(link, nil)
		if err != nil {
			t.Errorf("the link %s %q is not a URI template: %v", name, link, err)
			return
		}
		switch {
		case strings.HasPrefix(path, "http://") || strings.HasPrefix(path, "https://"):
			// An address for a person (an invitation's Register link, its invitee's page) is
			// absolute, on the server's address.
			rest, ok := strings.CutPrefix(path, env.URL+"/")
			if !ok {
				t.Errorf("the %s link %q is not on the server's address %s", name, path, env.URL)
				return
			}
			path = "/" + rest
		case name == "Web":
			page, fragment, _ := strings.Cut(path, "#")
			if page != ohttp.WebPortal || (fragment != "" && !strings.HasPrefix(path, ohttp.WebLinkPrefix)) {
				t.Errorf("the Web link %q is not the portal's /app#/...", path)
			}
			path = page
		case actionLinks[name]:
			r := admin(t, env, "GET", path, "")
			if r.status != http.StatusMethodNotAllowed || !strings.Contains(r.header.Get("Allow"), "POST") {
				t.Errorf("the %s link %s: GET got %d (Allow %q), want 405 with POST allowed", name, path, r.status, r.header.Get("Allow"))
			}
			return
		}
		if !fetched[path] {
			queue = append(queue, path)
		}
	}
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if links, ok := v["Links"].(map[string]any); ok {
				for name, link := range links {
					follow(name, link.(string))
				}
			}
			for key, item := range v {
				if key != "Links" {
					walk(item)
				}
			}
		case []any:
			for _, item := range v {
				walk(item)
			}
		}
	}
	for len(queue) > 0 {
		path := queue[0]
		queue = queue[1:]
		if fetched[path] {
			continue
		}
		fetched[path] = true
		r := admin(t, env, "GET", path, "")
		if r.status < 200 || r.status > 299 {
			t.Errorf("GET %s: got %d, want 2xx: %.200s", path, r.status, r.body)
			continue
		}
		if strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
			var v any
			r.decode(t, &v)
			walk(v)
		}
	}
	for _, name := range []string{"Self", "SpaceHome", "Web", "Logo", "Search", "Spaces", "ApiKeys", "Permissions", "Avatar",
		"Invitations", "Teams", "Users", "Events", "TeamMembership", "CurrentUser", "Page.All", "Template", "SignIn", "SignOut", "Register"} {
		if seen[name] == 0 {
			t.Errorf("no %s link was walked", name)
		}
	}
	if len(fetched) < 40 {
		t.Errorf("walked %d addresses, want every resource's", len(fetched))
	}
}

// TestSpaceAndUserLinks reads what the links Octopus's spaces and users carry answer: the
// space's logo and search, the user's permissions and avatar.
func TestSpaceAndUserLinks(t *testing.T) {
	env := servertest.Start(t)
	_, janeKey := env.CreateUser(t, "jane")
	admin(t, env, "POST", "/api/Spaces-1/teams", `{"Name":"Developers"}`).wantStatus(t, http.StatusCreated)
	admin(t, env, "POST", "/api/Spaces-1/teams", `{"Name":"Testers"}`).wantStatus(t, http.StatusCreated)

	logo := admin(t, env, "GET", "/api/spaces/Spaces-1/logo", "")
	wantLogo := `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64" role="img" aria-label="Default">` +
		`<rect width="64" height="64" rx="8" fill="#0f6b6b"/><text x="32" y="32" dy=".35em" text-anchor="middle" font-family="sans-serif" ` +
		`font-size="26" fill="#ffffff">D</text></svg>`
	if logo.status != http.StatusOK || logo.body != wantLogo || logo.header.Get("Content-Type") != "image/svg+xml" ||
		logo.header.Get("Content-Security-Policy") != "default-src 'none'; style-src 'unsafe-inline'" {
		t.Errorf("logo: got %d %s %q\n%s\nwant 200 image/svg+xml\n%s", logo.status, logo.header.Get("Content-Type"),
			logo.header.Get("Content-Security-Policy"), logo.body, wantLogo)
	}
	avatar := send(t, env, request{method: "GET", path: "/api/users/Users-2/avatar", key: janeKey})
	if avatar.status != http.StatusOK || !strings.Contains(avatar.body, `aria-label="jane"`) || !strings.Contains(avatar.body, ">J</text>") {
		t.Errorf("avatar: got %d %s", avatar.status, avatar.body)
	}

	admin(t, env, "GET", "/api/spaces/Spaces-1/search?keyword=DEV", "").wantJSON(t, http.StatusOK,
		`[{"Id":"Teams-1","Name":"Developers","EntityType":"Team"}]`)
	admin(t, env, "GET", "/api/spaces/Spaces-1/search", "").wantJSON(t, http.StatusOK,
		`[{"Id":"Teams-1","Name":"Developers","EntityType":"Team"},{"Id":"Teams-2","Name":"Testers","EntityType":"Team"}]`)

	admin(t, env, "GET", "/api/users/Users-1/permissions", "").wantJSON(t, http.StatusOK, `{"Id":"Users-1",
		"SystemPermissions":["EventView","SpaceCreate","SpaceDelete","SpaceEdit","TeamCreate","TeamDelete","TeamEdit","UserEdit","UserInvite","UserView"],
		"SpacePermissions":{},"Teams":[
		{"Id":"teams-administrators","Name":"Octopus Administrators","SpaceId":null,"ExternalSecurityGroups":[],"IsDirectlyAssigned":true},
		{"Id":"teams-everyone","Name":"Everyone","SpaceId":null,"ExternalSecurityGroups":[],"IsDirectlyAssigned":true}],
		"IsPermissionsComplete":true,"IsTeamsComplete":true,"Links":{"Self":"/api/users/Users-1/permissions"}}`)
	send(t, env, request{method: "GET", path: "/api/users/Users-2/permissions", key: janeKey}).wantJSON(t, http.StatusOK, `{"Id":"Users-2",
		"SystemPermissions":[],"SpacePermissions":{},"Teams":[
		{"Id":"teams-everyone","Name":"Everyone","SpaceId":null,"ExternalSecurityGroups":[],"IsDirectlyAssigned":true}],
		"IsPermissionsComplete":true,"IsTeamsComplete":true,"Links":{"Self":"/api/users/Users-2/permissions"}}`)
}
