package http_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite/internal/servertest"
)

// limited starts a server whose addresses may fail 3 times at once and earn one attempt back
// every 10 seconds.
func limited(t *testing.T, proxies ...string) *servertest.Env {
	t.Helper()
	env := servertest.Start(t)
	env.API.AuthFailureLimit = 3
	env.API.AuthFailureWindow = 30 * time.Second
	for _, p := range proxies {
		env.API.TrustedProxies = append(env.API.TrustedProxies, netip.MustParsePrefix(p))
	}
	return servertest.Serve(t, env)
}

func (r response) wantLimited(t *testing.T, retryAfter string) {
	t.Helper()
	r.wantJSON(t, 429, `{"ErrorMessage":"Too many failed attempts to sign in or register from your address. Try again in `+retryAfter+` seconds."}`)
	if got := r.header.Get("Retry-After"); got != retryAfter {
		t.Errorf("got Retry-After %q, want %q", got, retryAfter)
	}
}

const unknownKey = "API-UNKNOWNKEY00000000000000"

// TestAuthFailureLimit exhausts an address's budget with unknown keys: the address is refused,
// even with a good key, until it earns an attempt back; other failures and successes behave as
// documented.
func TestAuthFailureLimit(t *testing.T) {
	t.Run("UnknownKeysThenRefused", func(t *testing.T) {
		env := limited(t)
		for i := 0; i < 3; i++ {
			call(t, env, "GET", "/api/users/me", unknownKey, "").want(t, 401, "")
		}
		call(t, env, "GET", "/api/users/me", unknownKey, "").wantLimited(t, "10")
		call(t, env, "GET", "/api/users/me", servertest.AdminKey, "").wantLimited(t, "10")
		call(t, env, "POST", "/api/users/login", "", `{"Username":"admin","Password":"whatever whatever"}`).wantLimited(t, "10")
		env.Clock.Advance(4 * time.Second)
		call(t, env, "GET", "/api/users/me", servertest.AdminKey, "").wantLimited(t, "6")
		env.Clock.Advance(6 * time.Second)
		call(t, env, "GET", "/api/users/me", servertest.AdminKey, "").want(t, 200, "")
		call(t, env, "GET", "/api/users/me", unknownKey, "").want(t, 401, "")
		call(t, env, "GET", "/api/users/me", servertest.AdminKey, "").wantLimited(t, "10")
		env.Clock.Advance(30 * time.Second)
		for i := 0; i < 3; i++ {
			call(t, env, "GET", "/api/users/me", unknownKey, "").want(t, 401, "")
		}
		call(t, env, "GET", "/api/users/me", unknownKey, "").wantLimited(t, "10")
	})

	t.Run("SuccessesCostNothing", func(t *testing.T) {
		env := limited(t)
		for i := 0; i < 50; i++ {
			call(t, env, "GET", "/api/users/me", servertest.AdminKey, "").want(t, 200, "")
		}
		// Requests without any credentials are not attempts.
		for i := 0; i < 10; i++ {
			call(t, env, "GET", "/api/users/me", "", "").want(t, 401, "")
		}
		for i := 0; i < 3; i++ {
			call(t, env, "GET", "/api/users/me", unknownKey, "").want(t, 401, "")
		}
		call(t, env, "GET", "/api/users/me", unknownKey, "").wantLimited(t, "10")
	})

	t.Run("EachKindOfFailureCounts", func(t *testing.T) {
		env := limited(t)
		user, key := env.CreateUser(t, "bob")
		call(t, env, "DELETE", "/api/users/"+user.ID+"/apikeys/APIKeys-2", servertest.AdminKey, "").want(t, 204, "")
		call(t, env, "GET", "/api/users/me", key, "").want(t, 401, "") // revoked
		call(t, env, "POST", "/api/users/login", "", `{"Username":"bob","Password":"not bob's password"}`).want(t, 401, "")
		call(t, env, "POST", "/api/users/register", "", registerBody("jane", goodPassword, "NOSUCHCODE")).want(t, 400, "")
		call(t, env, "GET", "/api/users/me", "", "", "Cookie", "OctopusIdentificationToken_"+env.DB.InstallationID()+"=forged").wantLimited(t, "10")
	})

	t.Run("BadSessionCounts", func(t *testing.T) {
		env := limited(t)
		for i := 0; i < 3; i++ {
			call(t, env, "GET", "/api/users/me", "", "", "Cookie", "OctopusIdentificationToken_"+env.DB.InstallationID()+"=forged").want(t, 401, "")
		}
		call(t, env, "GET", "/api/users/me", servertest.AdminKey, "").wantLimited(t, "10")
	})

	t.Run("WebPageCounts", func(t *testing.T) {
		env := limited(t)
		for i := 0; i < 3; i++ {
			r := call(t, env, "GET", "/app/register?invitation=NOSUCHCODE", "", "")
			if r.status != 404 {
				t.Fatalf("got status %d, want 404", r.status)
			}
		}
		call(t, env, "GET", "/app/register?invitation=NOSUCHCODE", "", "").wantLimited(t, "10")
		call(t, env, "POST", "/api/users/register", "", registerBody("jane", goodPassword, "NOSUCHCODE")).wantLimited(t, "10")
	})

	t.Run("ForwardedForIgnoredWithoutTrustedProxies", func(t *testing.T) {
		env := limited(t)
		for i := 0; i < 3; i++ {
			call(t, env, "GET", "/api/users/me", unknownKey, "", "X-Forwarded-For", "203.0.113.1").want(t, 401, "")
		}
		call(t, env, "GET", "/api/users/me", unknownKey, "", "X-Forwarded-For", "203.0.113.2").wantLimited(t, "10")
	})

	t.Run("ForwardedForFromTrustedProxy", func(t *testing.T) {
		env := limited(t, "127.0.0.0/8", "10.0.0.0/8")
		for i := 0; i < 3; i++ {
			call(t, env, "GET", "/api/users/me", unknownKey, "", "X-Forwarded-For", "203.0.113.1, 10.1.2.3").want(t, 401, "")
		}
		call(t, env, "GET", "/api/users/me", unknownKey, "", "X-Forwarded-For", "203.0.113.1").wantLimited(t, "10")
		// A client cannot escape by prepending addresses: the right-most untrusted hop counts.
		call(t, env, "GET", "/api/users/me", unknownKey, "", "X-Forwarded-For", "198.51.100.7, 203.0.113.1").wantLimited(t, "10")
		call(t, env, "GET", "/api/users/me", servertest.AdminKey, "", "X-Forwarded-For", "203.0.113.2", "User-Agent", "proxied").want(t, 200, "")
		call(t, env, "POST", "/api/users/invitations", servertest.AdminKey, `{"AddToTeamIds":["teams-everyone"]}`, "X-Forwarded-For", "203.0.113.2").want(t, 201, "")
		r := call(t, env, "GET", "/api/events?take=1", servertest.AdminKey, "", "X-Forwarded-For", "203.0.113.2")
		var page struct{ Items []struct{ IpAddress string } }
		r.decode(t, &page)
		if len(page.Items) != 1 || page.Items[0].IpAddress != "203.0.113.2" {
			t.Errorf("got events %+v, want the invitation's event from 203.0.113.2", page.Items)
		}
	})
}
