package http

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite"
)

// encodingJSON is what writeJSON wrote for v before appendInvitation: encoding/json without
// HTML escaping.
func encodingJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func TestAppendInvitationMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	at := func(days int) octoinvite.Time {
		return octoinvite.NewTime(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC).AddDate(0, 0, days))
	}
	redeemedOn, revokedOn := at(1), at(2)
	space, redeemedBy, revokedBy := "Spaces-1", "Users-2", "alice <a&b>"
	full := &octoinvite.Invitation{
		ID: "Invitations-1", AddToTeamIDs: []string{"teams-everyone", "Teams-2"}, InvitationCode: "code\"\\\n\t\x01\u2028\u2029\xffé",
		Expires: at(3), SpaceID: &space, LastModifiedOn: at(0), LastModifiedBy: "admin", RedeemedOn: &redeemedOn,
		RedeemedBy: &redeemedBy, State: octoinvite.StateRevoked, MaxUses: 3, Uses: 1, RevokedOn: &revokedOn, RevokedBy: &revokedBy,
		EmailAddress: "jane+<x>@example.com", Delivery: &octoinvite.Delivery{State: octoinvite.DeliveryQueued, Attempts: 2,
			SentOn: &redeemedOn, LastAttemptOn: &revokedOn, NextAttemptOn: &revokedOn, LastError: "451 4.7.1 <try> \"later\"\n", MessageID: "messages-1.x@example.com"},
		Links: octoinvite.Links{"Self": "/api/Spaces-1/users/invitations/Invitations-1?a=1&b=<2>", "Alpha": "/a"},
	}
	// A field added to Invitation must be added to appendInvitation: the full case sets them all.
	for i, v := 0, reflect.ValueOf(*full); i < v.NumField(); i++ {
		if v.Field(i).IsZero() {
			t.Fatalf("the full invitation leaves %s unset", v.Type().Field(i).Name)
		}
	}
	tests := []struct {
		name string
		inv  *octoinvite.Invitation
	}{
		{"Full", full},
		{"Pending", &octoinvite.Invitation{ID: "Invitations-2", AddToTeamIDs: []string{}, InvitationCode: "abc", Expires: at(2),
			LastModifiedOn: at(0), LastModifiedBy: "admin", State: octoinvite.StatePending, MaxUses: 1,
			Links: octoinvite.Links{"Self": "/api/users/invitations/Invitations-2"}}},
		{"Zero", &octoinvite.Invitation{}},
		{"ZeroDelivery", &octoinvite.Invitation{Delivery: &octoinvite.Delivery{}}},
		{"YearOutOfRange", &octoinvite.Invitation{Expires: octoinvite.NewTime(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, wantErr := encodingJSON(tt.inv)
			got, err := appendInvitation(nil, tt.inv)
			if (err != nil) != (wantErr != nil) || !bytes.Equal(got, want) {
				t.Errorf("got %s, %v\nwant %s, %v", got, err, want, wantErr)
			}
		})
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", "<&>", "\"\\/", "\b\f\n\r\t\x00\x1f\x7f", "\u2028\u2029", "\xff\xfe", "é€😀", "a\xc3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := encodingJSON(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
	})
}
