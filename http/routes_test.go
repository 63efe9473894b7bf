package http_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/internal/servertest"
)

// routeCase says how to call one route and what each caller gets. anyone is the status of
// every caller whose key does not authenticate (none, malformed, unknown, revoked); user and
// admin those of an ordinary user's key and an administrator's.
type routeCase struct {
	pattern             string
	path                func(t *testing.T, env *servertest.Env) string
	body                func() string
	anyone, user, admin int
}

var unique atomic.Int64

func fixed(p string) func(*testing.T, *servertest.Env) string {
	return func(*testing.T, *servertest.Env) string { return p }
}

func bodyOf(s string) func() string { return func() string { return s } }

// named returns a body whose Name is new at each call, so that creates do not collide.
func named(format string) func() string {
	return func() string { return fmt.Sprintf(format, unique.Add(1)) }
}

// freshInvitation returns the path, formatted with the ID of a new invitation of Spaces-1, so
// that each call revokes or regenerates one that is still pending.
func freshInvitation(format string) func(*testing.T, *servertest.Env) string {
	return func(t *testing.T, env *servertest.Env) string {
		inv := &octoinvite.Invitation{AddToTeamIDs: []string{}, SpaceID: ptr("Spaces-1"), LastModifiedBy: "admin"}
		if err := env.DB.CreateInvitation(context.Background(), inv); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf(format, inv.ID)
	}
}

// fresh returns the path, formatted with the ID of a document that create stores, so that each
// call deletes one that exists.
func fresh(format string, create func(t *testing.T, env *servertest.Env) string) func(*testing.T, *servertest.Env) string {
	return func(t *testing.T, env *servertest.Env) string { return fmt.Sprintf(format, create(t, env)) }
}

// stoppedSpace stores a space whose task queue is stopped, which may be deleted.
func stoppedSpace(t *testing.T, env *servertest.Env) string {
	space := &octoinvite.Space{Name: fmt.Sprintf("Doomed %d", unique.Add(1)), TaskQueueStopped: true}
	if err := env.DB.CreateSpace(context.Background(), space); err != nil {
		t.Fatal(err)
	}
	return space.ID
}

func spaceTeam(t *testing.T, env *servertest.Env) string {
	return env.CreateTeam(t, fmt.Sprintf("Doomed %d", unique.Add(1)), ptr("Spaces-1")).ID
}

func ordinaryUser(t *testing.T, env *servertest.Env) string {
	user, _ := env.CreateUser(t, fmt.Sprintf("doomed%d", unique.Add(1)))
	return user.ID
}

// everyRoute is the table of TestAuthentication_EveryRoute. TestAuthentication_TableCoversRoutes
// fails when a route registered in server.go is missing from it.
var everyRoute = []routeCase{
	{"GET /api", fixed("/api"), nil, 200, 200, 200},
	{"GET /api/{$}", fixed("/api/"), nil, 200, 200, 200},
	{"GET /api/spaces", fixed("/api/spaces"), nil, 401, 200, 200},
	{"POST /api/spaces", fixed("/api/spaces"), named(`{"Name":"Space %d"}`), 401, 403, 201},
	{"GET /api/spaces/{id}", fixed("/api/spaces/Spaces-1"), nil, 401, 200, 200},
	{"GET /api/spaces/all", fixed("/api/spaces/all"), nil, 401, 200, 200},
	{"PUT /api/spaces/{id}", fixed("/api/spaces/Spaces-1"), bodyOf(`{"Description":"The first space."}`), 401, 403, 200},
	{"DELETE /api/spaces/{id}", fresh("/api/spaces/%s", stoppedSpace), nil, 401, 403, 200},
	{"GET /api/spaces/{id}/logo", fixed("/api/spaces/Spaces-1/logo"), nil, 401, 200, 200},
	{"GET /api/spaces/{id}/search", fixed("/api/spaces/Spaces-1/search?keyword=dev"), nil, 401, 200, 200},
	{"GET /api/teams", fixed("/api/teams"), nil, 401, 200, 200},
	{"POST /api/teams", fixed("/api/teams"), named(`{"Name":"Team %d","SpaceId":"Spaces-1"}`), 401, 403, 201},
	{"GET /api/teams/{id}", fixed("/api/teams/teams-everyone"), nil, 401, 200, 200},
	{"GET /api/teams/all", fixed("/api/teams/all"), nil, 401, 200, 200},
	{"PUT /api/teams/{id}", fixed("/api/teams/Teams-1"), bodyOf(`{"Description":"They develop."}`), 401, 403, 200},
	{"DELETE /api/teams/{id}", fresh("/api/teams/%s", spaceTeam), nil, 401, 403, 200},
	// Any user may read whose teams are what: the teams' members are public to users too.
	{"GET /api/teammembership", fixed("/api/teammembership?userId=Users-1"), nil, 401, 200, 200},
	{"GET /api/users", fixed("/api/users"), nil, 401, 403, 200},
	{"GET /api/users/all", fixed("/api/users/all"), nil, 401, 403, 200},
	{"GET /api/users/me", fixed("/api/users/me"), nil, 401, 200, 200},
	{"POST /api/users/invitations", fixed("/api/users/invitations"), bodyOf(`{"AddToTeamIds":["teams-everyone"]}`), 401, 403, 201},
	{"GET /api/users/invitations/{id}", fixed("/api/users/invitations/Invitations-1"), nil, 401, 403, 200},
	{"GET /api/users/invitations", fixed("/api/users/invitations?state=Pending"), nil, 401, 403, 200},
	{"DELETE /api/users/invitations/{id}", freshInvitation("/api/users/invitations/%s"), nil, 401, 403, 200},
	{"POST /api/users/invitations/{id}/regenerate", freshInvitation("/api/users/invitations/%s/regenerate"), nil, 401, 403, 200},
	// The test server sends no email: a resend says so.
	{"POST /api/users/invitations/{id}/resend", freshInvitation("/api/users/invitations/%s/resend"), nil, 401, 403, 400},
	// The API's description and the probes are public; the metrics are for administrators.
	{"GET /api/openapi.json", fixed("/api/openapi.json"), nil, 200, 200, 200},
	{"GET /healthz", fixed("/healthz"), nil, 200, 200, 200},
	{"GET /readyz", fixed("/readyz"), nil, 200, 200, 200},
	{"GET /metrics", fixed("/metrics"), nil, 401, 403, 200},
	// Registration and sign-in ignore keys: the body decides.
	{"POST /api/users/register", fixed("/api/users/register"), bodyOf(`{"Username":"x","DisplayName":"x","Password":"correct horse battery","InvitationCode":"NOSUCHCODE"}`), 400, 400, 400},
	// Each sign-in names another user, so that the per-username throttle stays out of the way.
	{"POST /api/users/login", fixed("/api/users/login"), named(`{"Username":"nobody%d","Password":"not the password"}`), 401, 401, 401},
	{"POST /api/users/logout", fixed("/api/users/logout"), nil, 401, 204, 204},
	{"GET /api/events", fixed("/api/events"), nil, 401, 403, 200},
	{"GET /api/events/{id}", fixed("/api/events/Events-1"), nil, 401, 403, 200},
	// The invitee's page is public: without a code it explains that the link is not valid.
	{"/app/", fixed("/app/register"), nil, 404, 404, 404},
	// The server's root leads to the pages' sign-in (the client follows the redirects).
	{"GET /{$}", fixed("/"), nil, 200, 200, 200},
	// Any signed-in user may accept an invitation; an unknown code is refused.
	{"POST /api/users/invitations/accept", fixed("/api/users/invitations/accept"), bodyOf(`{"InvitationCode":"NOSUCHCODE"}`), 401, 400, 400},
	{"GET /api/{space}", fixed("/api/Spaces-1"), nil, 401, 200, 200},
	{"GET /api/{space}/{$}", fixed("/api/Spaces-1/"), nil, 401, 200, 200},
	{"GET /api/{space}/teams", fixed("/api/Spaces-1/teams"), nil, 401, 200, 200},
	{"POST /api/{space}/teams", fixed("/api/Spaces-1/teams"), named(`{"Name":"Space team %d"}`), 401, 403, 201},
	{"GET /api/{space}/teams/{id}", fixed("/api/Spaces-1/teams/Teams-1"), nil, 401, 200, 200},
	{"GET /api/{space}/teams/all", fixed("/api/Spaces-1/teams/all"), nil, 401, 200, 200},
	{"PUT /api/{space}/teams/{id}", fixed("/api/Spaces-1/teams/Teams-1"), bodyOf(`{"Description":"They develop."}`), 401, 403, 200},
	{"DELETE /api/{space}/teams/{id}", fresh("/api/Spaces-1/teams/%s", spaceTeam), nil, 401, 403, 200},
	{"POST /api/{space}/users/invitations", fixed("/api/Spaces-1/users/invitations"), bodyOf(`{"AddToTeamIds":["teams-everyone"]}`), 401, 403, 201},
	{"GET /api/{space}/users/invitations/{id}", fixed("/api/Spaces-1/users/invitations/Invitations-1"), nil, 401, 403, 200},
	{"GET /api/{space}/users/invitations", fixed("/api/Spaces-1/users/invitations"), nil, 401, 403, 200},
	{"DELETE /api/{space}/users/invitations/{id}", freshInvitation("/api/Spaces-1/users/invitations/%s"), nil, 401, 403, 200},
	{"POST /api/{space}/users/invitations/{id}/regenerate", freshInvitation("/api/Spaces-1/users/invitations/%s/regenerate"), nil, 401, 403, 200},
	{"POST /api/{space}/users/invitations/{id}/resend", freshInvitation("/api/Spaces-1/users/invitations/%s/resend"), nil, 401, 403, 400},
	// The user routes name the administrator: an ordinary user may not act on another user.
	{"GET /api/users/{id}", fixed("/api/users/Users-1"), nil, 401, 403, 200},
	{"PUT /api/users/{id}", fixed("/api/users/Users-1"), bodyOf(`{"DisplayName":"Administrator"}`), 401, 403, 200},
	{"DELETE /api/users/{id}", fresh("/api/users/%s", ordinaryUser), nil, 401, 403, 200},
	{"GET /api/users/{id}/spaces", fixed("/api/users/Users-1/spaces"), nil, 401, 403, 200},
	{"GET /api/users/{id}/permissions", fixed("/api/users/Users-1/permissions"), nil, 401, 403, 200},
	{"GET /api/users/{id}/avatar", fixed("/api/users/Users-1/avatar"), nil, 401, 403, 200},
	{"POST /api/users/{id}/apikeys", fixed("/api/users/Users-1/apikeys"), bodyOf(`{"Purpose":"table"}`), 401, 403, 201},
	{"GET /api/users/{id}/apikeys", fixed("/api/users/Users-1/apikeys"), nil, 401, 403, 200},
	{"GET /api/users/{id}/apikeys/{keyId}", fixed("/api/users/Users-1/apikeys/APIKeys-1"), nil, 401, 403, 200},
	{"DELETE /api/users/{id}/apikeys/{keyId}", func(t *testing.T, env *servertest.Env) string {
		key, err := env.DB.CreateAPIKey(context.Background(), "Users-1", "to revoke")
		if err != nil {
			t.Fatal(err)
		}
		return "/api/users/Users-1/apikeys/" + key.ID
	}, nil, 401, 403, 204},
	// Each call sets the password of a new user: an ordinary user may not.
	{"PUT /api/users/{id}/password", func(t *testing.T, env *servertest.Env) string {
		user, _ := env.CreateUser(t, fmt.Sprintf("password%d", unique.Add(1)))
		return "/api/users/" + user.ID + "/password"
	}, bodyOf(`{"Password":"purple elephant umbrella"}`), 401, 403, 204},
}

// TestAuthentication_EveryRoute calls every route as every kind of caller, with the key in each
// place Octopus accepts it.
func TestAuthentication_EveryRoute(t *testing.T) {
	env := servertest.Start(t)
	_, userKey := env.CreateUser(t, "jane")
	revoked, revokedKey := env.CreateUser(t, "gone")
	if err := env.DB.RevokeAPIKey(context.Background(), revoked.ID, "APIKeys-3"); err != nil {
		t.Fatal(err)
	}
	admin(t, env, "POST", "/api/Spaces-1/teams", `{"Name":"Developers"}`).wantStatus(t, 201)
	admin(t, env, "POST", "/api/Spaces-1/users/invitations", `{"AddToTeamIds":["teams-everyone"]}`).wantStatus(t, 201)

	callers := []struct {
		name string
		key  string
		want func(routeCase) int
	}{
		{"Anonymous", "", func(rc routeCase) int { return rc.anyone }},
		{"MalformedKey", "not-a-key", func(rc routeCase) int { return rc.anyone }},
		{"UnknownKey", "API-UNKNOWNKEY000000000000001", func(rc routeCase) int { return rc.anyone }},
		{"RevokedKey", revokedKey, func(rc routeCase) int { return rc.anyone }},
		{"OrdinaryUser", userKey, func(rc routeCase) int { return rc.user }},
		{"Administrator", servertest.AdminKey, func(rc routeCase) int { return rc.admin }},
	}
	for _, rc := range everyRoute {
		method, _, ok := strings.Cut(rc.pattern, " ")
		if !ok {
			method = "GET"
		}
		for _, caller := range callers {
			for _, in := range placements {
				if caller.key == "" && in != inHeader {
					continue
				}
				t.Run(rc.pattern+"/"+caller.name+"/"+in.String(), func(t *testing.T) {
					body := ""
					if rc.body != nil {
						body = rc.body()
					}
					resp := send(t, env, request{method: method, path: rc.path(t, env), key: caller.key, in: in, body: body})
					if want := caller.want(rc); resp.status != want {
						t.Errorf("got %d, want %d: %s", resp.status, want, resp.body)
					}
					if resp.status == 401 && !strings.HasPrefix(rc.pattern, "POST /api/users/login") {
						resp.wantJSON(t, 401, unauthorizedBody)
					}
				})
			}
		}
	}
}

// TestAuthentication_TableCoversRoutes reads the routes that server.go registers and fails for
// any that TestAuthentication_EveryRoute does not call, so that no route escapes the table.
func TestAuthentication_TableCoversRoutes(t *testing.T) {
	registered := map[string]bool{}
	for _, pattern := range servertest.Start(t).API.Routes() {
		registered[pattern] = true
	}
	covered := map[string]bool{}
	for _, rc := range everyRoute {
		covered[rc.pattern] = true
	}
	var missing, stale []string
	for p := range registered {
		if !covered[p] {
			missing = append(missing, p)
		}
	}
	for p := range covered {
		if !registered[p] {
			stale = append(stale, p)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	if len(missing) > 0 {
		t.Errorf("routes missing from everyRoute: %v", missing)
	}
	if len(stale) > 0 {
		t.Errorf("everyRoute lists routes server.go does not register: %v", stale)
	}
}

func (r response) wantStatus(t *testing.T, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("got status %d, want %d: %s", r.status, status, r.body)
	}
}
