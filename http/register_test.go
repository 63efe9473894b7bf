package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite"
	ohttp "github.com/octoinvite/octoinvite/http"
	"github.com/octoinvite/octoinvite/internal/servertest"
)

// call sends a request with an optional API key (in the header), a JSON body and extra headers
// given as name, value pairs.
func call(t *testing.T, env *servertest.Env, method, path, key, body string, headers ...string) response {
	t.Helper()
	extra := map[string]string{}
	for i := 0; i+1 < len(headers); i += 2 {
		extra[headers[i]] = headers[i+1]
	}
	return send(t, env, request{method: method, path: path, key: key, in: inHeader, body: body, header: extra})
}

// want fails the test unless the response has the status and, if body is not empty, exactly
// that body.
func (r response) want(t *testing.T, status int, body string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("got status %d, want %d; body %s", r.status, status, r.body)
	}
	if body != "" && r.body != body {
		t.Fatalf("got body\n%s\nwant\n%s", r.body, body)
	}
}

// invite stores an invitation into the teams of the space and returns its code.
func invite(t *testing.T, env *servertest.Env, spaceID *string, teamIDs ...string) *octoinvite.Invitation {
	t.Helper()
	inv := &octoinvite.Invitation{AddToTeamIDs: teamIDs, SpaceID: spaceID, LastModifiedBy: "admin"}
	if teamIDs == nil {
		inv.AddToTeamIDs = []string{}
	}
	if err := env.DB.CreateInvitation(context.Background(), inv); err != nil {
		t.Fatalf("creating an invitation: %v", err)
	}
	return inv
}

func registerBody(username, password, code string) string {
	b, _ := json.Marshal(octoinvite.Registration{Username: username, DisplayName: "Jane Doe",
		EmailAddress: "jane@example.com", Password: password, InvitationCode: code})
	return string(b)
}

const goodPassword = "correct horse battery"

func userCount(t *testing.T, env *servertest.Env) int {
	t.Helper()
	page, err := env.DB.FindUsers(context.Background(), octoinvite.UserFilter{Range: octoinvite.Range{Take: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	return page.Total
}

func members(t *testing.T, env *servertest.Env, teamID string) []string {
	t.Helper()
	team, err := env.DB.FindTeamByID(context.Background(), teamID)
	if err != nil {
		t.Fatal(err)
	}
	return team.MemberUserIDs
}

func TestRegister(t *testing.T) {
	env := servertest.Start(t)
	space := "Spaces-1"
	devs := env.CreateTeam(t, "Developers", &space)
	ops := env.CreateTeam(t, "Operations", &space)
	inv := invite(t, env, &space, devs.ID, ops.ID, octoinvite.EveryoneTeamID)

	r := call(t, env, "POST", "/api/users/register", "", registerBody("jane", goodPassword, inv.InvitationCode))
	r.want(t, 201, `{"Id":"Users-2","Username":"jane","DisplayName":"Jane Doe","EmailAddress":"jane@example.com",`+
		`"IsActive":true,"IsService":false,"CanPasswordBeEdited":true,"IsRequestor":true,"Identities":[],`+
		`"Links":{"ApiKeys":"/api/users/Users-2/apikeys{/id}{?skip,take}","Avatar":"/api/users/Users-2/avatar","Permissions":"/api/users/Users-2/permissions","Self":"/api/users/Users-2","Spaces":"/api/users/Users-2/spaces"}}`)
	if got := r.header.Get("Location"); got != "/api/users/Users-2" {
		t.Errorf("got Location %q, want /api/users/Users-2", got)
	}
	cookies := map[string]*http.Cookie{}
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		cookies[c.Name] = c
	}
	session := cookies[ohttp.SessionCookieName(env.DB.InstallationID())]
	csrf := cookies[ohttp.CSRFCookieName(env.DB.InstallationID())]
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Path != "/" || session.Secure || session.MaxAge != 8*60*60 {
		t.Errorf("got session cookie %+v, want HttpOnly, SameSite=Strict, Path=/, Max-Age 8 hours, not Secure over plain HTTP", session)
	}
	if csrf == nil || csrf.HttpOnly || csrf.SameSite != http.SameSiteStrictMode {
		t.Errorf("got CSRF cookie %+v, want readable by scripts, SameSite=Strict", csrf)
	}

	for _, team := range []string{devs.ID, ops.ID, octoinvite.EveryoneTeamID} {
		if got := members(t, env, team); fmt.Sprint(got) != "[Users-1 Users-2]" && team == octoinvite.EveryoneTeamID {
			t.Errorf("got %s members %v, want [Users-1 Users-2]", team, got)
		} else if team != octoinvite.EveryoneTeamID && fmt.Sprint(got) != "[Users-2]" {
			t.Errorf("got %s members %v, want [Users-2]", team, got)
		}
	}
	if got := members(t, env, octoinvite.AdministratorsTeamID); fmt.Sprint(got) != "[Users-1]" {
		t.Errorf("got administrators %v, want [Users-1]", got)
	}

	got := call(t, env, "GET", "/api/users/invitations/"+inv.ID, servertest.AdminKey, "")
	got.want(t, 200, `{"Id":"Invitations-1","AddToTeamIds":["Teams-1","Teams-2","teams-everyone"],"InvitationCode":"`+inv.InvitationCode+`",`+
		`"Expires":"2026-11-28T10:00:00.000+00:00","SpaceId":"Spaces-1","LastModifiedOn":"2026-11-26T10:00:00.000+00:00","LastModifiedBy":"admin",`+
		`"RedeemedOn":"2026-11-26T10:00:00.000+00:00","RedeemedBy":"Users-2","State":"Redeemed","MaxUses":1,"Uses":1,"Links":{"Register":"`+env.URL+`/app/register?invitation=`+inv.InvitationCode+`","Self":"/api/Spaces-1/users/invitations/Invitations-1"}}`)
}

func TestRegister_unredeemedInvitationKeepsOctopusShape(t *testing.T) {
	env := servertest.Start(t)
	inv := invite(t, env, nil)
	call(t, env, "GET", "/api/users/invitations/"+inv.ID, servertest.AdminKey, "").want(t, 200,
		`{"Id":"Invitations-1","AddToTeamIds":[],"InvitationCode":"`+inv.InvitationCode+`","Expires":"2026-11-28T10:00:00.000+00:00",`+
			`"SpaceId":null,"LastModifiedOn":"2026-11-26T10:00:00.000+00:00","LastModifiedBy":"admin",`+
			`"State":"Pending","MaxUses":1,"Uses":0,"Links":{"Register":"`+env.URL+`/app/register?invitation=`+inv.InvitationCode+`","Self":"/api/users/invitations/Invitations-1"}}`)
}

func TestRegister_invalid(t *testing.T) {
	env := servertest.Start(t)
	env.CreateUser(t, "Taken")
	inv := invite(t, env, nil)
	code := inv.InvitationCode
	problem := func(problems ...string) string {
		b, _ := json.Marshal(ohttp.ErrorResponse{ErrorMessage: octoinvite.ProblemMessage, Errors: problems})
		return string(b)
	}
	reg := func(mod func(*octoinvite.Registration)) string {
		r := octoinvite.Registration{Username: "jane", DisplayName: "Jane Doe", EmailAddress: "jane@example.com", Password: goodPassword, InvitationCode: code}
		mod(&r)
		b, _ := json.Marshal(r)
		return string(b)
	}
	tests := []struct {
		name string
		body string
		want string
	}{
		{"ErrNoBody", "", problem(octoinvite.MsgNoRequestBody)},
		{"ErrEverythingMissing", `{}`, problem(octoinvite.MsgUsernameRequired, octoinvite.MsgDisplayNameRequired, octoinvite.MsgPasswordTooShort, octoinvite.MsgCodeRequired)},
		{"ErrUsernameBlank", reg(func(r *octoinvite.Registration) { r.Username = "   " }), problem(octoinvite.MsgUsernameRequired)},
		{"ErrUsernameTooLong", reg(func(r *octoinvite.Registration) { r.Username = strings.Repeat("é", 65) }), problem(octoinvite.MsgUsernameTooLong)},
		{"ErrUsernameControl", reg(func(r *octoinvite.Registration) { r.Username = "ja\nne" }), problem(octoinvite.MsgUsernameCharacters)},
		{"ErrUsernameTaken", reg(func(r *octoinvite.Registration) { r.Username = "tAKEN" }), problem("The username (Username) 'tAKEN' is already taken; please choose another.")},
		{"ErrDisplayNameTooLong", reg(func(r *octoinvite.Registration) { r.DisplayName = strings.Repeat("x", 65) }), problem(octoinvite.MsgDisplayNameTooLong)},
		{"ErrEmailNoAt", reg(func(r *octoinvite.Registration) { r.EmailAddress = "jane.example.com" }), problem(octoinvite.MsgEmailAddressInvalid)},
		{"ErrEmailWithName", reg(func(r *octoinvite.Registration) { r.EmailAddress = "Jane <jane@example.com>" }), problem(octoinvite.MsgEmailAddressInvalid)},
		{"ErrEmailNoDot", reg(func(r *octoinvite.Registration) { r.EmailAddress = "jane@localhost" }), problem(octoinvite.MsgEmailAddressInvalid)},
		{"ErrPasswordShort", reg(func(r *octoinvite.Registration) { r.Password = "elevenchars" }), problem(octoinvite.MsgPasswordTooShort)},
		{"ErrPasswordLong", reg(func(r *octoinvite.Registration) { r.Password = strings.Repeat("ab", 65) }), problem(octoinvite.MsgPasswordTooLong)},
		{"ErrPasswordIsUsername", reg(func(r *octoinvite.Registration) { r.Username, r.Password = "janedoe-the-first", "JaneDoe-The-First" }), problem(octoinvite.MsgPasswordIsName)},
		{"ErrPasswordIsEmail", reg(func(r *octoinvite.Registration) { r.Password = "jane@example.com" }), problem(octoinvite.MsgPasswordIsName)},
		{"ErrPasswordCommon", reg(func(r *octoinvite.Registration) { r.Password = "Password1234" }), problem(octoinvite.MsgPasswordCommon)},
		{"ErrPasswordRepeated", reg(func(r *octoinvite.Registration) { r.Password = "zzzzzzzzzzzzzz" }), problem(octoinvite.MsgPasswordPattern)},
		{"ErrPasswordRepetitive", reg(func(r *octoinvite.Registration) { r.Password = "121212121212" }),
			problem("The password (Password) is made of repeated or sequential characters (such as aaaa, 1212 or abcd); please choose one that is harder to guess.")},
		{"ErrPasswordAlmostOneCharacter", reg(func(r *octoinvite.Registration) { r.Password = "aaaaaaaaaaab" }), problem(octoinvite.MsgPasswordPattern)},
		{"ErrPasswordSequential", reg(func(r *octoinvite.Registration) { r.Password = "mnopqrstuvwx" }), problem(octoinvite.MsgPasswordPattern)},
		{"ErrPasswordSequentialDigits", reg(func(r *octoinvite.Registration) { r.Password = "678901234567" }), problem(octoinvite.MsgPasswordPattern)},
		{"ErrPasswordCommonSequence", reg(func(r *octoinvite.Registration) { r.Password = "123456789012" }), problem(octoinvite.MsgPasswordCommon)},
		{"ErrPasswordUsernameRepeated", reg(func(r *octoinvite.Registration) { r.Password = "JaneJaneJane" }),
			problem("The password (Password) must not be the username, display name or email address, nor be made of them.")},
		{"ErrPasswordServerName", reg(func(r *octoinvite.Registration) { r.Password = "Octoinvite2026" }),
			problem("The password (Password) must not be made of the name of this server; please choose another.")},
		{"ErrPasswordZeroWidth", reg(func(r *octoinvite.Registration) { r.Password = strings.Repeat("\u200b", 12) }),
			problem("The password (Password) may not contain control characters or characters that do not show, such as zero-width spaces.")},
		{"ErrUsernameFullwidthTaken", reg(func(r *octoinvite.Registration) { r.Username = "ＡＤＭＩＮ" }), problem("The username (Username) 'ADMIN' is already taken; please choose another.")},
		{"ErrUsernameZeroWidth", reg(func(r *octoinvite.Registration) { r.Username = "admin\u200b" }),
			problem("The username (Username) may hold letters, digits, punctuation and single spaces only: no control, invisible or formatting characters.")},
		{"ErrUsernameBidi", reg(func(r *octoinvite.Registration) { r.Username = "\u202enimda" }), problem(octoinvite.MsgUsernameCharacters)},
		{"ErrUsernameSoftHyphen", reg(func(r *octoinvite.Registration) { r.Username = "ad\u00admin" }), problem(octoinvite.MsgUsernameCharacters)},
		{"ErrUsernameMixedScripts", reg(func(r *octoinvite.Registration) { r.Username = "alic\u0435" }),
			problem("The username (Username) mixes letters of scripts that look alike (such as Latin and Cyrillic); please write it in one script.")},
		{"ErrDisplayNameControl", reg(func(r *octoinvite.Registration) { r.DisplayName = "Jane\u001b[2J" }),
			problem("The display name (DisplayName) may not contain control characters.")},
		{"ErrDisplayNameInvisible", reg(func(r *octoinvite.Registration) { r.DisplayName = "\u200b\u2060" }), problem("Please provide a display name (DisplayName).")},
		{"ErrWrongType", `{"Username":1}`, problem("The field 'Username' must be a string, not number.")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			call(t, env, "POST", "/api/users/register", "", tt.body).want(t, 400, tt.want)
			if got := userCount(t, env); got != 2 {
				t.Errorf("got %d users, want 2: nothing created", got)
			}
		})
	}
	t.Run("OKPasswordOfAnyCharacters", func(t *testing.T) {
		call(t, env, "POST", "/api/users/register", "", reg(func(r *octoinvite.Registration) {
			r.Password, r.EmailAddress = "日本語のパスワードですよ", ""
		})).want(t, 201, "")
	})
}

func TestRegister_codes(t *testing.T) {
	env := servertest.Start(t)
	codeError := func(err *octoinvite.Error) string {
		b, _ := json.Marshal(ohttp.ErrorResponse{ErrorMessage: err.Message, Errors: []string{err.Message}})
		return string(b)
	}
	used := invite(t, env, nil)
	call(t, env, "POST", "/api/users/register", "", registerBody("first", goodPassword, used.InvitationCode)).want(t, 201, "")
	expired := invite(t, env, nil)
	env.Clock.Advance(octoinvite.DefaultInvitationLifetime)
	fresh := invite(t, env, nil)

	tests := []struct {
		name string
		code string
		want *octoinvite.Error
	}{
		{"ErrUnknown", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", octoinvite.ErrInvitationUnknown},
		{"ErrMalformed", "not a code!", octoinvite.ErrInvitationUnknown},
		{"ErrExpired", expired.InvitationCode, octoinvite.ErrInvitationExpired},
		{"ErrUsed", used.InvitationCode, octoinvite.ErrInvitationUsed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			call(t, env, "POST", "/api/users/register", "", registerBody("jane", goodPassword, tt.code)).want(t, 400, codeError(tt.want))
			if got := userCount(t, env); got != 2 {
				t.Errorf("got %d users, want 2: nothing created", got)
			}
		})
	}
	t.Run("OKJustBeforeExpiry", func(t *testing.T) {
		env.Clock.Advance(octoinvite.DefaultInvitationLifetime - time.Millisecond)
		call(t, env, "POST", "/api/users/register", "", registerBody("jane", goodPassword, fresh.InvitationCode)).want(t, 201, "")
	})
}

// TestRegister_concurrent sends many registrations with one code at once, each with its own
// username: exactly one may succeed.
func TestRegister_concurrent(t *testing.T) {
	env := servertest.Start(t)
	space := "Spaces-1"
	team := env.CreateTeam(t, "Developers", &space)
	inv := invite(t, env, &space, team.ID)
	const n = 50
	if counts := raceRegistrations(t, []*servertest.Env{env}, inv.InvitationCode, n); counts[201] != 1 || counts[400] != n-1 {
		t.Fatalf("got statuses %v, want one 201 and %d 400", counts, n-1)
	}
	if got := userCount(t, env); got != 2 {
		t.Errorf("got %d users, want 2", got)
	}
	if got := members(t, env, team.ID); len(got) != 1 {
		t.Errorf("got members %v, want one", got)
	}
}

// raceRegistrations sends n registrations with one code at once, spread over the servers, and
// counts the statuses they get.
func raceRegistrations(t *testing.T, servers []*servertest.Env, code string, n int) map[int]int {
	t.Helper()
	statuses := make([]int, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			resp, err := http.Post(servers[i%len(servers)].URL+"/api/users/register", "application/json",
				strings.NewReader(registerBody(fmt.Sprintf("racer%d", i), goodPassword, code)))
			if err != nil {
				errs[i] = err
				return
			}
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		})
	}
	close(start)
	wg.Wait()
	counts := map[int]int{}
	for i, s := range statuses {
		if errs[i] != nil {
			t.Errorf("registration %d: %v", i, errs[i])
		}
		counts[s]++
	}
	return counts
}

// session signs in and returns the cookies and the CSRF token.
func login(t *testing.T, env *servertest.Env, username, password string) (cookie, csrf string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"Username": username, "Password": password})
	r := call(t, env, "POST", "/api/users/login", "", string(body))
	r.want(t, 200, "")
	var parts []string
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		parts = append(parts, c.Name+"="+c.Value)
		if c.Name == ohttp.CSRFCookieName(env.DB.InstallationID()) {
			csrf = c.Value
		}
	}
	return strings.Join(parts, "; "), csrf
}

// TestFirstAPIKey walks the documented flow: register, sign in, create a key with the session,
// call the API with the key.
func TestFirstAPIKey(t *testing.T) {
	env := servertest.Start(t)
	inv := invite(t, env, nil)
	call(t, env, "POST", "/api/users/register", "", registerBody("jane", goodPassword, inv.InvitationCode)).want(t, 201, "")

	cookie, csrf := login(t, env, "JANE", goodPassword)
	call(t, env, "GET", "/api/users/me", "", "", "Cookie", cookie).want(t, 200,
		`{"Id":"Users-2","Username":"jane","DisplayName":"Jane Doe","EmailAddress":"jane@example.com",`+
			`"IsActive":true,"IsService":false,"CanPasswordBeEdited":true,"IsRequestor":true,"Identities":[],`+
			`"Links":{"ApiKeys":"/api/users/Users-2/apikeys{/id}{?skip,take}","Avatar":"/api/users/Users-2/avatar","Permissions":"/api/users/Users-2/permissions","Self":"/api/users/Users-2","Spaces":"/api/users/Users-2/spaces"}}`)

	forbidden := `{"ErrorMessage":"A required anti-forgery token was not supplied or was invalid."}`
	call(t, env, "POST", "/api/users/Users-2/apikeys", "", `{"Purpose":"CI"}`, "Cookie", cookie).want(t, 403, forbidden)
	call(t, env, "POST", "/api/users/Users-2/apikeys", "", `{"Purpose":"CI"}`, "Cookie", cookie, ohttp.HeaderCSRF, csrf+"x").want(t, 403, forbidden)
	call(t, env, "POST", "/api/users/Users-2/apikeys", "", `{"Purpose":"CI"}`, "Cookie", cookie,
		"Sec-Fetch-Site", "cross-site", ohttp.HeaderCSRF, csrf).want(t, 403, `{"ErrorMessage":"Cross-origin requests that change data are refused."}`)

	r := call(t, env, "POST", "/api/users/Users-2/apikeys", "", `{"Purpose":"CI"}`, "Cookie", cookie, ohttp.HeaderCSRF, csrf)
	var key octoinvite.APIKey
	if err := json.Unmarshal([]byte(r.body), &key); err != nil {
		t.Fatal(err)
	}
	r.want(t, 201, `{"Id":"APIKeys-2","Purpose":"CI","UserId":"Users-2","ApiKey":"`+key.APIKey+`","Created":"2026-11-26T10:00:00.000+00:00",`+
		`"Links":{"Self":"/api/users/Users-2/apikeys/APIKeys-2"}}`)
	if !octoinvite.ValidAPIKey(key.APIKey) {
		t.Fatalf("got key %q, want a well-formed key", key.APIKey)
	}
	call(t, env, "GET", "/api/users/me", key.APIKey, "").want(t, 200, "")

	call(t, env, "POST", "/api/users/logout", "", "", "Cookie", cookie, ohttp.HeaderCSRF, csrf).want(t, 204, "")
	call(t, env, "GET", "/api/users/me", "", "", "Cookie", cookie).want(t, 401, "")
	call(t, env, "GET", "/api/users/me", key.APIKey, "").want(t, 200, "")
}

func TestLogin(t *testing.T) {
	env := servertest.Start(t)
	inv := invite(t, env, nil)
	call(t, env, "POST", "/api/users/register", "", registerBody("jane", goodPassword, inv.InvitationCode)).want(t, 201, "")
	bad := `{"ErrorMessage":"Invalid username or password."}`
	tests := []struct {
		name   string
		body   string
		status int
		want   string
	}{
		{"OK", `{"Username":"jane","Password":"` + goodPassword + `"}`, 200, ""},
		{"ErrWrongPassword", `{"Username":"jane","Password":"correct horse battery!"}`, 401, bad},
		{"ErrUnknownUser", `{"Username":"john","Password":"` + goodPassword + `"}`, 401, bad},
		{"ErrUserWithoutPassword", `{"Username":"admin","Password":"` + goodPassword + `"}`, 401, bad},
		{"ErrEmpty", `{"Username":"","Password":""}`, 401, bad},
		{"ErrNoBody", ``, 400, `{"ErrorMessage":"There was a problem with your request.","Errors":["No request body was supplied."]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, env, "POST", "/api/users/login", "", tt.body)
			r.want(t, tt.status, tt.want)
			if got := len(r.header.Values("Set-Cookie")); (tt.status == 200) != (got == 2) {
				t.Errorf("got %d cookies, want 2 on success and none otherwise", got)
			}
		})
	}
	t.Run("ErrSessionExpired", func(t *testing.T) {
		cookie, _ := login(t, env, "jane", goodPassword)
		call(t, env, "GET", "/api/users/me", "", "", "Cookie", cookie).want(t, 200, "")
		env.Clock.Advance(octoinvite.DefaultSessionLifetime)
		call(t, env, "GET", "/api/users/me", "", "", "Cookie", cookie).want(t, 401,
			`{"ErrorMessage":"You must be logged in to perform this action. Please provide a valid API key or log in again."}`)
	})
}

func TestAPIKeys(t *testing.T) {
	env := servertest.Start(t)
	jane, janeKey := env.CreateUser(t, "jane")
	_, johnKey := env.CreateUser(t, "john")
	path := "/api/users/" + jane.ID + "/apikeys"

	created := call(t, env, "POST", path, janeKey, `{"Purpose":"  Deploy bot  "}`)
	created.want(t, 201, "")
	var key octoinvite.APIKey
	if err := json.Unmarshal([]byte(created.body), &key); err != nil {
		t.Fatal(err)
	}
	if key.ID != "APIKeys-4" || key.Purpose != "Deploy bot" || created.header.Get("Location") != path+"/APIKeys-4" {
		t.Fatalf("got key %+v at %q, want APIKeys-4 \"Deploy bot\" at %s/APIKeys-4", key, created.header.Get("Location"), path)
	}
	call(t, env, "POST", path, servertest.AdminKey, `{"Purpose":"By the administrator"}`).want(t, 201, "")

	call(t, env, "GET", path, janeKey, "").want(t, 200, `{"ItemType":"ApiKey","TotalResults":3,"ItemsPerPage":30,"NumberOfPages":1,"LastPageNumber":0,"Items":[`+
		`{"Id":"APIKeys-2","Purpose":"test","UserId":"Users-2","Created":"2026-11-26T10:00:00.000+00:00","Links":{"Self":"/api/users/Users-2/apikeys/APIKeys-2"}},`+
		`{"Id":"APIKeys-4","Purpose":"Deploy bot","UserId":"Users-2","Created":"2026-11-26T10:00:00.000+00:00","Links":{"Self":"/api/users/Users-2/apikeys/APIKeys-4"}},`+
		`{"Id":"APIKeys-5","Purpose":"By the administrator","UserId":"Users-2","Created":"2026-11-26T10:00:00.000+00:00","Links":{"Self":"/api/users/Users-2/apikeys/APIKeys-5"}}],`+
		`"Links":{"Page.All":"/api/users/Users-2/apikeys?skip=0&take=2147483647","Page.Current":"/api/users/Users-2/apikeys?skip=0&take=30",`+
		`"Page.Last":"/api/users/Users-2/apikeys?skip=0&take=30","Self":"/api/users/Users-2/apikeys?skip=0&take=30","Template":"/api/users/Users-2/apikeys{?skip,take}"}}`)
	call(t, env, "GET", path+"/apikeys-4", janeKey, "").want(t, 200,
		`{"Id":"APIKeys-4","Purpose":"Deploy bot","UserId":"Users-2","Created":"2026-11-26T10:00:00.000+00:00","Links":{"Self":"/api/users/Users-2/apikeys/APIKeys-4"}}`)

	problem := func(msg string) string {
		return `{"ErrorMessage":"There was a problem with your request.","Errors":["` + msg + `"]}`
	}
	tests := []struct {
		name, method, path, key, body string
		status                        int
		want                          string
	}{
		{"ErrOtherUsersKeys", "GET", path, johnKey, "", 403, `{"ErrorMessage":"You do not have permission to perform this action. Please contact your Octopus administrator. Missing permission: UserView"}`},
		{"ErrCreateForOtherUser", "POST", path, johnKey, `{"Purpose":"x"}`, 403, `{"ErrorMessage":"You do not have permission to perform this action. Please contact your Octopus administrator. Missing permission: UserEdit"}`},
		{"ErrRevokeOtherUsersKey", "DELETE", path + "/APIKeys-4", johnKey, "", 403, `{"ErrorMessage":"You do not have permission to perform this action. Please contact your Octopus administrator. Missing permission: UserEdit"}`},
		{"ErrNoPurpose", "POST", path, janeKey, `{"Purpose":" "}`, 400, problem("Please provide the purpose of the API key (Purpose).")},
		{"ErrLongPurpose", "POST", path, janeKey, `{"Purpose":"` + strings.Repeat("p", 201) + `"}`, 400, problem("The purpose of the API key (Purpose) must be at most 200 characters long.")},
		{"ErrUnknownUser", "POST", "/api/users/Users-99/apikeys", servertest.AdminKey, `{"Purpose":"x"}`, 404, `{"ErrorMessage":"The resource 'Users-99' was not found."}`},
		{"ErrKeyOfAnotherUser", "GET", path + "/APIKeys-3", servertest.AdminKey, "", 404, `{"ErrorMessage":"The resource 'APIKeys-3' was not found."}`},
		{"ErrNoKey", "GET", path, "", "", 401, `{"ErrorMessage":"You must be logged in to perform this action. Please provide a valid API key or log in again."}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			call(t, env, tt.method, tt.path, tt.key, tt.body).want(t, tt.status, tt.want)
		})
	}

	t.Run("OKRevoke", func(t *testing.T) {
		call(t, env, "GET", "/api/users/me", key.APIKey, "").want(t, 200, "")
		call(t, env, "DELETE", path+"/APIKeys-4", janeKey, "").want(t, 204, "")
		call(t, env, "GET", "/api/users/me", key.APIKey, "").want(t, 401, "")
		call(t, env, "DELETE", path+"/APIKeys-4", janeKey, "").want(t, 404, `{"ErrorMessage":"The resource 'APIKeys-4' was not found."}`)
		call(t, env, "GET", path+"/APIKeys-4", janeKey, "").want(t, 404, "")
		call(t, env, "DELETE", path+"/APIKeys-5", servertest.AdminKey, "").want(t, 204, "")
		r := call(t, env, "GET", path, janeKey, "")
		r.want(t, 200, "")
		if !strings.Contains(r.body, `"TotalResults":1,`) || strings.Contains(r.body, "APIKeys-4") {
			t.Errorf("got %s, want only APIKeys-2", r.body)
		}
	})
}

func TestRegister_passwordNotStoredInClear(t *testing.T) {
	env := servertest.Start(t)
	inv := invite(t, env, nil)
	call(t, env, "POST", "/api/users/register", "", registerBody("jane", goodPassword, inv.InvitationCode)).want(t, 201, "")
	env.Close()
	raw, err := readAll(env.Path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(goodPassword)) {
		t.Fatal("got the password in the database file, want only its hash")
	}
	if !bytes.Contains(raw, []byte("$argon2id$v=19$")) {
		t.Fatal("got no Argon2id hash in the database file, want one")
	}
}

// readAll returns the database file and its write-ahead log, where recent writes may still be.
func readAll(path string) ([]byte, error) {
	var out []byte
	for _, p := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(p)
		if err != nil && !os.IsNotExist(err) {
			return nil, err
		}
		out = append(out, b...)
	}
	return out, nil
}

// TestLogin_throttled: a username's budget of failed sign-ins is spent by 10 at once and earns
// one back every 90 seconds; a success gives back only its own token, so that the owner's
// sign-in does not hand an attacker the failures already spent.
func TestLogin_throttled(t *testing.T) {
	env := servertest.Start(t)
	inv := invite(t, env, nil)
	call(t, env, "POST", "/api/users/register", "", registerBody("jane", goodPassword, inv.InvitationCode)).want(t, 201, "")
	wrong := `{"Username":"jane","Password":"wrong horse battery"}`
	right := `{"Username":"JANE","Password":"` + goodPassword + `"}`
	refused := func(seconds string) {
		t.Helper()
		r := call(t, env, "POST", "/api/users/login", "", right)
		r.want(t, 429, `{"ErrorMessage":"Too many failed sign-ins for this username. Try again in `+seconds+` seconds, or use an API key."}`)
		if got := r.header.Get("Retry-After"); got != seconds {
			t.Errorf("got Retry-After %q, want %s", got, seconds)
		}
	}

	for range ohttp.MaxFailedSignIns {
		call(t, env, "POST", "/api/users/login", "", wrong).want(t, 401, "")
	}
	refused("90")
	call(t, env, "POST", "/api/users/login", "", `{"Username":"john","Password":"x"}`).want(t, 401, "")
	env.Clock.Advance(time.Minute)
	refused("30")

	env.Clock.Advance(30 * time.Second)
	call(t, env, "POST", "/api/users/login", "", right).want(t, 200, "")
	call(t, env, "POST", "/api/users/login", "", wrong).want(t, 401, "")
	refused("90")
	env.Clock.Advance(ohttp.SignInWindow)
	for range ohttp.MaxFailedSignIns - 1 {
		call(t, env, "POST", "/api/users/login", "", wrong).want(t, 401, "")
	}
	call(t, env, "POST", "/api/users/login", "", right).want(t, 200, "")
	call(t, env, "POST", "/api/users/login", "", wrong).want(t, 401, "")
	refused("90")
}

// TestLogin_hugeUsername: a username as long as the body allows fails as any sign-in with an
// unknown username does (401, a LoginFailed event, a token of the username's and the address's
// budgets), usernames that differ only past the longest a user can hold share a budget, and a
// user's own username keeps its budget throughout.
func TestLogin_hugeUsername(t *testing.T) {
	huge := func(tail string) string {
		return strings.Repeat("a", ohttp.DefaultMaxBodyBytes-100-len(tail)) + tail
	}
	body := func(username string) string {
		return `{"Username":"` + username + `","Password":"wrong horse battery"}`
	}
	// failures counts the LoginFailed events.
	failures := func(t *testing.T, env *servertest.Env) int {
		t.Helper()
		page, err := env.DB.FindEvents(context.Background(), octoinvite.EventFilter{Range: octoinvite.Range{Take: 1000}})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range page.Items {
			if e.Category == octoinvite.EventLoginFailed {
				n++
			}
		}
		return n
	}

	t.Run("UsernameBudget", func(t *testing.T) {
		env := servertest.Start(t)
		before := failures(t, env)
		for i := range ohttp.MaxFailedSignIns {
			call(t, env, "POST", "/api/users/login", "", body(huge(strconv.Itoa(i)))).
				want(t, 401, `{"ErrorMessage":"Invalid username or password."}`)
		}
		if got := failures(t, env) - before; got != ohttp.MaxFailedSignIns {
			t.Errorf("got %d LoginFailed events, want %d", got, ohttp.MaxFailedSignIns)
		}
		call(t, env, "POST", "/api/users/login", "", body(huge("x"))).
			want(t, 429, `{"ErrorMessage":"Too many failed sign-ins for this username. Try again in 90 seconds, or use an API key."}`)
		call(t, env, "POST", "/api/users/login", "", body("b"+huge(""))).want(t, 401, "")
		call(t, env, "POST", "/api/users/login", "", body(strings.Repeat("a", octoinvite.MaxUsernameBytes))).want(t, 401, "")
		call(t, env, "POST", "/api/users/login", "", `{"Username":"admin","Password":"wrong horse battery"}`).want(t, 401, "")
	})

	t.Run("AddressBudget", func(t *testing.T) {
		env := limited(t)
		for i := range 3 {
			call(t, env, "POST", "/api/users/login", "", body("z"+huge(strconv.Itoa(i)))).want(t, 401, "")
		}
		call(t, env, "POST", "/api/users/login", "", body("y"+huge(""))).wantLimited(t, "10")
	})
}
