package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// exchange is one request of a scenario and what came back.
type exchange struct {
	status  int
	header  http.Header
	body    string
	cookies map[string]string
}

func do(t *testing.T, method, url string, body string, headers ...string) exchange {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	ex := exchange{status: resp.StatusCode, header: resp.Header, body: string(b), cookies: map[string]string{}}
	for _, c := range resp.Cookies() {
		ex.cookies[c.Name] = c.Value
	}
	return ex
}

// field returns the value of a top-level string field of a JSON body.
func field(t *testing.T, body, name string) string {
	t.Helper()
	i := strings.Index(body, `"`+name+`":"`)
	if i < 0 {
		t.Fatalf("no %s in %s", name, body)
	}
	rest := body[i+len(name)+4:]
	return rest[:strings.IndexByte(rest, '"')]
}

// TestServe_SecretsNeverLoggedOrEchoed runs a whole scenario against the real server (keys in
// every placement, an invitation, the invitee's page, registration, failed sign-ins, bad keys,
// bad codes, malformed bodies) and requires that no API key, invitation code, password or
// session token appears in the log, in any error body, or in the audit log.
func TestServe_SecretsNeverLoggedOrEchoed(t *testing.T) {
	adminKey := "API-CONFIGUREDKEY000000000001"
	url, stderr, stop := startServe(t, []string{"--data", t.TempDir(), "--admin-api-key", adminKey}, noEnv)
	const pw = "correct horse battery staple"
	var scanned []exchange // the answers that must hold no secret
	check := func(ex exchange, status int) exchange {
		t.Helper()
		if ex.status != status {
			t.Fatalf("got status %d, want %d: %s", ex.status, status, ex.body)
		}
		return ex
	}
	scan := func(ex exchange, status int) exchange {
		t.Helper()
		scanned = append(scanned, check(ex, status))
		return ex
	}

	created := check(do(t, "POST", url+"/api/users/Users-1/apikeys", `{"Purpose":"ci"}`, "X-Octopus-ApiKey", adminKey), 201)
	key := field(t, created.body, "ApiKey")
	inv := check(do(t, "POST", url+"/api/users/invitations", `{"AddToTeamIds":["teams-everyone"]}`, "X-Octopus-ApiKey", key), 201)
	code := field(t, inv.body, "InvitationCode")
	check(do(t, "GET", url+"/app/register?invitation="+code, ""), 200)
	check(do(t, "GET", url+"/api/users/invitations/Invitations-1", "", "X-Octopus-ApiKey", adminKey), 200)

	scan(do(t, "GET", url+"/api/users/me?apikey="+key, ""), 200)
	scan(do(t, "GET", url+"/api/users/me?ApiKey="+key+"&invitationCode="+code, ""), 200)
	scan(do(t, "GET", url+"/api/users/me", "", "X-NuGet-ApiKey", key), 200)
	scan(do(t, "GET", url+"/api/users/me", "", "X-Octopus-ApiKey", key+"X"), 401)
	scan(do(t, "GET", url+"/api/users/me", "", "X-Octopus-ApiKey", strings.ToLower(key)), 401)
	scan(do(t, "GET", url+"/api/users/me?apikey="+key[:20], ""), 401)
	scan(do(t, "GET", url+"/api/users/me?x=1;ApiKey="+key, ""), 401)
	scan(do(t, "GET", url+"/api/users/me?take=1;apikey="+key+"&skip=0", ""), 401)
	scan(do(t, "GET", url+"/api/users/me?ApiKey="+key+"&apikey="+adminKey, ""), 400)
	// Refused by net/http before any handler: answered and logged by the server all the same.
	tooLarge := scan(do(t, "GET", url+"/api/users/me?ApiKey="+key, "", "X-Pad", strings.Repeat("x", 80<<10)), 431)
	if tooLarge.header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("got a 431 answered as %q, want JSON", tooLarge.header.Get("Content-Type"))
	}
	scan(do(t, "POST", url+"/api/users/register", `{"Username":"jane","DisplayName":"Jane","Password":"short","InvitationCode":"`+code+`"}`), 400)
	scan(do(t, "POST", url+"/api/users/register", `{"Username":"jane","DisplayName":"Jane","Password":"`+pw+`","InvitationCode":"`+code+`X"}`), 400)
	scan(do(t, "POST", url+"/api/users/register", `{"Username":"jane","InvitationCode":"`+code+`",`), 400)
	scan(do(t, "POST", url+"/api/users/register", `{"Username":"jane","InvitationCode":["`+code+`"]}`), 400)
	scan(do(t, "GET", url+"/app/register?invitation="+code+"X", ""), 404)
	scan(do(t, "GET", url+"/app/register?x=1;invitation="+code, ""), 404)
	registered := check(do(t, "POST", url+"/api/users/register", `{"Username":"jane","DisplayName":"Jane","Password":"`+pw+`","InvitationCode":"`+code+`"}`, "User-Agent", "scenario"), 201)
	scan(do(t, "POST", url+"/api/users/register", `{"Username":"jim","DisplayName":"Jim","Password":"`+pw+`","InvitationCode":"`+code+`"}`), 400)
	scan(do(t, "POST", url+"/api/users/login", `{"Username":"jane","Password":"`+pw+`X"}`), 401)
	scan(do(t, "POST", url+"/api/users/login", `{"Username":"`+pw+`","Password":"`+pw+`"}`), 401)
	var session, csrf string
	for name, value := range registered.cookies {
		if strings.HasPrefix(name, "OctopusIdentificationToken") {
			session = value
		} else {
			csrf = value
		}
	}
	if session == "" || csrf == "" {
		t.Fatalf("got cookies %v, want a session and a CSRF token", registered.cookies)
	}
	sessionCookie := "OctopusIdentificationToken_" + strings.TrimPrefix(strings.SplitN(registered.header.Get("Set-Cookie"), "=", 2)[0], "OctopusIdentificationToken_") + "=" + session
	scan(do(t, "GET", url+"/api/users/me", "", "Cookie", sessionCookie), 200)
	scan(do(t, "POST", url+"/api/users/logout", "", "Cookie", sessionCookie, "X-Octopus-Csrf-Token", csrf+"X"), 403)
	scan(do(t, "DELETE", url+"/api/users/Users-1/apikeys/APIKeys-2", "", "X-Octopus-ApiKey", adminKey), 204)
	scan(do(t, "GET", url+"/api/users/me", "", "X-Octopus-ApiKey", key), 401)
	scan(do(t, "GET", url+"/api/events?take=100", "", "X-Octopus-ApiKey", adminKey), 200)

	if err := stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	secrets := map[string]string{"administrator key": adminKey, "API key": key, "invitation code": code,
		"password": pw, "session token": session, "CSRF token": csrf}
	log := stderr.String()
	if !strings.Contains(log, "/api/users/register") {
		t.Fatalf("the log misses the requests:\n%s", log)
	}
	for name, value := range secrets {
		if strings.Contains(log, value) {
			t.Errorf("the log holds the %s", name)
		}
		for _, ex := range scanned {
			if strings.Contains(ex.body, value) {
				t.Errorf("an answer holds the %s: %s", name, ex.body)
			}
		}
	}
}
