package http_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/octoinvite/octoinvite"
	ohttp "github.com/octoinvite/octoinvite/http"
	"github.com/octoinvite/octoinvite/internal/servertest"
)

// TestSetPassword sets passwords through PUT /api/users/{id}/password: one's own with the
// current one, anyone's as an administrator; every other session of the user ends.
func TestSetPassword(t *testing.T) {
	env := servertest.Start(t)
	inv := invite(t, env, nil)
	call(t, env, "POST", "/api/users/register", "", registerBody("jane", goodPassword, inv.InvitationCode)).want(t, 201, "")
	cookie, csrf := login(t, env, "jane", goodPassword)
	otherCookie, _ := login(t, env, "jane", goodPassword)
	path := "/api/users/Users-2/password"

	problem := func(msg string) string {
		return `{"ErrorMessage":"There was a problem with your request.","Errors":["` + msg + `"]}`
	}
	call(t, env, "PUT", path, "", `{"Password":"purple elephant umbrella"}`, "Cookie", cookie, ohttp.HeaderCSRF, csrf).
		want(t, 400, problem("Please provide your current password (CurrentPassword)."))
	call(t, env, "PUT", path, "", `{"Password":"purple elephant umbrella","CurrentPassword":"wrong horse battery"}`, "Cookie", cookie, ohttp.HeaderCSRF, csrf).
		want(t, 400, problem("The current password (CurrentPassword) is not correct."))
	call(t, env, "PUT", path, "", `{"Password":"short","CurrentPassword":"`+goodPassword+`"}`, "Cookie", cookie, ohttp.HeaderCSRF, csrf).
		want(t, 400, problem("The password (Password) must be at least 12 characters long."))
	call(t, env, "PUT", path, "", `{"Password":"purple elephant umbrella","CurrentPassword":"`+goodPassword+`"}`, "Cookie", cookie).
		want(t, 403, `{"ErrorMessage":"A required anti-forgery token was not supplied or was invalid."}`)
	_, bobKey := env.CreateUser(t, "bob")
	call(t, env, "PUT", path, bobKey, `{"Password":"purple elephant umbrella"}`).
		want(t, 403, `{"ErrorMessage":"You do not have permission to perform this action. Please contact your Octopus administrator. Missing permission: UserEdit"}`)
	call(t, env, "PUT", "/api/users/Users-99/password", servertest.AdminKey, `{"Password":"purple elephant umbrella"}`).
		want(t, 404, `{"ErrorMessage":"The resource 'Users-99' was not found."}`)

	call(t, env, "PUT", path, "", `{"Password":"purple elephant umbrella","CurrentPassword":"`+goodPassword+`"}`, "Cookie", cookie, ohttp.HeaderCSRF, csrf).
		want(t, 204, "")
	call(t, env, "GET", "/api/users/me", "", "", "Cookie", cookie).want(t, 200, "")
	call(t, env, "GET", "/api/users/me", "", "", "Cookie", otherCookie).want(t, 401, "")
	call(t, env, "POST", "/api/users/login", "", `{"Username":"jane","Password":"`+goodPassword+`"}`).want(t, 401, "")
	login(t, env, "jane", "purple elephant umbrella")

	t.Run("AdministratorSetsAnyone", func(t *testing.T) {
		call(t, env, "PUT", path, servertest.AdminKey, `{"Password":"orange giraffe teapot"}`).want(t, 204, "")
		call(t, env, "GET", "/api/users/me", "", "", "Cookie", cookie).want(t, 401, "")
		login(t, env, "jane", "orange giraffe teapot")
	})
	t.Run("FirstAdministratorPassword", func(t *testing.T) {
		// The installation's administrator has no password: its key sets one, no current needed.
		call(t, env, "PUT", "/api/users/Users-1/password", servertest.AdminKey, `{"Password":"silver kettle morning"}`).want(t, 204, "")
		login(t, env, "admin", "silver kettle morning")
		call(t, env, "PUT", "/api/users/Users-1/password", servertest.AdminKey, `{"Password":"another kettle evening"}`).
			want(t, 400, problem("Please provide your current password (CurrentPassword)."))
	})
}

// TestAcceptInvitation has existing users redeem codes through POST
// /api/users/invitations/accept, with a key or a session, on both stores: one use each, as a
// registration, and a registration and acceptances racing for the last use have one winner.
func TestAcceptInvitation(t *testing.T) {
	onEachStore(t, func(t *testing.T, env *servertest.Env) {
		team := env.CreateTeam(t, "Developers", ptr("Spaces-1"))
		bob, bobKey := env.CreateUser(t, "bob")
		inv := invite(t, env, ptr("Spaces-1"), team.ID)
		path := "/api/users/invitations/accept"

		call(t, env, "POST", path, "", `{"InvitationCode":"`+inv.InvitationCode+`"}`).want(t, 401, "")
		call(t, env, "POST", path, bobKey, `{}`).want(t, 400,
			`{"ErrorMessage":"There was a problem with your request.","Errors":["Please provide the invitation code (InvitationCode)."]}`)
		call(t, env, "POST", path, bobKey, `{"InvitationCode":"NOSUCHCODE"}`).want(t, 400, codeError(octoinvite.ErrInvitationUnknown.Message))
		call(t, env, "POST", path, bobKey, `{"InvitationCode":"`+inv.InvitationCode+`"}`).want(t, 200,
			`{"UserId":"`+bob.ID+`","InvitationId":"`+inv.ID+`","SpaceId":"Spaces-1","AddedToTeamIds":["`+team.ID+`"],"Links":{"User":"/api/users/`+bob.ID+`"}}`)
		if got := members(t, env, team.ID); fmt.Sprint(got) != "["+bob.ID+"]" {
			t.Errorf("got members %v, want [%s]", got, bob.ID)
		}
		call(t, env, "POST", path, bobKey, `{"InvitationCode":"`+inv.InvitationCode+`"}`).want(t, 400, codeError(octoinvite.ErrInvitationUsed.Message))
		again := invite(t, env, ptr("Spaces-1"), team.ID)
		call(t, env, "POST", path, bobKey, `{"InvitationCode":"`+again.InvitationCode+`"}`).want(t, 400,
			`{"ErrorMessage":"There was a problem with your request.","Errors":["You are already a member of every team this invitation adds; it was not used, so that someone else can use it."]}`)

		t.Run("WithASession", func(t *testing.T) {
			call(t, env, "POST", "/api/users/register", "", registerBody("jane", goodPassword, invite(t, env, nil).InvitationCode)).want(t, 201, "")
			cookie, csrf := login(t, env, "jane", goodPassword)
			call(t, env, "POST", path, "", `{"InvitationCode":"`+again.InvitationCode+`"}`, "Cookie", cookie).want(t, 403, "")
			r := call(t, env, "POST", path, "", `{"InvitationCode":"`+again.InvitationCode+`"}`, "Cookie", cookie, ohttp.HeaderCSRF, csrf)
			r.want(t, 200, "")
			events, err := env.DB.FindEvents(context.Background(), octoinvite.EventFilter{Regarding: []string{again.ID}, Range: octoinvite.Range{Take: 1}})
			if err != nil {
				t.Fatal(err)
			}
			if e := events.Items[0]; e.Username != "jane" || e.IdentityEstablishedWith != "Session cookie" || e.Category != octoinvite.EventModified {
				t.Errorf("got the latest event %+v, want jane's redemption with the session", e)
			}
		})

		t.Run("RaceWithARegistration", func(t *testing.T) {
			last := invite(t, env, ptr("Spaces-1"), team.ID)
			const n = 4
			statuses := make([]int, 2*n)
			var wg sync.WaitGroup
			for i := range n {
				_, key := env.CreateUser(t, fmt.Sprintf("racer%d", i))
				wg.Go(func() {
					statuses[i] = sendAsync(env, "POST", path, key, `{"InvitationCode":"`+last.InvitationCode+`"}`)
				})
				wg.Go(func() {
					statuses[n+i] = sendAsync(env, "POST", "/api/users/register", "", registerBody(fmt.Sprintf("newcomer%d", i), goodPassword, last.InvitationCode))
				})
			}
			wg.Wait()
			won := 0
			for _, s := range statuses {
				switch s {
				case 200, 201:
					won++
				case 400:
				default:
					t.Errorf("got %d, want a success or 400", s)
				}
			}
			stored, err := env.DB.FindInvitationByID(context.Background(), last.ID)
			if err != nil {
				t.Fatal(err)
			}
			if won != 1 || stored.Uses != 1 {
				t.Errorf("got %d winners and %d uses of the last use (statuses %v), want 1 and 1", won, stored.Uses, statuses)
			}
		})
	})
}

// sendAsync sends a request from a goroutine other than the test's and returns its status, 0
// if it could not be sent.
func sendAsync(env *servertest.Env, method, path, key, body string) int {
	r, err := http.NewRequest(method, env.URL+path, strings.NewReader(body))
	if err != nil {
		return 0
	}
	r.Header.Set("Content-Type", "application/json")
	if key != "" {
		r.Header.Set("X-Octopus-ApiKey", key)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestPublicURL builds invitation links on --public-url, and marks cookies Secure when it is
// https, even when the request came over plain HTTP from a proxy.
func TestPublicURL(t *testing.T) {
	env := servertest.Start(t)
	created := admin(t, env, "POST", "/api/users/invitations", `{"AddToTeamIds":[]}`)
	var inv octoinvite.Invitation
	created.decode(t, &inv)
	if want := env.URL + "/app/register?invitation=" + inv.InvitationCode; inv.Links["Register"] != want {
		t.Errorf("without a public address: got %q, want %q, on the request's address", inv.Links["Register"], want)
	}
	r := call(t, env, "POST", "/api/users/login", "", `{"Username":"nobody","Password":"whatever whatever"}`)
	r.want(t, 401, "")

	public, _ := url.Parse("https://octo.example.com/octoinvite")
	env.API.PublicURL = public
	admin(t, env, "GET", "/api/users/invitations/"+inv.ID, "").decode(t, &inv)
	if want := "https://octo.example.com/octoinvite/app/register?invitation=" + inv.InvitationCode; inv.Links["Register"] != want {
		t.Errorf("with a public address: got %q, want %q", inv.Links["Register"], want)
	}
	if _, err := env.DB.SetInitialPassword(context.Background(), "Users-1", goodPassword, nil); err != nil {
		t.Fatal(err)
	}
	login := call(t, env, "POST", "/api/users/login", "", `{"Username":"admin","Password":"`+goodPassword+`"}`)
	login.want(t, 200, "")
	cookies := (&http.Response{Header: login.header}).Cookies()
	if len(cookies) != 2 {
		t.Fatalf("got %d cookies, want 2", len(cookies))
	}
	for _, c := range cookies {
		if !c.Secure || c.SameSite != http.SameSiteStrictMode {
			t.Errorf("got cookie %s Secure %v SameSite %v, want Secure and Strict behind an https public address", c.Name, c.Secure, c.SameSite)
		}
	}
	page := call(t, env, "GET", "/app/users/sign-in", "", "")
	pageCookies := (&http.Response{Header: page.header}).Cookies()
	if len(pageCookies) != 1 {
		t.Fatalf("got %d cookies with the sign-in form, want its pre-session", len(pageCookies))
	}
	for _, c := range pageCookies {
		if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
			t.Errorf("got the page's cookie %s Secure %v HttpOnly %v SameSite %v, want all three", c.Name, c.Secure, c.HttpOnly, c.SameSite)
		}
	}
}

// TestUpdateUserPassword sets another user's password with Octopus's write-only Password of
// PUT /api/users/{id}, as an administrator; one's own needs the password route.
func TestUpdateUserPassword(t *testing.T) {
	env := servertest.Start(t)
	inv := invite(t, env, nil)
	call(t, env, "POST", "/api/users/register", "", registerBody("jane", goodPassword, inv.InvitationCode)).want(t, 201, "")
	cookie, _ := login(t, env, "jane", goodPassword)
	admin(t, env, "PUT", "/api/users/Users-2", `{"DisplayName":"Jane D.","Password":"short"}`).wantJSON(t, 400,
		`{"ErrorMessage":"There was a problem with your request.","Errors":["The password (Password) must be at least 12 characters long."]}`)
	if u, _ := env.DB.FindUserByID(context.Background(), "Users-2"); u.DisplayName != "Jane Doe" {
		t.Errorf("after a refused password: got the display name %q, want it unchanged", u.DisplayName)
	}
	admin(t, env, "PUT", "/api/users/Users-2", `{"DisplayName":"Jane D.","Password":"purple elephant umbrella"}`).wantStatus(t, 200)
	call(t, env, "GET", "/api/users/me", "", "", "Cookie", cookie).want(t, 401, "")
	login(t, env, "jane", "purple elephant umbrella")
	admin(t, env, "PUT", "/api/users/Users-1", `{"Password":"purple elephant umbrella"}`).wantJSON(t, 400,
		`{"ErrorMessage":"There was a problem with your request.","Errors":["To change your own password (Password), use PUT /api/users/{id}/password with your current password (CurrentPassword)."]}`)
	// A client that sends the resource back with an empty Password changes nothing of it.
	admin(t, env, "PUT", "/api/users/Users-2", `{"DisplayName":"Jane Doe","Password":""}`).wantStatus(t, 200)
	login(t, env, "jane", "purple elephant umbrella")
}
