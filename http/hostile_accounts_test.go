package http_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/internal/servertest"
)

// auditState adds to storeState what the account routes change: events (every registration,
// sign-in, key created or revoked writes one) and the users' active API keys.
func auditState(t *testing.T, env *servertest.Env) [7]int {
	t.Helper()
	ctx := context.Background()
	s := storeState(t, env)
	events, err := env.DB.FindEvents(ctx, octoinvite.EventFilter{Range: octoinvite.Range{Take: 1}})
	if err != nil {
		t.Fatal(err)
	}
	keys1, err := env.DB.CountActiveAPIKeys(ctx, "Users-1")
	if err != nil {
		t.Fatal(err)
	}
	keys2, err := env.DB.CountActiveAPIKeys(ctx, "Users-2")
	if err != nil {
		t.Fatal(err)
	}
	return [7]int{s[0], s[1], s[2], s[3], events.Total, keys1, keys2}
}

// TestHostileInput_AccountRoutes extends TestHostileInput to registration, sign-in, sign-out,
// API keys, the audit log and the invitee's page: each hostile request gets its 4xx with an
// error body (JSON for the API, a page for /app/), on each store, and nothing changes, not even
// the audit log.
func TestHostileInput_AccountRoutes(t *testing.T) {
	onEachStore(t, testHostileAccountRoutes)
}

func testHostileAccountRoutes(t *testing.T, env *servertest.Env) {
	inv := invite(t, env, nil, octoinvite.EveryoneTeamID)
	_, userKey := env.CreateUser(t, "jane")
	before := auditState(t, env)
	code := inv.InvitationCode
	register := func(body string) request { return request{method: "POST", path: "/api/users/register", body: body} }
	reg := func(fields string) request {
		return request{method: "POST", path: "/api/users/register", body: `{"DisplayName":"X","Password":"correct horse battery",` + fields + `}`}
	}
	as := func(key, method, path, body string) request {
		return request{method: method, path: path, key: key, body: body}
	}
	long := strings.Repeat("x", 10000)
	tests := []struct {
		name   string
		req    request
		status int
	}{
		{"RegisterTruncated", request{method: "POST", path: "/api/users/register", body: `{"Username":"bob","InvitationCode":"` + code}, 400},
		{"RegisterArray", request{method: "POST", path: "/api/users/register", body: `[{"Username":"bob"}]`}, 400},
		{"RegisterNull", request{method: "POST", path: "/api/users/register", body: `null`}, 400},
		{"RegisterNumberUsername", reg(`"Username":5,"InvitationCode":"` + code + `"`), 400},
		{"RegisterCodeArray", reg(`"Username":"bob","InvitationCode":["` + code + `"]`), 400},
		{"RegisterOverlongUsername", reg(`"Username":"` + long + `","InvitationCode":"` + code + `"`), 400},
		{"RegisterControlCharsUsername", reg(`"Username":"bo\u0000b","InvitationCode":"` + code + `"`), 400},
		{"RegisterOverlongPassword", request{method: "POST", path: "/api/users/register", body: `{"Username":"bob","DisplayName":"X","Password":"` + long + `","InvitationCode":"` + code + `"}`}, 400},
		{"RegisterOverlongCode", reg(`"Username":"bob","InvitationCode":"` + long + `"`), 400},
		{"RegisterCodeWithNUL", reg(`"Username":"bob","InvitationCode":"` + code + `\u0000"`), 400},
		{"RegisterCodeLowerCase", reg(`"Username":"bob","InvitationCode":"` + strings.ToLower(code) + `x"`), 400},
		{"RegisterInvalidUTF8", request{method: "POST", path: "/api/users/register", body: "{\"Username\":\"\xff\xfe\",\"InvitationCode\":\"" + code + "\"}"}, 400},
		{"RegisterTakenUsername", reg(`"Username":"JANE","InvitationCode":"` + code + `"`), 400},
		{"RegisterHugeBody", reg(`"Username":"bob","Pad":"` + strings.Repeat("x", 2<<20) + `"`), 413},
		{"RegisterForm", request{method: "POST", path: "/api/users/register", body: "Username=bob&InvitationCode=" + code,
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}, 415},
		{"RegisterGET", request{method: "GET", path: "/api/users/register"}, 405},
		{"LoginTruncated", request{method: "POST", path: "/api/users/login", body: `{"Username":"jane","Pass`}, 400},
		{"LoginWrongTypes", request{method: "POST", path: "/api/users/login", body: `{"Username":["jane"],"Password":1}`}, 400},
		{"LoginEmpty", request{method: "POST", path: "/api/users/login", body: ``}, 400},
		{"LoginText", request{method: "POST", path: "/api/users/login", body: `jane:pw`, header: map[string]string{"Content-Type": "text/plain"}}, 415},
		{"LogoutForgedCookie", request{method: "POST", path: "/api/users/logout", header: map[string]string{"Cookie": "OctopusIdentificationToken_" + env.DB.InstallationID() + "=" + long}}, 401},
		{"LogoutAnonymous", request{method: "POST", path: "/api/users/logout"}, 401},
		{"APIKeyOverlongPurpose", as(servertest.AdminKey, "POST", "/api/users/Users-1/apikeys", `{"Purpose":"`+strings.Repeat("p", 201)+`"}`), 400},
		{"APIKeyEmptyPurpose", as(servertest.AdminKey, "POST", "/api/users/Users-1/apikeys", `{"Purpose":"  "}`), 400},
		{"APIKeyNumberPurpose", as(servertest.AdminKey, "POST", "/api/users/Users-1/apikeys", `{"Purpose":7}`), 400},
		{"APIKeyNoBody", as(servertest.AdminKey, "POST", "/api/users/Users-1/apikeys", ``), 400},
		{"APIKeyUnknownUser", as(servertest.AdminKey, "POST", "/api/users/Users-999/apikeys", `{"Purpose":"x"}`), 404},
		{"APIKeyOtherUser", as(userKey, "POST", "/api/users/Users-1/apikeys", `{"Purpose":"x"}`), 403},
		{"APIKeyOverlongUserID", as(servertest.AdminKey, "POST", "/api/users/Users-"+strings.Repeat("1", 100)+"/apikeys", `{"Purpose":"x"}`), 404},
		{"RevokeUnknownKey", as(servertest.AdminKey, "DELETE", "/api/users/Users-1/apikeys/APIKeys-99999999999999999999", ""), 404},
		{"RevokeTraversal", as(servertest.AdminKey, "DELETE", "/api/users/Users-1/apikeys/..%2F..%2Fapikeys", ""), 404},
		{"RevokeOtherUsersKey", as(servertest.AdminKey, "DELETE", "/api/users/Users-1/apikeys/APIKeys-2", ""), 404},
		{"RevokeByOtherUser", as(userKey, "DELETE", "/api/users/Users-1/apikeys/APIKeys-1", ""), 403},
		{"EventsNegativeTake", as(servertest.AdminKey, "GET", "/api/events?take=-1", ""), 400},
		{"EventsBadDate", as(servertest.AdminKey, "GET", "/api/events?to=31/12/2026", ""), 400},
		{"EventsTooManyIDs", as(servertest.AdminKey, "GET", "/api/events?regarding="+strings.Join(manyIDs("Users", 101), ","), ""), 400},
		{"EventOverlongID", as(servertest.AdminKey, "GET", "/api/events/Events-"+strings.Repeat("9", 1000), ""), 404},
		{"EventOtherKind", as(servertest.AdminKey, "GET", "/api/events/Users-1", ""), 404},
		{"EventsPOST", as(servertest.AdminKey, "POST", "/api/events", `{}`), 405},
		{"RegisterDisplayNameNUL", register(`{"Username":"bob","DisplayName":"Bob\u0000","Password":"correct horse battery","InvitationCode":"` + code + `"}`), 400},
		{"RegisterDisplayNameInvisible", register(`{"Username":"bob","DisplayName":"\u200b\u200d\ufeff","Password":"correct horse battery","InvitationCode":"` + code + `"}`), 400},
		{"RegisterDisplayNameBidi", register(`{"Username":"bob","DisplayName":"Bob\u2066x","Password":"correct horse battery","InvitationCode":"` + code + `"}`), 400},
		{"RegisterEmailNUL", reg(`"Username":"bob","EmailAddress":"bob@example.com\u0000","InvitationCode":"` + code + `"`), 400},
		{"RegisterUsernameZeroWidth", reg(`"Username":"bo\u200bb","InvitationCode":"` + code + `"`), 400},
		{"RegisterPasswordNUL", register(`{"Username":"bob","DisplayName":"Bob","Password":"correct horse\u0000battery","InvitationCode":"` + code + `"}`), 400},
		{"APIKeyPurposeNUL", as(servertest.AdminKey, "POST", "/api/users/Users-1/apikeys", `{"Purpose":"laptop\u0000"}`), 400},
		{"APIKeyPurposeEscape", as(servertest.AdminKey, "POST", "/api/users/Users-1/apikeys", `{"Purpose":"\u001b]0;pwned\u0007"}`), 400},
		{"EventsRegardingNUL", as(servertest.AdminKey, "GET", "/api/events?regarding=Users-1%00", ""), 400},
		{"EventsRegardingInvalidUTF8", as(servertest.AdminKey, "GET", "/api/events?regarding=%FF", ""), 400},
		{"EventsUsersNUL", as(servertest.AdminKey, "GET", "/api/events?users=%00", ""), 400},
		{"EventsSpacesInvalidUTF8", as(servertest.AdminKey, "GET", "/api/events?spaces=Spaces-%C0", ""), 400},
		{"EventsFromNUL", as(servertest.AdminKey, "GET", "/api/events?from=2026-11-26%00", ""), 400},
		{"EventIDNUL", as(servertest.AdminKey, "GET", "/api/events/Events-1%00", ""), 404},
		{"APIKeysOfUserNUL", as(servertest.AdminKey, "GET", "/api/users/Users-1%00/apikeys", ""), 404},
	}
	var answers serverErrors
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := send(t, env, tt.req)
			answers.add(tt.name, resp.status)
			resp.wantRefused(t, tt.status)
			if strings.Contains(resp.body, code) {
				t.Errorf("the error body holds the invitation code: %s", resp.body)
			}
		})
	}

	// The invitee's page hands out a pre-session cookie, and a token bound to it in the form.
	formPage := send(t, env, request{method: "GET", path: "/app/register?invitation=" + code})
	token := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(formPage.body)
	if formPage.status != 200 || token == nil {
		t.Fatalf("the registration page: got %d without a token: %.300s", formPage.status, formPage.body)
	}
	var formCookie string
	for _, c := range (&http.Response{Header: formPage.header}).Cookies() {
		if c.Name == "octoinvite_presession" {
			formCookie = c.Name + "=" + c.Value
		}
	}
	signed := func(fields url.Values) url.Values {
		form := url.Values{"invitation": {code}, "csrf_token": {token[1]}, "username": {"bob"}, "display_name": {"Bob"},
			"password": {"correct horse battery"}}
		for name, v := range fields {
			form[name] = v
		}
		return form
	}
	pages := []struct {
		name   string
		method string
		path   string
		form   url.Values
		status int
	}{
		{"PageOverlongCode", "GET", "/app/register?invitation=" + long, nil, 404},
		{"PageCodeWithNUL", "GET", "/app/register?invitation=" + url.QueryEscape(code+"\x00"), nil, 404},
		{"PageTwoCodes", "GET", "/app/register?invitation=NOSUCHCODE&invitation=" + code, nil, 404},
		{"PageUnknownPath", "GET", "/app/register/%2e%2e/admin", nil, 404},
		{"FormWithoutToken", "POST", "/app/register", url.Values{"invitation": {code}, "username": {"bob"}, "password": {"correct horse battery"}}, 403},
		{"FormGarbage", "POST", "/app/register", url.Values{"%ZZ": {"x"}}, 400},
		// Forms with the page's anti-forgery token, whose fields reach the store unless refused.
		{"FormUsernameInvalidUTF8", "POST", "/app/register", signed(url.Values{"username": {"bo\xffb"}}), 400},
		{"FormUsernameNUL", "POST", "/app/register", signed(url.Values{"username": {"bob\x00"}}), 400},
		{"FormDisplayNameInvalidUTF8", "POST", "/app/register", signed(url.Values{"display_name": {"\xc3\x28"}}), 400},
		{"FormDisplayNameNUL", "POST", "/app/register", signed(url.Values{"display_name": {"Bob\x00"}}), 400},
		{"FormEmailInvalidUTF8", "POST", "/app/register", signed(url.Values{"email": {"bob@ex\xffample.com"}}), 400},
		{"FormPasswordZeroWidth", "POST", "/app/register", signed(url.Values{"password": {strings.Repeat("\u200b", 12)}}), 400},
	}
	for _, tt := range pages {
		t.Run(tt.name, func(t *testing.T) {
			req := request{method: tt.method, path: tt.path}
			if tt.method == "POST" {
				req.body = strings.ReplaceAll(tt.form.Encode(), "%25ZZ", "%ZZ")
				req.header = map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Cookie": formCookie}
			}
			resp := send(t, env, req)
			answers.add(tt.name, resp.status)
			if resp.status != tt.status {
				t.Errorf("got %d, want %d: %.300s", resp.status, tt.status, resp.body)
			}
			if ct := resp.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") && !strings.HasPrefix(ct, "application/json") {
				t.Errorf("got Content-Type %q, want a page or an error body", ct)
			}
		})
	}

	answers.check(t)
	if after := auditState(t, env); after != before {
		t.Errorf("store went from %v to %v (spaces, teams, users, invitations, events, keys of Users-1, keys of Users-2)", before, after)
	}
}
