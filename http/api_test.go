package http_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/internal/servertest"
)

func TestRootDocument(t *testing.T) {
	env := servertest.Start(t)
	want := `{"Application":"octoinvite","Version":"0.0.0-test","ApiVersion":"3.0.0","InstallationId":"` + env.DB.InstallationID() + `",
		"Links":{"Self":"/api","Events":"/api/events{?skip,take,from,to,regarding,users,spaces}","Invitations":"/api/users/invitations","Register":"/api/users/register",
		"SignIn":"/api/users/login{?returnUrl}","SignOut":"/api/users/logout","CurrentUser":"/api/users/me","SpaceHome":"/api/{spaceId}",
		"Spaces":"/api/spaces{/id}{?name,skip,ids,take,partialName}",
		"Teams":"/api/teams{/id}{?skip,take,ids,partialName,spaces,includeSystem}",
		"TeamMembership":"/api/teammembership{?userId,spaces,includeSystem}",
		"Users":"/api/users{/id}{?skip,take,ids,filter}","Web":"/app"}}`
	for _, path := range []string{"/api", "/api/"} {
		send(t, env, request{method: "GET", path: path}).wantJSON(t, http.StatusOK, want)
	}
	if _, err := uuid.Parse(env.DB.InstallationID()); err != nil {
		t.Errorf("InstallationId %q is not a UUID: %v", env.DB.InstallationID(), err)
	}
}

// TestGoOctopusDeployStartup follows go-octopusdeploy's start-up: the root document, then the
// spaces to find the default one, then the space root whose Invitations link it uses.
func TestGoOctopusDeployStartup(t *testing.T) {
	env := servertest.Start(t)
	var root struct{ Links map[string]string }
	send(t, env, request{method: "GET", path: "/api/"}).decode(t, &root)

	var spaces struct {
		Items []octoinvite.Space
		Links map[string]string
	}
	resp := admin(t, env, "GET", "/api/spaces", "")
	resp.decode(t, &spaces)
	var def *octoinvite.Space
	for i := range spaces.Items {
		if spaces.Items[i].IsDefault {
			def = &spaces.Items[i]
		}
	}
	if def == nil || def.ID != "Spaces-1" {
		t.Fatalf("no default space Spaces-1 in %s", resp.body)
	}
	admin(t, env, "GET", "/api/"+def.ID, "").wantJSON(t, http.StatusOK, `{"Links":{"Self":"/api/Spaces-1",
		"Invitations":"/api/Spaces-1/users/invitations","Teams":"/api/Spaces-1/teams{/id}{?skip,take,ids,partialName,includeSystem}"}}`)
	admin(t, env, "GET", "/api/"+def.ID+"/", "").wantJSON(t, http.StatusOK, `{"Links":{"Self":"/api/Spaces-1",
		"Invitations":"/api/Spaces-1/users/invitations","Teams":"/api/Spaces-1/teams{/id}{?skip,take,ids,partialName,includeSystem}"}}`)
	created := admin(t, env, "POST", "/api/Spaces-1/users/invitations", `{"AddToTeamIds":["teams-everyone"],"SpaceId":"Spaces-1"}`)
	if created.status != 201 {
		t.Fatalf("create through the space root's link: got %d %s", created.status, created.body)
	}
}

// TestOctopusClientCreateFlow is Octopus.Client's create: POST, then GET the Self link of the answer.
func TestOctopusClientCreateFlow(t *testing.T) {
	env := servertest.Start(t)
	created := admin(t, env, "POST", "/api/users/invitations",
		`{"Id":null,"AddToTeamIds":["teams-everyone"],"InvitationCode":null,"Expires":"0001-01-01T00:00:00.000+00:00","SpaceId":"Spaces-1","Links":{}}`)
	if created.status != http.StatusCreated {
		t.Fatalf("got %d, want 201: %s", created.status, created.body)
	}
	var inv octoinvite.Invitation
	created.decode(t, &inv)
	admin(t, env, "GET", inv.Links["Self"], "").wantJSON(t, http.StatusOK, created.body)
}

// TestPythonClientShapes sends requests shaped like the swagger-generated Python client's.
func TestPythonClientShapes(t *testing.T) {
	env := servertest.Start(t)
	admin(t, env, "POST", "/api/users/invitations", `{"AddToTeamIds":[]}`)
	get := send(t, env, request{method: "GET", path: "/api/users/invitations/Invitations-1", key: servertest.AdminKey,
		header: map[string]string{"Content-Type": "application/json", "Accept": "application/json", "User-Agent": "Swagger-Codegen/1.0.0/python"}})
	if get.status != 200 || !strings.Contains(get.body, `"AddToTeamIds":[]`) {
		t.Errorf("GET with a JSON Content-Type: got %d %s, want 200 with AddToTeamIds present", get.status, get.body)
	}
	// create_...(invitation_resource=None) sends no body at all.
	send(t, env, request{method: "POST", path: "/api/users/invitations", key: servertest.AdminKey,
		header: map[string]string{"Content-Type": "application/json", "Content-Length": "0"}}).
		wantJSON(t, 400, `{"ErrorMessage":"There was a problem with your request.","Errors":["No request body was supplied."]}`)
}

func TestProtocolErrors(t *testing.T) {
	env := servertest.Start(t)
	big := `{"AddToTeamIds":[` + strings.Repeat(`"teams-everyone",`, 70000) + `"teams-everyone"]}`
	tests := []struct {
		name   string
		req    request
		status int
		want   string
		allow  string
	}{
		{"UnknownRoute", request{method: "GET", path: "/api/nothing-here", key: servertest.AdminKey}, 404,
			`{"ErrorMessage":"There is no resource at '/api/nothing-here'."}`, ""},
		{"UnknownRouteAnonymous", request{method: "GET", path: "/elsewhere"}, 404,
			`{"ErrorMessage":"There is no resource at '/elsewhere'."}`, ""},
		{"MethodNotAllowed", request{method: "PUT", path: "/api/users/invitations/Invitations-1", key: servertest.AdminKey}, 405,
			`{"ErrorMessage":"The method PUT is not allowed on '/api/users/invitations/Invitations-1'; use DELETE, GET, HEAD."}`, "DELETE, GET, HEAD"},
		{"MethodNotAllowedInSpace", request{method: "PUT", path: "/api/Spaces-1/users/invitations", key: servertest.AdminKey}, 405,
			`{"ErrorMessage":"The method PUT is not allowed on '/api/Spaces-1/users/invitations'; use GET, HEAD, POST."}`, "GET, HEAD, POST"},
		{"BodyTooLarge", request{method: "POST", path: "/api/users/invitations", key: servertest.AdminKey, body: big}, 413,
			`{"ErrorMessage":"The request body is too large: the limit is 1048576 bytes."}`, ""},
		{"NotJSON", request{method: "POST", path: "/api/users/invitations", key: servertest.AdminKey, body: `AddToTeamIds=x`,
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}, 415,
			`{"ErrorMessage":"The request body must be JSON, sent with Content-Type: application/json; it was sent as 'application/x-www-form-urlencoded'."}`, ""},
		{"BadPaging", request{method: "GET", path: "/api/spaces?take=-1", key: servertest.AdminKey}, 400,
			`{"ErrorMessage":"There was a problem with your request.","Errors":["The parameter 'take' must be a whole number of at least 0."]}`, ""},
		{"BadBoolean", request{method: "GET", path: "/api/teams?includeSystem=maybe", key: servertest.AdminKey}, 400,
			`{"ErrorMessage":"There was a problem with your request.","Errors":["The parameter 'includeSystem' must be true or false."]}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := send(t, env, tt.req)
			resp.wantJSON(t, tt.status, tt.want)
			if got := resp.header.Get("Allow"); got != tt.allow {
				t.Errorf("got Allow %q, want %q", got, tt.allow)
			}
		})
	}
	if n := countInvitations(t, env); n != 0 {
		t.Errorf("got %d invitations after failed requests, want 0", n)
	}
}

// TestRestartKeepsEverything stops the server and starts a new one on the same data folder.
func TestRestartKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	env := servertest.StartIn(t, dir)
	// Both servers are reached at one public address, so that their invitations' links agree.
	public, _ := url.Parse("https://octoinvite.example")
	env.API.PublicURL = public
	space := env.CreateSpace(t, "Second")
	team := env.CreateTeam(t, "Operators", &space.ID)
	var bodies []string
	for _, body := range []string{`{"AddToTeamIds":["` + team.ID + `"],"SpaceId":"` + space.ID + `"}`, `{"AddToTeamIds":["teams-everyone"]}`} {
		resp := admin(t, env, "POST", "/api/users/invitations", body)
		if resp.status != 201 {
			t.Fatalf("got %d: %s", resp.status, resp.body)
		}
		bodies = append(bodies, resp.body)
	}
	installation := env.DB.InstallationID()
	env.Close()

	again := servertest.StartIn(t, dir)
	again.API.PublicURL = public
	if again.DB.InstallationID() != installation {
		t.Errorf("got installation %s after restart, want %s", again.DB.InstallationID(), installation)
	}
	for i, body := range bodies {
		admin(t, again, "GET", "/api/users/invitations/"+octoinvite.FormatID("Invitations", int64(i+1)), "").wantJSON(t, 200, body)
	}
	// IDs go on from where they were.
	resp := admin(t, again, "POST", "/api/users/invitations", `{"AddToTeamIds":[]}`)
	var inv octoinvite.Invitation
	resp.decode(t, &inv)
	if inv.ID != "Invitations-3" {
		t.Errorf("got %s after restart, want Invitations-3", inv.ID)
	}
}
