package http_test

import (
	"context"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite"
	ohttp "github.com/octoinvite/octoinvite/http"
	"github.com/octoinvite/octoinvite/internal/servertest"
)

// TestHostileInput_SignIn: a sign-in whose username holds NUL, invalid UTF-8 or control
// characters fails as any other does, on each store: 401, a LoginFailed event recorded (with
// the request's User-Agent made valid), and a failure counted against the address.
func TestHostileInput_SignIn(t *testing.T) {
	onEachStore(t, func(t *testing.T, env *servertest.Env) {
		env.API.AuthFailureLimit = 3
		limited := servertest.Serve(t, env)
		login := func(username string) response {
			return send(t, limited, request{method: "POST", path: "/api/users/login",
				body:   `{"Username":"` + username + `","Password":"correct horse battery"}`,
				header: map[string]string{"User-Agent": "agent\xff\tx"}})
		}
		for _, username := range []string{`admin\u0000`, "\xff\xfeadmin", `ad\u001bmin`} {
			login(username).wantJSON(t, 401, `{"ErrorMessage":"Invalid username or password."}`)
		}
		login("admin").wantRefused(t, 429)

		events, err := env.DB.FindEvents(context.Background(), octoinvite.EventFilter{Range: octoinvite.Range{Take: 10}})
		if err != nil {
			t.Fatal(err)
		}
		failed := 0
		for _, e := range events.Items {
			if e.Category != octoinvite.EventLoginFailed {
				continue
			}
			failed++
			if e.UserAgent != "agent\ufffd\ufffdx" || e.UserID != octoinvite.SystemUserID || e.IdentityEstablishedWith != "Username and password" {
				t.Errorf("got event %+v, want the system user's failed sign-in with the User-Agent made valid", e)
			}
		}
		if failed != 3 {
			t.Errorf("got %d LoginFailed events, want 3", failed)
		}
	})
}

// TestHostileInput_UserAgentRecorded: a User-Agent that is not valid UTF-8 is recorded with
// replacement characters rather than refused, on each store.
func TestHostileInput_UserAgentRecorded(t *testing.T) {
	onEachStore(t, func(t *testing.T, env *servertest.Env) {
		r := send(t, env, request{method: "POST", path: "/api/users/Users-1/apikeys", key: servertest.AdminKey,
			body: `{"Purpose":"laptop"}`, header: map[string]string{"User-Agent": "Mozilla/5.0 \xc3\x28 \x80"}})
		if r.status != 201 {
			t.Fatalf("got %d %s, want 201", r.status, r.body)
		}
		events, err := env.DB.FindEvents(context.Background(), octoinvite.EventFilter{Range: octoinvite.Range{Take: 1}})
		if err != nil {
			t.Fatal(err)
		}
		if got := events.Items[0].UserAgent; got != "Mozilla/5.0 \ufffd( \ufffd" {
			t.Errorf("got User-Agent %+q recorded, want %+q", got, "Mozilla/5.0 \ufffd( \ufffd")
		}
	})
}

// TestLogin_foldedUsernames: a user signs in with any spelling of the username that folds to
// it (case, width, composition), and the sign-in throttle counts them all as one username.
func TestLogin_foldedUsernames(t *testing.T) {
	env := servertest.Start(t)
	inv := invite(t, env, nil)
	call(t, env, "POST", "/api/users/register", "", registerBody("Jürgen", goodPassword, inv.InvitationCode)).want(t, 201, "")
	for _, name := range []string{"JÜRGEN", "ｊüｒｇｅｎ", "Ju\u0308rgen"} {
		call(t, env, "POST", "/api/users/login", "", `{"Username":"`+name+`","Password":"`+goodPassword+`"}`).want(t, 200, "")
	}

	spellings := []string{"JÜRGEN", "ＪÜＲＧＥＮ", "ju\u0308rgen", "Jürgen"}
	for i := range ohttp.MaxFailedSignIns {
		call(t, env, "POST", "/api/users/login", "", `{"Username":"`+spellings[i%len(spellings)]+`","Password":"wrong horse battery"}`).want(t, 401, "")
		env.Clock.Advance(time.Second)
	}
	call(t, env, "POST", "/api/users/login", "", `{"Username":"jürgen","Password":"`+goodPassword+`"}`).want(t, 429, "")
}

// TestFilters_hostileText: a filter parameter holding NUL, control characters or invalid UTF-8
// is a 400 that names the parameter, once however often it is given.
func TestFilters_hostileText(t *testing.T) {
	env := servertest.Start(t)
	problem := func(name string) string {
		return `{"ErrorMessage":"There was a problem with your request.","Errors":["The parameter '` + name + `' must be text without control characters."]}`
	}
	for path, name := range map[string]string{
		"/api/spaces?partialName=%00&PartialName=%FF": "partialName",
		"/api/Spaces-1/teams?partialName=a%1Bb":       "partialName",
		"/api/users?filter=%C3%28":                    "filter",
		"/api/events?regarding=Users-1,Users-2%00":    "regarding",
		"/api/teams?spaces=Spaces-1%FF":               "spaces",
	} {
		admin(t, env, "GET", path, "").wantJSON(t, 400, problem(name))
	}
}
