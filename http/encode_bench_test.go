package http

import (
	"net/http"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite"
)

// discard is a ResponseWriter that keeps nothing, so that the benchmark measures the encoding.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

func BenchmarkEncodeInvitation(b *testing.B) {
	space := "Spaces-1"
	inv := &octoinvite.Invitation{
		ID: "Invitations-123456", AddToTeamIDs: []string{"teams-everyone", "Teams-42"},
		InvitationCode: "SNUR8UNvuwq2Ue0zKXNbVqZHPmbSN7sFwL1pRhBWPIcNeBiIa8", SpaceID: &space,
		Expires:        octoinvite.NewTime(time.Date(2026, 12, 26, 10, 0, 0, 0, time.UTC)),
		LastModifiedOn: octoinvite.NewTime(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)),
		LastModifiedBy: "admin",
	}
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		writeJSON(w, http.StatusOK, linkInvitation(inv, "http://127.0.0.1:8080"))
	}
}
