package http_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/internal/servertest"
)

// expectedCode returns the code the server draws next from a countingReader started like env's.
func expectedCode(t *testing.T) string {
	t.Helper()
	code, err := octoinvite.NewInvitationCode(&countingReader{})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func TestCreateInvitation_ExactResource(t *testing.T) {
	env := servertest.Start(t)
	team := env.CreateTeam(t, "Developers", ptr("Spaces-1"))
	env.DB.Rand = &countingReader{}
	code := expectedCode(t)

	resp := admin(t, env, "POST", "/api/Spaces-1/users/invitations", `{"AddToTeamIds":["`+team.ID+`"]}`)
	want := `{"Id":"Invitations-1","AddToTeamIds":["Teams-1"],"InvitationCode":"` + code + `",
		"Expires":"2026-11-28T10:00:00.000+00:00","SpaceId":"Spaces-1",
		"LastModifiedOn":"2026-11-26T10:00:00.000+00:00","LastModifiedBy":"admin",
		"State":"Pending","MaxUses":1,"Uses":0,
		"Links":{"Register":"` + env.URL + `/app/register?invitation=` + code + `","Self":"/api/Spaces-1/users/invitations/Invitations-1"}}`
	resp.wantJSON(t, http.StatusCreated, want)
	if got := resp.header.Get("Location"); got != "/api/Spaces-1/users/invitations/Invitations-1" {
		t.Errorf("got Location %q, want the Self link", got)
	}
	// The wire format is byte-exact for dates: milliseconds and a numeric offset, never Z.
	if !strings.Contains(resp.body, `"Expires":"2026-11-28T10:00:00.000+00:00"`) {
		t.Errorf("Expires not in Octopus's date format: %s", resp.body)
	}
	admin(t, env, "GET", "/api/users/invitations/Invitations-1", "").wantJSON(t, http.StatusOK, want)
	admin(t, env, "GET", "/api/Spaces-1/users/invitations/Invitations-1", "").wantJSON(t, http.StatusOK, want)
}

// TestUnscopedRoutesActOnDefaultSpace sends what Octopus.Client sends when configured without a
// space: the route without a space, a null SpaceId. As in Octopus, the invitation goes to the
// default space; without a default space, it belongs to no space and may add users to system
// teams only.
func TestUnscopedRoutesActOnDefaultSpace(t *testing.T) {
	env := servertest.Start(t)
	admin(t, env, "POST", "/api/Spaces-1/teams", `{"Name":"Developers"}`).wantStatus(t, http.StatusCreated)
	env.DB.Rand = &countingReader{}
	code := expectedCode(t)
	body := `{"Id":null,"AddToTeamIds":["Teams-1"],"InvitationCode":null,"Expires":"0001-01-01T00:00:00.000+00:00","SpaceId":null,
		"LastModifiedOn":null,"LastModifiedBy":null,"Links":{}}`
	want := `{"Id":"Invitations-1","AddToTeamIds":["Teams-1"],"InvitationCode":"` + code + `",
		"Expires":"2026-11-28T10:00:00.000+00:00","SpaceId":"Spaces-1",
		"LastModifiedOn":"2026-11-26T10:00:00.000+00:00","LastModifiedBy":"admin",
		"State":"Pending","MaxUses":1,"Uses":0,
		"Links":{"Register":"` + env.URL + `/app/register?invitation=` + code + `","Self":"/api/Spaces-1/users/invitations/Invitations-1"}}`
	resp := admin(t, env, "POST", "/api/users/invitations", body)
	resp.wantJSON(t, http.StatusCreated, want)
	if got := resp.header.Get("Location"); got != "/api/Spaces-1/users/invitations/Invitations-1" {
		t.Errorf("got Location %q, want the Self link", got)
	}
	admin(t, env, "GET", "/api/users/invitations/Invitations-1", "").wantJSON(t, http.StatusOK, want)

	// The default space moves: so does the route without a space.
	admin(t, env, "POST", "/api/spaces", `{"Name":"Operations","IsDefault":true}`).wantStatus(t, http.StatusCreated)
	var inv octoinvite.Invitation
	admin(t, env, "POST", "/api/users/invitations", `{"AddToTeamIds":["teams-everyone"]}`).decode(t, &inv)
	if inv.SpaceID == nil || *inv.SpaceID != "Spaces-2" {
		t.Errorf("got SpaceId %v, want Spaces-2, the new default", inv.SpaceID)
	}
	admin(t, env, "POST", "/api/users/invitations", body).wantJSON(t, http.StatusBadRequest,
		problemBody("The team 'Teams-1' belongs to the space 'Spaces-1', not to the invitation's space 'Spaces-2'."))

	// Without a default space, the route without a space acts outside any space.
	admin(t, env, "PUT", "/api/spaces/Spaces-2", `{"IsDefault":false}`).wantStatus(t, http.StatusOK)
	admin(t, env, "POST", "/api/users/invitations", body).wantJSON(t, http.StatusBadRequest,
		problemBody("The team 'Teams-1' belongs to the space 'Spaces-1'; an invitation without a space can only add users to system teams."))
	admin(t, env, "POST", "/api/users/invitations", `{"AddToTeamIds":["teams-everyone"]}`).decode(t, &inv)
	if inv.SpaceID != nil || inv.Links["Self"] != "/api/users/invitations/"+inv.ID {
		t.Errorf("got SpaceId %v and Self %s, want no space", inv.SpaceID, inv.Links["Self"])
	}
}

// TestInvitationOperations_EveryKeyPlacement runs the four operations of the API with the key in
// each of the three places Octopus accepts it.
func TestInvitationOperations_EveryKeyPlacement(t *testing.T) {
	env := servertest.Start(t)
	team := env.CreateTeam(t, "Developers", ptr("Spaces-1"))
	for _, in := range placements {
		t.Run(in.String(), func(t *testing.T) {
			for _, route := range []string{"/api/users/invitations", "/api/Spaces-1/users/invitations"} {
				created := send(t, env, request{method: "POST", path: route, key: servertest.AdminKey, in: in,
					body: `{"AddToTeamIds":["` + team.ID + `"],"SpaceId":"Spaces-1"}`})
				if created.status != http.StatusCreated {
					t.Fatalf("POST %s: got %d, want 201: %s", route, created.status, created.body)
				}
				var inv octoinvite.Invitation
				created.decode(t, &inv)
				for _, path := range []string{"/api/users/invitations/" + inv.ID, "/api/Spaces-1/users/invitations/" + inv.ID} {
					send(t, env, request{method: "GET", path: path, key: servertest.AdminKey, in: in}).
						wantJSON(t, http.StatusOK, created.body)
				}
			}
		})
	}
}

func TestCreateInvitation_ServerSetsReadOnlyFields(t *testing.T) {
	env := servertest.Start(t)
	env.Clock.Set(time.Date(2026, 12, 1, 8, 30, 15, 123456789, time.UTC))
	// What Octopus.Client sends, plus values a client has no say over.
	resp := admin(t, env, "POST", "/api/users/invitations", `{"Id":"Invitations-77","AddToTeamIds":["teams-everyone"],
		"InvitationCode":"chosen-by-client","Expires":"0001-01-01T00:00:00.000+00:00","SpaceId":null,
		"LastModifiedOn":"2001-01-01T00:00:00.000+00:00","LastModifiedBy":"mallory","Links":{"Self":"/elsewhere"},"Unknown":1}`)
	var inv octoinvite.Invitation
	resp.decode(t, &inv)
	if resp.status != http.StatusCreated {
		t.Fatalf("got %d, want 201: %s", resp.status, resp.body)
	}
	// A null SpaceId on the route without a space is the default space, as in Octopus.
	if inv.ID != "Invitations-1" || inv.InvitationCode == "chosen-by-client" || inv.LastModifiedBy != "admin" ||
		inv.Links["Self"] != "/api/Spaces-1/users/invitations/Invitations-1" || inv.SpaceID == nil || *inv.SpaceID != "Spaces-1" {
		t.Errorf("client-sent read-only fields were not ignored: %s", resp.body)
	}
	if want := "2026-12-03T08:30:15.123+00:00"; !strings.Contains(resp.body, `"Expires":"`+want+`"`) {
		t.Errorf("got %s, want Expires %s (now + 48h, to the millisecond)", resp.body, want)
	}
	if want := "2026-12-01T08:30:15.123+00:00"; !strings.Contains(resp.body, `"LastModifiedOn":"`+want+`"`) {
		t.Errorf("got %s, want LastModifiedOn %s", resp.body, want)
	}
	if !octoinvite.ValidInvitationCode(inv.InvitationCode) || len(inv.InvitationCode) < 22 {
		t.Errorf("code %q is not URL-safe text of at least 128 bits", inv.InvitationCode)
	}
	// The stored document agrees with the answer.
	stored, err := env.DB.FindInvitationByID(t.Context(), inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.InvitationCode != inv.InvitationCode || !stored.Expires.Equal(inv.Expires.Time) || stored.LastModifiedBy != "admin" {
		t.Errorf("stored %+v, answered %+v", stored, inv)
	}
}

func TestCreateInvitation_TeamsAreASet(t *testing.T) {
	env := servertest.Start(t)
	team := env.CreateTeam(t, "Developers", ptr("Spaces-1"))
	resp := admin(t, env, "POST", "/api/Spaces-1/users/invitations",
		`{"AddToTeamIds":["teams-1","`+team.ID+`","TEAMS-1","Teams-Everyone","teams-everyone"]}`)
	var inv octoinvite.Invitation
	resp.decode(t, &inv)
	if got, want := fmt.Sprint(inv.AddToTeamIDs), "[Teams-1 teams-everyone]"; got != want {
		t.Errorf("got AddToTeamIds %s, want %s", got, want)
	}
	resp = admin(t, env, "POST", "/api/users/invitations", `{"AddToTeamIds":[],"SpaceId":null}`)
	resp.decode(t, &inv)
	if resp.status != http.StatusCreated || inv.AddToTeamIDs == nil || len(inv.AddToTeamIDs) != 0 || !strings.Contains(resp.body, `"AddToTeamIds":[]`) {
		t.Errorf("an empty team list: got %d %s, want 201 with AddToTeamIds []", resp.status, resp.body)
	}
}

func TestCreateInvitation_SpaceRules(t *testing.T) {
	env := servertest.Start(t)
	second := env.CreateSpace(t, "Second")
	own := env.CreateTeam(t, "Developers", ptr("Spaces-1"))
	other := env.CreateTeam(t, "Operators", &second.ID)
	problem := func(msg string) string {
		return `{"ErrorMessage":"There was a problem with your request.","Errors":["` + msg + `"]}`
	}
	tests := []struct {
		name   string
		path   string
		body   string
		status int
		want   string // exact JSON; empty to check only the status
	}{
		{"OK_NullSpaceTakesRoute", "/api/Spaces-2/users/invitations", `{"AddToTeamIds":["` + other.ID + `"],"SpaceId":null}`, 201, ""},
		{"OK_SameSpaceAnyCase", "/api/spaces-2/users/invitations", `{"AddToTeamIds":["` + other.ID + `"],"SpaceId":"SPACES-2"}`, 201, ""},
		{"OK_SystemTeamInSpace", "/api/Spaces-2/users/invitations", `{"AddToTeamIds":["teams-administrators"]}`, 201, ""},
		{"ErrUnknownRouteSpace", "/api/Spaces-9/users/invitations", `{"AddToTeamIds":[]}`, 404,
			`{"ErrorMessage":"The resource 'Spaces-9' was not found."}`},
		{"ErrOtherBodySpace", "/api/Spaces-1/users/invitations", `{"AddToTeamIds":[],"SpaceId":"Spaces-2"}`, 400,
			problem("The SpaceId 'Spaces-2' does not match the space of the route, 'Spaces-1'.")},
		{"ErrUnknownBodySpace", "/api/users/invitations", `{"AddToTeamIds":[],"SpaceId":"Spaces-9"}`, 400,
			problem("The space 'Spaces-9' does not exist.")},
		{"ErrMalformedBodySpace", "/api/users/invitations", `{"AddToTeamIds":[],"SpaceId":"Default"}`, 400,
			problem("The space 'Default' does not exist.")},
		{"ErrTeamOfOtherSpace", "/api/Spaces-1/users/invitations", `{"AddToTeamIds":["` + own.ID + `","` + other.ID + `"]}`, 400,
			problem("The team 'Teams-2' belongs to the space 'Spaces-2', not to the invitation's space 'Spaces-1'.")},
		{"OK_DefaultSpaceWithoutRouteSpace", "/api/users/invitations", `{"AddToTeamIds":["` + own.ID + `"],"SpaceId":null}`, 201, ""},
		{"ErrOtherSpaceWithoutRouteSpace", "/api/users/invitations", `{"AddToTeamIds":["` + other.ID + `"]}`, 400,
			problem("The team 'Teams-2' belongs to the space 'Spaces-2', not to the invitation's space 'Spaces-1'.")},
		{"ErrUnknownTeam", "/api/Spaces-1/users/invitations", `{"AddToTeamIds":["Teams-99"]}`, 400,
			problem("The team 'Teams-99' does not exist.")},
		{"ErrMalformedTeam", "/api/Spaces-1/users/invitations", `{"AddToTeamIds":["Developers"]}`, 400,
			problem("The team 'Developers' does not exist.")},
		{"ErrMissingTeams", "/api/Spaces-1/users/invitations", `{"SpaceId":null}`, 400,
			problem("Please specify which teams the user will be invited to join.")},
		{"ErrNullTeams", "/api/users/invitations", `{"AddToTeamIds":null}`, 400,
			problem("Please specify which teams the user will be invited to join.")},
		{"ErrNullBody", "/api/users/invitations", `null`, 400, problem("No request body was supplied.")},
		{"ErrWrongType", "/api/users/invitations", `{"AddToTeamIds":"Teams-1"}`, 400,
			problem("The field 'AddToTeamIds' must be an array of strings, not string.")},
		{"ErrTruncatedJSON", "/api/users/invitations", `{"AddToTeamIds":[`, 400,
			problem("The request body is not valid JSON: it ends too early.")},
		{"ErrTrailingData", "/api/users/invitations", `{"AddToTeamIds":[]} {}`, 400,
			problem("The request body must hold one JSON object and nothing after it.")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := countInvitations(t, env)
			resp := admin(t, env, "POST", tt.path, tt.body)
			if tt.want != "" {
				resp.wantJSON(t, tt.status, tt.want)
			} else if resp.status != tt.status {
				t.Errorf("got %d, want %d: %s", resp.status, tt.status, resp.body)
			}
			created := 0
			if tt.status == 201 {
				created = 1
			}
			if got := countInvitations(t, env); got != before+created {
				t.Errorf("got %d invitations stored, want %d", got, before+created)
			}
		})
	}
}

// countInvitations counts the stored invitations through the store, by probing IDs in order.
func countInvitations(t *testing.T, env *servertest.Env) int {
	t.Helper()
	n := 0
	for {
		_, err := env.DB.FindInvitationByID(t.Context(), octoinvite.FormatID(octoinvite.KindInvitation, int64(n+1)))
		if octoinvite.ErrorCode(err) == octoinvite.ENOTFOUND {
			return n
		} else if err != nil {
			t.Fatal(err)
		}
		n++
	}
}

func TestGetInvitation_Visibility(t *testing.T) {
	env := servertest.Start(t)
	env.CreateSpace(t, "Second")
	admin(t, env, "POST", "/api/Spaces-1/users/invitations", `{"AddToTeamIds":[]}`) // Invitations-1 in Spaces-1
	invite(t, env, nil)                                                             // Invitations-2, no space
	notFound := func(id string) string { return `{"ErrorMessage":"The resource '` + id + `' was not found."}` }
	tests := []struct {
		name, path string
		status     int
		want       string
	}{
		{"OK_Global", "/api/users/invitations/Invitations-1", 200, ""},
		{"OK_GlobalSpaceless", "/api/users/invitations/Invitations-2", 200, ""},
		{"OK_OwnSpace", "/api/Spaces-1/users/invitations/Invitations-1", 200, ""},
		{"OK_IDAnyCase", "/api/users/invitations/invitations-1", 200, ""},
		{"ErrOtherSpace", "/api/Spaces-2/users/invitations/Invitations-1", 404, notFound("Invitations-1")},
		{"ErrSpacelessOnSpaceRoute", "/api/Spaces-1/users/invitations/Invitations-2", 404, notFound("Invitations-2")},
		{"ErrUnknownSpace", "/api/Spaces-3/users/invitations/Invitations-1", 404, notFound("Spaces-3")},
		{"ErrUnknown", "/api/users/invitations/Invitations-9", 404, notFound("Invitations-9")},
		{"ErrMalformed", "/api/users/invitations/Teams-1", 404, notFound("Teams-1")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := admin(t, env, "GET", tt.path, "")
			if tt.want != "" {
				resp.wantJSON(t, tt.status, tt.want)
			} else if resp.status != tt.status {
				t.Errorf("got %d, want %d: %s", resp.status, tt.status, resp.body)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
