package http_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/octoinvite/octoinvite/internal/servertest"
)

// FuzzCreateInvitationBody sends arbitrary bodies and content types to the create route: every
// answer is a 201 or a 4xx with an Octopus error body, never a 5xx, never an empty body.
func FuzzCreateInvitationBody(f *testing.F) {
	seeds := []struct{ contentType, body string }{
		{"application/json", `{"AddToTeamIds":["teams-everyone"]}`},
		{"application/json", `{"AddToTeamIds":[],"SpaceId":null}`},
		{"application/json", `{"AddToTeamIds":null}`},
		{"application/json", `{"AddToTeamIds":[null,1,{}]}`},
		{"application/json", `{"AddToTeamIds":["Teams-1"],"SpaceId":"Spaces-1","Expires":"never"}`},
		{"application/json; charset=utf-16", "\xff\xfe{\x00}\x00"},
		{"text/plain", `{}`},
		{"", `[`},
		{"application/json", `{"AddToTeamIds":["` + strings.Repeat("x", 300) + `"]}`},
		{"application/json", "\"\\ud800\""},
		{"application/merge-patch+json", `{"addtoteamids":["TEAMS-EVERYONE"],"spaceid":"spaces-1"}`},
	}
	for _, s := range seeds {
		f.Add(s.contentType, s.body)
	}
	env := servertest.Start(f)
	handler := env.API.Handler()
	f.Fuzz(func(t *testing.T, contentType, body string) {
		req := httptest.NewRequest("POST", "/api/Spaces-1/users/invitations", strings.NewReader(body))
		req.Header.Set("X-Octopus-ApiKey", servertest.AdminKey)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code == http.StatusCreated {
			return
		}
		if rec.Code < 400 || rec.Code >= 500 {
			t.Fatalf("got %d for %q %q: %s", rec.Code, contentType, body, rec.Body)
		}
		var e struct{ ErrorMessage string }
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.ErrorMessage == "" {
			t.Fatalf("got %d with a body that is not an Octopus error: %q", rec.Code, rec.Body)
		}
	})
}

// fuzzAccountRoute sends arbitrary bodies to an anonymous account route: every answer is one
// of the statuses allowed, with an Octopus error body unless it is a success; never a 5xx.
func fuzzAccountRoute(f *testing.F, path string, allowed ...int) {
	env := servertest.Start(f)
	handler := env.API.Handler()
	f.Fuzz(func(t *testing.T, contentType, body string) {
		req := httptest.NewRequest("POST", path, strings.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		ok := false
		for _, status := range allowed {
			ok = ok || rec.Code == status
		}
		if !ok {
			t.Fatalf("got %d for %q %q: %s", rec.Code, contentType, body, rec.Body)
		}
		if rec.Code >= 400 {
			var e struct{ ErrorMessage string }
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.ErrorMessage == "" {
				t.Fatalf("got %d with a body that is not an Octopus error: %q", rec.Code, rec.Body)
			}
		}
	})
}

// FuzzRegisterBody: registration bodies. No code exists, so nothing may succeed.
func FuzzRegisterBody(f *testing.F) {
	for _, s := range []struct{ contentType, body string }{
		{"application/json", `{"Username":"jane","DisplayName":"Jane","Password":"correct horse battery","InvitationCode":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"}`},
		{"application/json", `{"Username":"","Password":"x","InvitationCode":null}`},
		{"application/json", `{"username":["a"],"password":{},"invitationcode":1}`},
		{"text/json", "\ufeff{\"Username\":\"\\u0000\"}"},
		{"application/x-www-form-urlencoded", `Username=jane`},
		{"", `{"Username":"jane","InvitationCode":"` + strings.Repeat("A", 70) + `"}`},
	} {
		f.Add(s.contentType, s.body)
	}
	fuzzAccountRoute(f, "/api/users/register", 400, 413, 415)
}

// FuzzLoginBody: sign-in bodies. No user has a password, so nothing may succeed.
func FuzzLoginBody(f *testing.F) {
	for _, s := range []struct{ contentType, body string }{
		{"application/json", `{"Username":"admin","Password":"correct horse battery","RememberMe":true}`},
		{"application/json", `{"Username":null,"Password":null}`},
		{"application/json", `{"Username":"` + strings.Repeat("a", 1000) + `","Password":""}`},
		{"application/json", `{"RememberMe":"yes"}`},
		{"text/plain", `admin:password`},
		{"", `{"Username":"admin"`},
	} {
		f.Add(s.contentType, s.body)
	}
	fuzzAccountRoute(f, "/api/users/login", 400, 401, 413, 415, 429)
}
