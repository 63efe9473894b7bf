package main

import (
	"net/http"
	"testing"
)

// TestServe_IPv6Prefix: IPv6 clients share a failure budget by the prefix that
// OCTOINVITE_IPV6_PREFIX sets, here a /48.
func TestServe_IPv6Prefix(t *testing.T) {
	env := map[string]string{"OCTOINVITE_IPV6_PREFIX": "48"}
	url, _, _ := startServe(t, []string{"--data", t.TempDir(), "--auth-failure-limit", "1", "--trusted-proxies", "127.0.0.1"},
		func(k string) string { return env[k] })
	for _, tt := range []struct {
		from string
		want int
	}{{"2001:db8:1:2::1", 401}, {"2001:db8:1:3::1", 429}, {"2001:db8:2::1", 401}} {
		req, _ := http.NewRequest("GET", url+"/api/users/me", nil)
		req.Header.Set("X-Octopus-ApiKey", "API-UNKNOWNKEY00000000000000")
		req.Header.Set("X-Forwarded-For", tt.from)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("an unknown key from %s: got %d, want %d", tt.from, resp.StatusCode, tt.want)
		}
	}
}
