package http_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite/internal/servertest"
)

// TestPasswordSpellings: a password registered composed (NFC) signs in typed decomposed (NFD),
// and the other way round, on each store: passwords are prepared by RFC 8265's OpaqueString
// profile before they are hashed and compared.
func TestPasswordSpellings(t *testing.T) {
	const (
		composed   = "crème brûlée à la carte"
		decomposed = "cre\u0300me bru\u0302le\u0301e a\u0300 la carte"
	)
	onEachStore(t, func(t *testing.T, env *servertest.Env) {
		for _, tt := range []struct{ username, registered, typed string }{
			{"jane", composed, decomposed},
			{"john", decomposed, composed},
		} {
			call(t, env, "POST", "/api/users/register", "", registerBody(tt.username, tt.registered, invite(t, env, nil).InvitationCode)).want(t, 201, "")
			login(t, env, tt.username, tt.typed)
			login(t, env, tt.username, tt.registered)
			body, _ := json.Marshal(map[string]string{"Username": tt.username, "Password": "creme brulee a la carte"})
			call(t, env, "POST", "/api/users/login", "", string(body)).want(t, 401, `{"ErrorMessage":"Invalid username or password."}`)
		}
		// A password set by an administrator is prepared too.
		body, _ := json.Marshal(map[string]string{"Password": decomposed + " du jour"})
		call(t, env, "PUT", "/api/users/Users-2/password", servertest.AdminKey, string(body)).want(t, 204, "")
		login(t, env, "jane", composed+" du jour")
	})
}

// TestPasswordRefusedCharacters: a password that the OpaqueString profile refuses (control
// characters, characters that do not show) is refused by a registration and a password change
// with a 400 naming the field, on each store; the refused registrations, and sign-ins with such
// a password, count against the address's budget as any failure does.
func TestPasswordRefusedCharacters(t *testing.T) {
	const refused = `{"ErrorMessage":"There was a problem with your request.","Errors":["The password (Password) may not contain control characters or characters that do not show, such as zero-width spaces."]}`
	onEachStore(t, func(t *testing.T, env *servertest.Env) {
		// The address may fail 3 times, and earns an attempt back every 10 seconds.
		env.API.AuthFailureLimit, env.API.AuthFailureWindow = 3, 30*time.Second
		for range 3 {
			call(t, env, "POST", "/api/users/register", "", registerBody("jane", "correct\u0007horse battery", invite(t, env, nil).InvitationCode)).want(t, 400, refused)
		}
		call(t, env, "POST", "/api/users/register", "", registerBody("jane", goodPassword, invite(t, env, nil).InvitationCode)).wantRefused(t, 429)
		env.Clock.Advance(30 * time.Second)
		for range 3 {
			call(t, env, "POST", "/api/users/login", "", `{"Username":"admin","Password":"correct\u0007horse battery"}`).
				want(t, 401, `{"ErrorMessage":"Invalid username or password."}`)
		}
		call(t, env, "POST", "/api/users/login", "", `{"Username":"admin","Password":"correct horse battery"}`).wantRefused(t, 429)

		env.Clock.Advance(30 * time.Second)
		env.API.AuthFailureLimit = 1 << 20
		for _, pw := range []string{"correct\u0007horse battery", "correct horse\u200dbattery", "correct horse battery\u0085"} {
			body, _ := json.Marshal(map[string]string{"Password": pw})
			call(t, env, "PUT", "/api/users/Users-1/password", servertest.AdminKey, string(body)).want(t, 400, refused)
			call(t, env, "POST", "/api/users/register", "", registerBody("jane", pw, invite(t, env, nil).InvitationCode)).want(t, 400, refused)
		}
		if got := userCount(t, env); got != 1 {
			t.Errorf("got %d users, want 1: nothing registered", got)
		}
	})
}
