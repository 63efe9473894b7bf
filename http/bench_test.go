package http_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/internal/servertest"
)

// BenchmarkGetInvitation measures a GET of an invitation through the whole handler (routing,
// key check, load, encoding, log line) without the network.
func BenchmarkGetInvitation(b *testing.B) {
	const n = 1000
	env := servertest.Start(b)
	space := "Spaces-1"
	if err := env.DB.SeedInvitations(b.Context(), n, octoinvite.Invitation{
		SpaceID: &space, AddToTeamIDs: []string{octoinvite.EveryoneTeamID}, LastModifiedBy: "admin",
	}); err != nil {
		b.Fatalf("SeedInvitations: %v", err)
	}
	handler := env.API.Handler()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := httptest.NewRequest(http.MethodGet, fmt.Sprintf("/api/Spaces-1/users/invitations/Invitations-%d", 1+rand.IntN(n)), nil)
			r.Header.Set("X-Octopus-ApiKey", servertest.AdminKey)
			w := httptest.NewRecorder()
			handler.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				b.Fatalf("got %d, want 200: %s", w.Code, w.Body)
			}
		}
	})
}

// BenchmarkCreateInvitation measures a POST of an invitation through the whole handler, with
// its durable commit.
func BenchmarkCreateInvitation(b *testing.B) {
	env := servertest.Start(b)
	handler := env.API.Handler()
	b.ReportAllocs()
	b.SetParallelism(16)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := httptest.NewRequest(http.MethodPost, "/api/Spaces-1/users/invitations",
				strings.NewReader(`{"AddToTeamIds":["teams-everyone"]}`))
			r.Header.Set("X-Octopus-ApiKey", servertest.AdminKey)
			r.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			handler.ServeHTTP(w, r)
			if w.Code != http.StatusCreated {
				b.Fatalf("got %d, want 201: %s", w.Code, w.Body)
			}
		}
	})
}
