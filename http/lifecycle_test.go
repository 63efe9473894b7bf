package http_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/internal/servertest"
)

// invitationJSON is the exact resource of an invitation the tests create on the server at base:
// in the space if spaceID is set, with the code and the state-dependent fields given.
func invitationJSON(base, id, spaceID, code, expires, extra string) string {
	space, self := `null`, "/api/users/invitations/"+id
	if spaceID != "" {
		space, self = `"`+spaceID+`"`, "/api/"+spaceID+"/users/invitations/"+id
	}
	return `{"Id":"` + id + `","AddToTeamIds":[],"InvitationCode":"` + code + `","Expires":"` + expires + `","SpaceId":` + space +
		`,"LastModifiedOn":"2026-11-26T10:00:00.000+00:00","LastModifiedBy":"admin",` + extra + `,"Links":{"Register":"` + base + `/app/register?invitation=` + code + `","Self":"` + self + `"}}`
}

// codeError is the body of a refused invitation code: the message, repeated in Errors.
func codeError(msg string) string {
	return `{"ErrorMessage":"` + msg + `","Errors":["` + msg + `"]}`
}

func TestListInvitations(t *testing.T) {
	env := servertest.Start(t)
	team := env.CreateTeam(t, "Developers", ptr("Spaces-1"))
	invite(t, env, nil)                                // Invitations-1
	second := invite(t, env, ptr("Spaces-1"), team.ID) // Invitations-2
	third := invite(t, env, ptr("Spaces-1"))           // Invitations-3
	admin(t, env, "DELETE", "/api/users/invitations/"+third.ID, "").want(t, 200, "")
	env.Clock.Set(servertest.Epoch.Add(time.Minute))

	pending := `"State":"Pending","MaxUses":1,"Uses":0`
	exp := "2026-11-28T10:00:00.000+00:00"
	t.Run("OK_Exact", func(t *testing.T) {
		admin(t, env, "GET", "/api/users/invitations?take=2", "").wantJSON(t, 200, `{"ItemType":"Invitation","TotalResults":3,
			"ItemsPerPage":2,"NumberOfPages":2,"LastPageNumber":1,"Items":[`+
			invitationJSON(env.URL, "Invitations-3", "Spaces-1", third.InvitationCode, exp,
				`"State":"Revoked","MaxUses":1,"Uses":0,"RevokedOn":"2026-11-26T10:00:00.000+00:00","RevokedBy":"admin"`)+`,`+
			strings.Replace(invitationJSON(env.URL, "Invitations-2", "Spaces-1", second.InvitationCode, exp, pending), `"AddToTeamIds":[]`, `"AddToTeamIds":["Teams-1"]`, 1)+`],
			"Links":{"Self":"/api/users/invitations?skip=0&take=2","Template":"/api/users/invitations{?skip,take,ids,state,team}",
			"Page.All":"/api/users/invitations?skip=0&take=2147483647","Page.Current":"/api/users/invitations?skip=0&take=2",
			"Page.Last":"/api/users/invitations?skip=2&take=2","Page.Next":"/api/users/invitations?skip=2&take=2"}}`)
	})
	ids := func(t *testing.T, path string) string {
		t.Helper()
		resp := admin(t, env, "GET", path, "")
		if resp.status != 200 {
			t.Fatalf("GET %s: got %d, want 200: %s", path, resp.status, resp.body)
		}
		var col struct {
			TotalResults int
			Items        []octoinvite.Invitation
		}
		resp.decode(t, &col)
		got := []string{}
		for _, inv := range col.Items {
			got = append(got, inv.ID+":"+inv.State)
		}
		return fmt.Sprintf("%d %v", col.TotalResults, got)
	}
	tests := []struct{ name, path, want string }{
		{"OK_All", "/api/users/invitations", "3 [Invitations-3:Revoked Invitations-2:Pending Invitations-1:Pending]"},
		{"OK_State", "/api/users/invitations?state=pending", "2 [Invitations-2:Pending Invitations-1:Pending]"},
		{"OK_States", "/api/users/invitations?State=Revoked,Expired", "1 [Invitations-3:Revoked]"},
		{"OK_Team", "/api/users/invitations?team=" + team.ID, "1 [Invitations-2:Pending]"},
		{"OK_IDs", "/api/users/invitations?ids=Invitations-1,invitations-3", "2 [Invitations-3:Revoked Invitations-1:Pending]"},
		{"OK_Space", "/api/Spaces-1/users/invitations", "2 [Invitations-3:Revoked Invitations-2:Pending]"},
		{"OK_SpaceAndState", "/api/spaces-1/users/invitations?state=Pending", "1 [Invitations-2:Pending]"},
		{"OK_OtherSpaceEmpty", "/api/Spaces-2/users/invitations", "0 []"},
	}
	env.CreateSpace(t, "Second")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ids(t, tt.path); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
	t.Run("OK_Expired", func(t *testing.T) {
		env.Clock.Set(servertest.Epoch.Add(48 * time.Hour))
		defer env.Clock.Set(servertest.Epoch.Add(time.Minute))
		if got, want := ids(t, "/api/users/invitations?state=Expired"), "2 [Invitations-2:Expired Invitations-1:Expired]"; got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	})
	_, userKey := env.CreateUser(t, "bob")
	errTests := []struct {
		name, path, key string
		status          int
		want            string
	}{
		{"ErrUnknownState", "/api/users/invitations?state=Lost", servertest.AdminKey, 400,
			`{"ErrorMessage":"There was a problem with your request.","Errors":["The state 'Lost' is not one of Pending, Redeemed, Expired, Revoked."]}`},
		{"ErrBadTake", "/api/users/invitations?take=-1", servertest.AdminKey, 400,
			`{"ErrorMessage":"There was a problem with your request.","Errors":["The parameter 'take' must be a whole number of at least 0."]}`},
		{"ErrTooManyTeams", "/api/users/invitations?team=" + strings.Repeat("Teams-1,", 101), servertest.AdminKey, 400,
			`{"ErrorMessage":"There was a problem with your request.","Errors":["The parameter 'team' may name at most 100 values."]}`},
		{"ErrUnknownSpace", "/api/Spaces-9/users/invitations", servertest.AdminKey, 404, `{"ErrorMessage":"The resource 'Spaces-9' was not found."}`},
		{"ErrNotAdministrator", "/api/users/invitations", userKey, 403,
			`{"ErrorMessage":"You do not have permission to perform this action. Please contact your Octopus administrator. Missing permission: UserInvite"}`},
		{"ErrNoKey", "/api/users/invitations", "", 401,
			`{"ErrorMessage":"You must be logged in to perform this action. Please provide a valid API key or log in again."}`},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			send(t, env, request{method: "GET", path: tt.path, key: tt.key}).wantJSON(t, tt.status, tt.want)
		})
	}
}

func TestRevokeInvitation(t *testing.T) {
	env := servertest.Start(t)
	inv := invite(t, env, ptr("Spaces-1"))
	used := invite(t, env, nil)
	call(t, env, "POST", "/api/users/register", "", registerBody("jane", goodPassword, used.InvitationCode)).want(t, 201, "")
	env.CreateSpace(t, "Second")
	env.Clock.Advance(time.Hour)

	revoked := invitationJSON(env.URL, inv.ID, "Spaces-1", inv.InvitationCode, "2026-11-28T10:00:00.000+00:00",
		`"State":"Revoked","MaxUses":1,"Uses":0,"RevokedOn":"2026-11-26T11:00:00.000+00:00","RevokedBy":"admin"`)
	revoked = strings.Replace(revoked, `"LastModifiedOn":"2026-11-26T10:00:00.000+00:00"`, `"LastModifiedOn":"2026-11-26T11:00:00.000+00:00"`, 1)
	tests := []struct {
		name, method, path string
		status             int
		want               string
	}{
		{"ErrOtherSpace", "DELETE", "/api/Spaces-2/users/invitations/" + inv.ID, 404, `{"ErrorMessage":"The resource 'Invitations-1' was not found."}`},
		{"OK", "DELETE", "/api/Spaces-1/users/invitations/" + inv.ID, 200, revoked},
		{"OK_Twice", "DELETE", "/api/users/invitations/" + inv.ID, 200, revoked},
		{"OK_ReadBack", "GET", "/api/users/invitations/" + inv.ID, 200, revoked},
		{"ErrRegenerateRevoked", "POST", "/api/users/invitations/" + inv.ID + "/regenerate", 409,
			`{"ErrorMessage":"There was a problem with your request.","Errors":["The invitation has been revoked; create a new invitation instead of regenerating it."]}`},
		{"ErrUsedUp", "DELETE", "/api/users/invitations/" + used.ID, 409,
			`{"ErrorMessage":"There was a problem with your request.","Errors":["The invitation has been used up by registrations; there is nothing left to revoke or regenerate."]}`},
		{"ErrUnknown", "DELETE", "/api/users/invitations/Invitations-9", 404, `{"ErrorMessage":"The resource 'Invitations-9' was not found."}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			admin(t, env, tt.method, tt.path, "").wantJSON(t, tt.status, tt.want)
		})
	}
	t.Run("ErrRegisterWithdrawn", func(t *testing.T) {
		call(t, env, "POST", "/api/users/register", "", registerBody("john", goodPassword, inv.InvitationCode)).want(t, 400,
			codeError("The invitation code has been withdrawn by an administrator. Ask the person who invited you for a new invitation."))
		if got := userCount(t, env); got != 2 {
			t.Errorf("got %d users, want 2", got)
		}
	})
}

func TestRegenerateInvitation(t *testing.T) {
	env := servertest.Start(t)
	inv := invite(t, env, nil)
	env.Clock.Advance(50 * time.Hour) // expired
	env.DB.Rand = &countingReader{}
	code := expectedCode(t)
	admin(t, env, "POST", "/api/users/invitations/"+inv.ID+"/regenerate", "").wantJSON(t, 200,
		`{"Id":"Invitations-1","AddToTeamIds":[],"InvitationCode":"`+code+`","Expires":"2026-11-30T12:00:00.000+00:00","SpaceId":null,`+
			`"LastModifiedOn":"2026-11-28T12:00:00.000+00:00","LastModifiedBy":"admin","State":"Pending","MaxUses":1,"Uses":0,`+
			`"Links":{"Register":"`+env.URL+`/app/register?invitation=`+code+`","Self":"/api/users/invitations/Invitations-1"}}`)
	call(t, env, "POST", "/api/users/register", "", registerBody("old", goodPassword, inv.InvitationCode)).want(t, 400,
		codeError(octoinvite.ErrInvitationUnknown.Message))
	call(t, env, "POST", "/api/users/register", "", registerBody("jane", goodPassword, code)).want(t, 201, "")
	admin(t, env, "POST", "/api/users/invitations/"+inv.ID+"/regenerate", "").wantJSON(t, 409,
		`{"ErrorMessage":"There was a problem with your request.","Errors":["The invitation has been used up by registrations; there is nothing left to revoke or regenerate."]}`)
	admin(t, env, "POST", "/api/Spaces-1/users/invitations/"+inv.ID+"/regenerate", "").wantJSON(t, 404,
		`{"ErrorMessage":"The resource 'Invitations-1' was not found."}`)
	_, userKey := env.CreateUser(t, "bob")
	send(t, env, request{method: "POST", path: "/api/users/invitations/" + inv.ID + "/regenerate", key: userKey}).wantJSON(t, 403,
		`{"ErrorMessage":"You do not have permission to perform this action. Please contact your Octopus administrator. Missing permission: UserInvite"}`)
}

// TestRegenerateInvitation_Expires regenerates with the optional body: a chosen expiry within a
// new invitation's bounds, or the default lifetime for none; anything else is a 400 that changes
// nothing.
func TestRegenerateInvitation_Expires(t *testing.T) {
	env := servertest.Start(t)
	inv := invite(t, env, nil) // the clock is at 2026-11-26T10:00Z
	problem := func(msg string) string {
		return `{"ErrorMessage":"There was a problem with your request.","Errors":["` + msg + `"]}`
	}
	for _, tt := range []struct {
		name, body, contentType string
		status                  int
		want                    string // the Expires answered, or the error body
	}{
		{"OK_Chosen", `{"Expires":"2026-12-03T12:00:00+02:00"}`, "application/json", 200, "2026-12-03T10:00:00.000+00:00"},
		{"OK_NoBody", ``, "", 200, "2026-11-28T10:00:00.000+00:00"},
		{"OK_EmptyObject", `{}`, "application/json", 200, "2026-11-28T10:00:00.000+00:00"},
		{"OK_Null", `{"Expires":null}`, "application/json", 200, "2026-11-28T10:00:00.000+00:00"},
		{"OK_ZeroDate", `{"Expires":"0001-01-01T00:00:00.000+00:00"}`, "application/json", 200, "2026-11-28T10:00:00.000+00:00"},
		{"OK_BodyNull", `null`, "application/json", 200, "2026-11-28T10:00:00.000+00:00"},
		{"ErrTooFar", `{"Expires":"2027-01-01T00:00:00.000+00:00"}`, "application/json", 400,
			problem("The expiry date (Expires) 2027-01-01T00:00:00.000+00:00 is too far away: an invitation can last at most 720h0m0s, until 2026-12-26T10:00:00.000+00:00.")},
		{"ErrPast", `{"Expires":"2026-11-26T09:00:00.000+00:00"}`, "application/json", 400,
			problem("The expiry date (Expires) 2026-11-26T09:00:00.000+00:00 is not in the future.")},
		{"ErrMalformedDate", `{"Expires":"next week"}`, "application/json", 400,
			problem(`The expiry date (Expires) must be a date such as \"2026-11-28T10:00:00.000+00:00\", or null for the default lifetime.`)},
		{"ErrMalformedJSON", `{"Expires":`, "application/json", 400, ""},
		{"ErrNotJSON", `Expires=tomorrow`, "application/x-www-form-urlencoded", 415, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before, err := env.DB.FindInvitationByID(context.Background(), inv.ID)
			if err != nil {
				t.Fatal(err)
			}
			req := request{method: "POST", path: "/api/users/invitations/" + inv.ID + "/regenerate", key: servertest.AdminKey, body: tt.body}
			if tt.contentType != "" {
				req.header = map[string]string{"Content-Type": tt.contentType}
			}
			resp := send(t, env, req)
			after, err := env.DB.FindInvitationByID(context.Background(), inv.ID)
			if err != nil {
				t.Fatal(err)
			}
			if tt.status != 200 {
				if resp.status != tt.status || (tt.want != "" && !jsonEqual(t, resp.body, tt.want)) {
					t.Errorf("got %d %s, want %d %s", resp.status, resp.body, tt.status, tt.want)
				}
				if after.InvitationCode != before.InvitationCode || !after.Expires.Equal(before.Expires.Time) {
					t.Errorf("a refused regeneration changed the invitation: %+v", after)
				}
				return
			}
			if resp.status != 200 || !strings.Contains(resp.body, `"Expires":"`+tt.want+`"`) || after.Expires.Format(octoinvite.TimeFormat) != tt.want ||
				after.InvitationCode == before.InvitationCode {
				t.Errorf("got %d %s (stored %s), want 200 with a new code and Expires %s", resp.status, resp.body, after.Expires, tt.want)
			}
		})
	}
}

func TestCreateInvitation_ExpiresAndMaxUses(t *testing.T) {
	env := servertest.Start(t)
	problem := func(msg string) string {
		return `{"ErrorMessage":"There was a problem with your request.","Errors":["` + msg + `"]}`
	}
	tests := []struct {
		name, body  string
		status      int
		wantExpires string
		wantMaxUses int
		want        string
	}{
		{"OK_ZeroDate", `{"AddToTeamIds":[],"Expires":"0001-01-01T00:00:00.000+00:00"}`, 201, "2026-11-28T10:00:00.000+00:00", 1, ""},
		{"OK_ZeroDateZ", `{"AddToTeamIds":[],"Expires":"0001-01-01T00:00:00Z","MaxUses":0}`, 201, "2026-11-28T10:00:00.000+00:00", 1, ""},
		{"OK_Null", `{"AddToTeamIds":[],"Expires":null,"MaxUses":null}`, 201, "2026-11-28T10:00:00.000+00:00", 1, ""},
		{"OK_Chosen", `{"AddToTeamIds":[],"Expires":"2026-12-01T12:00:00+02:00","MaxUses":25}`, 201, "2026-12-01T10:00:00.000+00:00", 25, ""},
		{"ErrPast", `{"AddToTeamIds":[],"Expires":"2026-11-26T09:59:59.000+00:00"}`, 400, "", 0,
			problem("The expiry date (Expires) 2026-11-26T09:59:59.000+00:00 is not in the future.")},
		{"ErrTooFar", `{"AddToTeamIds":[],"Expires":"2027-01-01T00:00:00.000+00:00"}`, 400, "", 0,
			problem("The expiry date (Expires) 2027-01-01T00:00:00.000+00:00 is too far away: an invitation can last at most 720h0m0s, until 2026-12-26T10:00:00.000+00:00.")},
		{"ErrMalformed", `{"AddToTeamIds":[],"Expires":"next week"}`, 400, "", 0,
			problem(`The expiry date (Expires) must be a date such as \"2026-11-28T10:00:00.000+00:00\", or null for the default lifetime.`)},
		{"ErrNotAString", `{"AddToTeamIds":[],"Expires":12}`, 400, "", 0,
			problem(`The expiry date (Expires) must be a date such as \"2026-11-28T10:00:00.000+00:00\", or null for the default lifetime.`)},
		{"ErrTooManyUses", `{"AddToTeamIds":[],"MaxUses":101}`, 400, "", 0, problem("The number of uses (MaxUses) must be from 1 to 100.")},
		{"ErrNegativeUses", `{"AddToTeamIds":[],"MaxUses":-1}`, 400, "", 0, problem("The number of uses (MaxUses) must be from 1 to 100.")},
		{"ErrUsesNotANumber", `{"AddToTeamIds":[],"MaxUses":"3"}`, 400, "", 0, problem("The field 'MaxUses' must be a whole number, not string.")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := countInvitations(t, env)
			resp := admin(t, env, "POST", "/api/users/invitations", tt.body)
			if tt.status != 201 {
				resp.wantJSON(t, tt.status, tt.want)
				if got := countInvitations(t, env); got != before {
					t.Errorf("got %d invitations, want %d", got, before)
				}
				return
			}
			var inv octoinvite.Invitation
			resp.decode(t, &inv)
			if resp.status != 201 || !strings.Contains(resp.body, `"Expires":"`+tt.wantExpires+`"`) || inv.MaxUses != tt.wantMaxUses {
				t.Errorf("got %d %s, want 201 with Expires %s and MaxUses %d", resp.status, resp.body, tt.wantExpires, tt.wantMaxUses)
			}
		})
	}
}

// TestMaxUses_ConcurrentRegistrations redeems a three-use code from twelve registrations at
// once through the API: exactly three users are created, and the others get the used-up 400.
func TestMaxUses_ConcurrentRegistrations(t *testing.T) {
	env := servertest.Start(t)
	resp := admin(t, env, "POST", "/api/users/invitations", `{"AddToTeamIds":[],"MaxUses":3}`)
	var inv octoinvite.Invitation
	resp.decode(t, &inv)
	const n = 12
	statuses := make([]response, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			statuses[i] = call(t, env, "POST", "/api/users/register", "", registerBody(fmt.Sprintf("user%d", i), goodPassword, inv.InvitationCode))
		})
	}
	wg.Wait()
	created := 0
	for _, r := range statuses {
		switch {
		case r.status == 201:
			created++
		case r.status != 400 || !strings.Contains(r.body, octoinvite.ErrInvitationUsed.Message):
			t.Errorf("got %d %s, want 201 or the used-up 400", r.status, r.body)
		}
	}
	if got := userCount(t, env); created != 3 || got != 4 {
		t.Errorf("got %d registrations and %d users, want 3 and 4", created, got)
	}
	var got octoinvite.Invitation
	admin(t, env, "GET", "/api/users/invitations/"+inv.ID, "").decode(t, &got)
	if got.State != octoinvite.StateRedeemed || got.Uses != 3 || got.MaxUses != 3 {
		t.Errorf("got State %s, Uses %d of %d; want Redeemed, 3 of 3", got.State, got.Uses, got.MaxUses)
	}
}
