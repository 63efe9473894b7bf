package http_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/octoinvite/octoinvite/internal/servertest"
)

const (
	unauthorizedBody = `{"ErrorMessage":"You must be logged in to perform this action. Please provide a valid API key or log in again."}`
	inviteForbidden  = `{"ErrorMessage":"You do not have permission to perform this action. Please contact your Octopus administrator. Missing permission: UserInvite"}`
)

// TestAuthentication checks each of the four operations with every kind of caller, with the key
// in each place Octopus accepts it.
func TestAuthentication(t *testing.T) {
	env := servertest.Start(t)
	_, userKey := env.CreateUser(t, "jane")
	admin(t, env, "POST", "/api/Spaces-1/users/invitations", `{"AddToTeamIds":[]}`)
	operations := []struct{ method, path, body string }{
		{"POST", "/api/users/invitations", `{"AddToTeamIds":[]}`},
		{"POST", "/api/Spaces-1/users/invitations", `{"AddToTeamIds":[]}`},
		{"GET", "/api/users/invitations/Invitations-1", ""},
		{"GET", "/api/Spaces-1/users/invitations/Invitations-1", ""},
	}
	callers := []struct {
		name   string
		key    string
		status int
		want   string
	}{
		{"Anonymous", "", 401, unauthorizedBody},
		{"MalformedKey", "not-a-key", 401, unauthorizedBody},
		{"LowerCaseKey", strings.ToLower(servertest.AdminKey), 401, unauthorizedBody},
		{"UnknownKey", "API-UNKNOWNKEY000000000000001", 401, unauthorizedBody},
		{"OrdinaryUser", userKey, 403, inviteForbidden},
		{"Administrator", servertest.AdminKey, 0, ""},
	}
	for _, op := range operations {
		for _, caller := range callers {
			for _, in := range placements {
				t.Run(op.method+op.path+"/"+caller.name+"/"+in.String(), func(t *testing.T) {
					resp := send(t, env, request{method: op.method, path: op.path, key: caller.key, in: in, body: op.body})
					if caller.status == 0 {
						if resp.status != 200 && resp.status != 201 {
							t.Errorf("got %d, want success: %s", resp.status, resp.body)
						}
						return
					}
					resp.wantJSON(t, caller.status, caller.want)
				})
			}
		}
	}
}

func TestAuthentication_QueryParameterNameAnyCase(t *testing.T) {
	env := servertest.Start(t)
	for _, name := range []string{"ApiKey", "apikey", "APIKEY", "apiKey"} {
		resp := send(t, env, request{method: "GET", path: "/api/users/me?" + name + "=" + servertest.AdminKey})
		if resp.status != 200 {
			t.Errorf("?%s=: got %d, want 200: %s", name, resp.status, resp.body)
		}
	}
}

func TestAuthentication_AnonymousRoutes(t *testing.T) {
	env := servertest.Start(t)
	for _, path := range []string{"/api", "/api/"} {
		if resp := send(t, env, request{method: "GET", path: path}); resp.status != 200 {
			t.Errorf("GET %s anonymously: got %d, want 200", path, resp.status)
		}
	}
	for _, path := range []string{"/api/spaces", "/api/Spaces-1", "/api/teams", "/api/users/me", "/api/users/Users-1", "/api/users/Users-1/spaces"} {
		send(t, env, request{method: "GET", path: path}).wantJSON(t, 401, unauthorizedBody)
	}
}

func TestAuthorization_AdministrationNeedsPermission(t *testing.T) {
	env := servertest.Start(t)
	jane, key := env.CreateUser(t, "jane")
	forbidden := func(p string) string {
		return `{"ErrorMessage":"You do not have permission to perform this action. Please contact your Octopus administrator. Missing permission: ` + p + `"}`
	}
	tests := []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"POST", "/api/spaces", `{"Name":"Mine"}`, 403, forbidden("SpaceCreate")},
		{"POST", "/api/teams", `{"Name":"Mine","SpaceId":"Spaces-1"}`, 403, forbidden("TeamCreate")},
		{"POST", "/api/Spaces-1/teams", `{"Name":"Mine"}`, 403, forbidden("TeamCreate")},
		{"GET", "/api/users", "", 403, forbidden("UserView")},
		{"GET", "/api/users/Users-1", "", 403, forbidden("UserView")},
		{"GET", "/api/users/Users-1/spaces", "", 403, forbidden("UserView")},
		{"GET", "/api/users/" + jane.ID, "", 200, ""},
		{"GET", "/api/users/" + jane.ID + "/spaces", "", 200, "[]"},
		{"GET", "/api/users/me", "", 200, ""},
		{"GET", "/api/spaces", "", 200, ""},
		{"GET", "/api/teams", "", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+tt.path, func(t *testing.T) {
			resp := send(t, env, request{method: tt.method, path: tt.path, key: key, body: tt.body})
			if tt.want != "" {
				resp.wantJSON(t, tt.status, tt.want)
			} else if resp.status != tt.status {
				t.Errorf("got %d, want %d: %s", resp.status, tt.status, resp.body)
			}
		})
	}
}

// TestLogs_NeverHoldKeys sends keys in every place and checks that the request log holds none.
func TestLogs_NeverHoldKeys(t *testing.T) {
	env := servertest.Start(t)
	var buf bytes.Buffer
	env.API.Logger = slog.New(slog.NewTextHandler(&buf, nil))
	// Handler() reads the logger when it is built, so rebuild the test server's view of it.
	srv := servertest.Serve(t, env)
	for _, path := range []string{"/api/users/me?apikey=" + servertest.AdminKey, "/api/users/me?Api%4Bey=" + servertest.AdminKey} {
		resp := send(t, srv, request{method: "GET", path: path})
		if resp.status != http.StatusOK {
			t.Fatalf("GET %s: got %d, want 200", path, resp.status)
		}
	}
	send(t, srv, request{method: "GET", path: "/api/users/me", key: servertest.AdminKey, in: inHeader})
	send(t, srv, request{method: "GET", path: "/api/users/me", key: servertest.AdminKey, in: inNuGetHeader})
	send(t, srv, request{method: "GET", path: "/api/users/me", key: "API-WRONGKEY0000000000000001", in: inHeader})
	// Go reads only & as a separator, so these keys are not used, but they must not be logged.
	for _, path := range []string{"/api/users/me?x=1;ApiKey=" + servertest.AdminKey, "/api/users/me?take=1;APIKEY=" + servertest.AdminKey + "&x=2"} {
		send(t, srv, request{method: "GET", path: path}).wantJSON(t, http.StatusUnauthorized, unauthorizedBody)
	}
	log := buf.String()
	if strings.Count(log, "msg=request") != 7 {
		t.Errorf("got %d request lines, want 7:\n%s", strings.Count(log, "msg=request"), log)
	}
	for _, secret := range []string{servertest.AdminKey, "API-WRONGKEY0000000000000001", "TESTADMINISTRATOR"} {
		if strings.Contains(log, secret) {
			t.Errorf("the log holds a key:\n%s", log)
		}
	}
	if !strings.Contains(log, "apikey=REDACTED") || !strings.Contains(log, "x=1;ApiKey=REDACTED") {
		t.Errorf("the log does not show the redacted parameter:\n%s", log)
	}
}

// TestAuthentication_SeveralKeys checks the one rule for a request with keys in several places:
// one key, however often it is repeated, authenticates; different keys are a 400, every time,
// whichever of them is valid.
func TestAuthentication_SeveralKeys(t *testing.T) {
	env := servertest.Start(t)
	const wrong = "API-WRONGKEY0000000000000001"
	admin := servertest.AdminKey
	several := `{"ErrorMessage":"There was a problem with your request.","Errors":["The request carries several different API keys; send one, in the X-Octopus-ApiKey header or the ApiKey query parameter."]}`
	tests := []struct {
		name    string
		query   string
		headers [][2]string
		status  int
	}{
		{"TwoQueryParameters", "?ApiKey=" + admin + "&apikey=" + wrong, nil, 400},
		{"TwoQueryParametersOtherOrder", "?apikey=" + wrong + "&ApiKey=" + admin, nil, 400},
		{"OneParameterTwice", "?apikey=" + admin + "&apikey=" + wrong, nil, 400},
		{"HeaderAndQuery", "?apikey=" + wrong, [][2]string{{"X-Octopus-ApiKey", admin}}, 400},
		{"HeaderAndNuGetHeader", "", [][2]string{{"X-Octopus-ApiKey", admin}, {"X-NuGet-ApiKey", wrong}}, 400},
		{"HeaderTwice", "", [][2]string{{"X-Octopus-ApiKey", wrong}, {"X-Octopus-ApiKey", admin}}, 400},
		{"QueryAndNuGetHeader", "?APIKEY=" + admin, [][2]string{{"X-NuGet-ApiKey", wrong}}, 400},
		{"SameKeyEverywhere", "?ApiKey=" + admin + "&apikey=" + admin, [][2]string{{"X-Octopus-ApiKey", admin}, {"X-NuGet-ApiKey", " " + admin}}, 200},
		{"EmptyValuesIgnored", "?ApiKey=&apikey=" + admin, [][2]string{{"X-Octopus-ApiKey", ""}}, 200},
		{"SameWrongKeyTwice", "?ApiKey=" + wrong + "&apikey=" + wrong, nil, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Map iteration once chose the key at random: ask often enough to see every order.
			for range 20 {
				req, err := http.NewRequest("GET", env.URL+"/api/users/me"+tt.query, nil)
				if err != nil {
					t.Fatal(err)
				}
				for _, h := range tt.headers {
					req.Header.Add(h[0], h[1])
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				got := response{status: resp.StatusCode, header: resp.Header, body: string(b)}
				switch tt.status {
				case 400:
					got.wantJSON(t, 400, several)
				case 401:
					got.wantJSON(t, 401, unauthorizedBody)
				default:
					if got.status != tt.status {
						t.Errorf("got %d, want %d: %s", got.status, tt.status, got.body)
					}
				}
				if t.Failed() {
					return
				}
			}
		})
	}
}
