package http_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/internal/pgtest"
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

// onEachStore runs fn against a test server on each store: SQLite, and PostgreSQL when pgtest
// finds a server (the subtest skips, saying why, otherwise). The two refuse different text
// (PostgreSQL refuses NUL and invalid UTF-8 where SQLite keeps anything), so hostile input is
// tried on both.
func onEachStore(t *testing.T, fn func(t *testing.T, env *servertest.Env)) {
	t.Run("SQLite", func(t *testing.T) { fn(t, servertest.Start(t)) })
	t.Run("PostgreSQL", func(t *testing.T) { fn(t, startOnPostgres(t, pgtest.NewDatabase(t, "pool_max_conns=4"))) })
}

// serverErrors counts the answers of a hostile-input table that were server errors: whatever a
// request holds, the server must refuse it, never fail on it.
type serverErrors struct{ answers, failed []string }

// add records the answer to one request of the table.
func (e *serverErrors) add(name string, status int) {
	e.answers = append(e.answers, name)
	if status >= 500 {
		e.failed = append(e.failed, fmt.Sprintf("%s: %d", name, status))
	}
}

// check fails the test if any request of the table answered a server error.
func (e *serverErrors) check(t *testing.T) {
	t.Helper()
	if len(e.answers) == 0 {
		t.Error("no request of the table was answered")
	}
	if len(e.failed) > 0 {
		t.Errorf("%d of %d hostile requests answered a server error: %v", len(e.failed), len(e.answers), e.failed)
	}
}

// TestHostileInput sends what a fuzzer or an attacker would: each gets the right 4xx with an
// Octopus error body, on each store, and the store is unchanged.
func TestHostileInput(t *testing.T) {
	onEachStore(t, testHostileInput)
}

func testHostileInput(t *testing.T, env *servertest.Env) {
	admin(t, env, "POST", "/api/Spaces-1/users/invitations", `{"AddToTeamIds":[]}`)
	before := storeState(t, env)
	post := func(path, body string) request {
		return request{method: "POST", path: path, key: servertest.AdminKey, body: body}
	}
	get := func(path string) request { return request{method: "GET", path: path, key: servertest.AdminKey} }
	put := func(path, body string) request {
		return request{method: "PUT", path: path, key: servertest.AdminKey, body: body}
	}
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
		// NUL, invalid UTF-8 (which JSON decoding turns into U+FFFD, but a query does not),
		// and characters that reorder text, wherever text reaches a store or a filter.
		{"SpaceNameNUL", post("/api/spaces", `{"Name":"Ops\u0000"}`), 400},
		{"SpaceNameBidiOverride", post("/api/spaces", `{"Name":"Ops\u202egnp.exe"}`), 400},
		{"SpaceNameInvisible", post("/api/spaces", `{"Name":"\u200b\u2060\u00ad"}`), 400},
		{"SpaceDescriptionNUL", post("/api/spaces", `{"Name":"Ops","Description":"\u0000"}`), 400},
		{"SpaceSlugNUL", post("/api/spaces", `{"Name":"Ops","Slug":"ops\u0000"}`), 400},
		{"SpaceManagerNUL", post("/api/spaces", `{"Name":"Ops","SpaceManagersTeams":["Teams-1\u0000"]}`), 400},
		{"SpaceManagerMemberNUL", post("/api/spaces", `{"Name":"Ops","SpaceManagersTeamMembers":["Users-1\u0000"]}`), 400},
		{"TeamNameNUL", post("/api/Spaces-1/teams", `{"Name":"Dev\u0000"}`), 400},
		{"TeamNameLineSeparator", post("/api/Spaces-1/teams", `{"Name":"Dev\u2028ops"}`), 400},
		{"TeamDescriptionNUL", post("/api/Spaces-1/teams", `{"Name":"Dev","Description":"a\u0000b"}`), 400},
		{"TeamMemberNUL", post("/api/Spaces-1/teams", `{"Name":"Dev","MemberUserIds":["Users-1\u0000"]}`), 400},
		{"TeamSpaceNUL", post("/api/teams", `{"Name":"Dev","SpaceId":"Spaces-1\u0000"}`), 400},
		{"InvitationSpaceNUL", post("/api/users/invitations", `{"AddToTeamIds":[],"SpaceId":"Spaces-1\u0000"}`), 400},
		{"SpacesPartialNameNUL", get("/api/spaces?partialName=a%00"), 400},
		{"SpacesPartialNameInvalidUTF8", get("/api/spaces?partialName=%FF%FE"), 400},
		{"SpacesPartialNameTwice", get("/api/spaces?partialName=%00&PartialName=%FF"), 400},
		{"SpacesIDsNUL", get("/api/spaces?ids=Spaces-1%00"), 400},
		{"TeamsPartialNameNUL", get("/api/teams?partialName=%00"), 400},
		{"TeamsPartialNameInvalidUTF8", get("/api/Spaces-1/teams?partialName=%C3%28"), 400},
		{"TeamsSpacesNUL", get("/api/teams?spaces=Spaces-1%00"), 400},
		{"TeamsIDsInvalidUTF8", get("/api/teams?ids=Teams-%FF"), 400},
		{"UsersFilterNUL", get("/api/users?filter=adm%00"), 400},
		{"UsersFilterInvalidUTF8", get("/api/users?filter=%FF"), 400},
		{"UsersIDsNUL", get("/api/users?ids=%00"), 400},
		{"InvitationsIDsNUL", get("/api/users/invitations?ids=Invitations-1%00"), 400},
		{"InvitationsStateInvalidUTF8", get("/api/users/invitations?state=%FF"), 400},
		{"InvitationsTeamNUL", get("/api/users/invitations?team=teams-everyone%00"), 400},
		{"SpaceIDNUL", get("/api/spaces/Spaces-1%00"), 404},
		{"SpaceRouteInvalidUTF8", get("/api/Spaces-%FF/teams"), 404},
		{"TeamIDInvalidUTF8", get("/api/teams/Teams-1%FF"), 404},
		{"UserIDNUL", get("/api/users/Users-1%00"), 404},
		{"PutSpaceNameNUL", put("/api/spaces/Spaces-1", `{"Name":"Default\u0000"}`), 400},
		{"PutSpaceManagerInvalidUTF8", put("/api/spaces/Spaces-1", "{\"SpaceManagersTeams\":[\"\xff\"]}"), 400},
		{"PutSpaceDefaultString", put("/api/spaces/Spaces-1", `{"IsDefault":"yes"}`), 400},
		{"PutTeamMemberNUL", put("/api/teams/teams-administrators", `{"MemberUserIds":["Users-1\u0000"]}`), 400},
		{"PutTeamManyMembers", put("/api/teams/teams-administrators", `{"MemberUserIds":["`+strings.Join(manyIDs("Users", 5000), `","`)+`"]}`), 400},
		{"PutTeamSpaceNumber", put("/api/teams/teams-administrators", `{"SpaceId":5}`), 400},
		{"PutTeamDeep", put("/api/teams/teams-administrators", `{"MemberUserIds":`+deep+`}`), 400},
		{"PutUserNameNUL", put("/api/users/Users-1", `{"Username":"admin\u0000"}`), 400},
		{"PutUserDisplayNameBidi", put("/api/users/Users-1", `{"DisplayName":"Admin\u202e"}`), 400},
		{"PutUserEmailHeader", put("/api/users/Users-1", `{"EmailAddress":"a@example.com\r\nBcc: b@example.com"}`), 400},
		{"PutUserActiveNull", put("/api/users/Users-1", `{"IsActive":0}`), 400},
		{"DeleteUserIDNUL", request{method: "DELETE", path: "/api/users/Users-2%00", key: servertest.AdminKey}, 404},
		{"DeleteSpaceInvalidUTF8", request{method: "DELETE", path: "/api/spaces/Spaces-%FF", key: servertest.AdminKey}, 404},
		{"DeleteTeamOverlong", request{method: "DELETE", path: "/api/teams/Teams-" + strings.Repeat("9", 5000), key: servertest.AdminKey}, 404},
	}
	var answers serverErrors
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := send(t, env, tt.req)
			answers.add(tt.name, resp.status)
			resp.wantRefused(t, tt.status)
		})
	}
	answers.check(t)
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
