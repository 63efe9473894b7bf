package http_test

import (
	"context"
	"strings"
	"testing"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/internal/servertest"
)

// storeState summarises what the store holds, to check that refused requests change nothing.
func storeState(t *testing.T, env *servertest.Env) [4]int {
	t.Helper()
	ctx := context.Background()
	all := octoinvite.Range{Take: octoinvite.MaxTake}
	spaces, err := env.DB.FindSpaces(ctx, octoinvite.SpaceFilter{Range: all})
	if err != nil {
		t.Fatal(err)
	}
	teams, err := env.DB.FindTeams(ctx, octoinvite.TeamFilter{IncludeSystem: true, Range: all})
	if err != nil {
		t.Fatal(err)
	}
	users, err := env.DB.FindUsers(ctx, octoinvite.UserFilter{Range: all})
	if err != nil {
		t.Fatal(err)
	}
	return [4]int{spaces.Total, teams.Total, users.Total, countInvitations(t, env)}
}

// TestHostileInput sends what a fuzzer or an attacker would: each gets the right 4xx with an
// Octopus error body, and the store is unchanged.
func TestHostileInput(t *testing.T) {
	env := servertest.Start(t)
	admin(t, env, "POST", "/api/Spaces-1/users/invitations", `{"AddToTeamIds":[]}`)
	before := storeState(t, env)
	post := func(path, body string) request {
		return request{method: "POST", path: path, key: servertest.AdminKey, body: body}
	}
	get := func(path string) request { return request{method: "GET", path: path, key: servertest.AdminKey} }
	deep := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
	tests := []struct {
		name   string
		req    request
		status int
	}{
		{"TruncatedJSON", post("/api/users/invitations", `{"AddToTeamIds":["teams-ev`), 400},
		{"NotAnObject", post("/api/users/invitations", `["teams-everyone"]`), 400},
		{"StringBody", post("/api/users/invitations", `"hello"`), 400},
		{"NumberForSpace", post("/api/users/invitations", `{"AddToTeamIds":[],"SpaceId":5}`), 400},
		{"ObjectForTeam", post("/api/users/invitations", `{"AddToTeamIds":[{"Id":"teams-everyone"}]}`), 400},
		{"NullTeam", post("/api/users/invitations", `{"AddToTeamIds":[null]}`), 400},
		{"DeepNesting", post("/api/users/invitations", `{"AddToTeamIds":`+deep+`}`), 400},
		{"HugeDuplicateTeams", post("/api/users/invitations", `{"AddToTeamIds":[`+strings.Repeat(`"teams-everyone",`, 5000)+`"teams-everyone"]}`), 400},
		{"TooManyTeams", post("/api/users/invitations", `{"AddToTeamIds":["`+strings.Join(manyIDs("Teams", 101), `","`)+`"]}`), 400},
		{"OverlongTeamID", post("/api/users/invitations", `{"AddToTeamIds":["Teams-`+strings.Repeat("9", 5000)+`"]}`), 400},
		{"ControlCharsInTeam", post("/api/users/invitations", `{"AddToTeamIds":["Teams-1\u0000"]}`), 400},
		{"InvalidUTF8", post("/api/users/invitations", "{\"AddToTeamIds\":[\"\xff\xfe\"]}"), 400},
		{"HugeBody", post("/api/users/invitations", `{"AddToTeamIds":[],"Pad":"`+strings.Repeat("x", 2<<20)+`"}`), 413},
		{"FormBody", request{method: "POST", path: "/api/users/invitations", key: servertest.AdminKey, body: `a=b`,
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}, 415},
		{"XMLBody", request{method: "POST", path: "/api/spaces", key: servertest.AdminKey, body: `<Space/>`,
			header: map[string]string{"Content-Type": "application/xml"}}, 415},
		{"BadMediaType", request{method: "POST", path: "/api/teams", key: servertest.AdminKey, body: `{}`,
			header: map[string]string{"Content-Type": ";;;"}}, 415},
		{"OverlongID", get("/api/users/invitations/Invitations-" + strings.Repeat("1", 10000)), 404},
		{"TraversalID", get("/api/users/invitations/..%2F..%2Fetc%2Fpasswd"), 404},
		{"EncodedSlashInSpace", get("/api/Spaces-1%2Fusers/invitations/Invitations-1"), 404},
		{"NULInID", get("/api/users/invitations/Invitations-1%00"), 404},
		{"UnicodeDigits", get("/api/users/invitations/Invitations-%D9%A1"), 404},
		{"NegativeID", get("/api/users/invitations/Invitations--1"), 404},
		{"UnknownSpaceTeams", post("/api/Spaces-99/teams", `{"Name":"x"}`), 404},
		{"HugeSkip", get("/api/spaces?skip=99999999999999999999"), 400},
		{"TooManySpaceIDs", get("/api/spaces?ids=" + strings.Join(manyIDs("Spaces", 101), ",")), 400},
		{"TooManyTeamIDs", get("/api/teams?ids=" + strings.Join(manyIDs("Teams", 101), ",")), 400},
		{"TooManyTeamSpaces", get("/api/teams?spaces=" + strings.Join(manyIDs("Spaces", 101), ",")), 400},
		{"TooManyUserIDs", get("/api/users?ids=" + strings.Join(manyIDs("Users", 101), ",")), 400},
		{"TeamNameTooLong", post("/api/Spaces-1/teams", `{"Name":"`+strings.Repeat("n", 201)+`"}`), 400},
		{"SpaceWithBadSlug", post("/api/spaces", `{"Name":"Ok","Slug":"Not A Slug"}`), 400},
		{"TeamsAsString", post("/api/Spaces-1/teams", `{"Name":"x","MemberUserIds":"Users-1"}`), 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := send(t, env, tt.req)
			resp.wantRefused(t, tt.status)
		})
	}
	if after := storeState(t, env); after != before {
		t.Errorf("store went from %v to %v (spaces, teams, users, invitations)", before, after)
	}

	// Harmless oddities are accepted as Octopus would.
	for _, req := range []request{
		get("/api/spaces?unknown=1&partialName=&%ZZ"),
		get("/api//users/invitations/Invitations-1"), // redirected to the clean path
		post("/api/users/invitations", "\ufeff"+`{"AddToTeamIds":[]}`),
	} {
		if resp := send(t, env, req); resp.status >= 400 {
			t.Errorf("%s %s: got %d, want success: %s", req.method, req.path, resp.status, resp.body)
		}
	}
}

// wantRefused fails unless the response has the status and a short Octopus error body: input
// must never be echoed back unbounded.
func (r response) wantRefused(t *testing.T, status int) {
	t.Helper()
	if r.status != status {
		t.Errorf("got %d, want %d: %.300s", r.status, status, r.body)
	}
	var body ErrorBody
	r.decode(t, &body)
	if body.ErrorMessage == "" {
		t.Errorf("got no ErrorMessage: %.300s", r.body)
	}
	if len(r.body) > 2000 {
		t.Errorf("got a %d-byte error body: input must not be echoed unbounded", len(r.body))
	}
}

// ErrorBody is the shape of every error answer.
type ErrorBody struct {
	ErrorMessage string
	Errors       []string
}

func manyIDs(kind string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = octoinvite.FormatID(kind, int64(i+1))
	}
	return out
}
