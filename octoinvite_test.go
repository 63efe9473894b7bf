package octoinvite_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite"
)

func TestParseID(t *testing.T) {
	tests := []struct {
		kind, in, want string
		ok             bool
	}{
		{"Teams", "Teams-3", "Teams-3", true},
		{"Teams", "teams-3", "Teams-3", true},
		{"Teams", "TEAMS-03", "Teams-3", true},
		{"Teams", "teams-everyone", "teams-everyone", true},
		{"Teams", "Teams-Administrators", "teams-administrators", true},
		{"Spaces", "teams-everyone", "", false},
		{"Teams", "Spaces-1", "", false},
		{"Teams", "Teams-0", "", false},
		{"Teams", "Teams--1", "", false},
		{"Teams", "Teams-1 ", "", false},
		{"Teams", "Teams-1/../2", "", false},
		{"Teams", "Teams-99999999999999999999", "", false},
		{"Teams", "Teams-" + strings.Repeat("1", 70), "", false},
		{"Teams", "", "", false},
		{"Invitations", "Invitations-12", "Invitations-12", true},
	}
	for _, tt := range tests {
		t.Run(tt.kind+"/"+tt.in, func(t *testing.T) {
			got, ok := octoinvite.ParseID(tt.kind, tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("got %q %v, want %q %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestParseDocumentID(t *testing.T) {
	for in, want := range map[string]string{
		"spaces-1": "Spaces-1", "TEAMS-EVERYONE": "teams-everyone", "users-02": "Users-2", "Users-System": "users-system",
		"invitations-3": "Invitations-3", "apikeys-4": "APIKeys-4", "EVENTS-5": "Events-5",
		"Projects-1": "", "users-": "", "bogus": "", "": "",
	} {
		if got, ok := octoinvite.ParseDocumentID(in); got != want || ok != (want != "") {
			t.Errorf("ParseDocumentID(%q) = %q, %v; want %q, %v", in, got, ok, want, want != "")
		}
	}
}

func TestTime_JSON(t *testing.T) {
	at := octoinvite.NewTime(time.Date(2026, 11, 28, 10, 0, 0, 123999999, time.FixedZone("CET", 3600)))
	b, err := json.Marshal(at)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `"2026-11-28T09:00:00.123+00:00"`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	for _, in := range []string{`"2026-11-28T09:00:00.123+00:00"`, `"2026-11-28T10:00:00.123+01:00"`, `"2026-11-28T09:00:00.123Z"`} {
		var got octoinvite.Time
		if err := json.Unmarshal([]byte(in), &got); err != nil || !got.Equal(at.Time) {
			t.Errorf("decoding %s: got %v %v, want %v", in, got, err, at)
		}
	}
	var zero octoinvite.Time
	if err := json.Unmarshal([]byte(`"0001-01-01T00:00:00.000+00:00"`), &zero); err != nil || !zero.IsZero() {
		t.Errorf("Octopus.Client's zero date: got %v %v, want the zero time", zero, err)
	}
	for _, in := range []string{`"tomorrow"`, `12`, `"2026-11-28"`} {
		var got octoinvite.Time
		if err := json.Unmarshal([]byte(in), &got); err == nil {
			t.Errorf("decoding %s: got %v, want an error", in, got)
		}
	}
}

func TestNewAPIKey(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		key, err := octoinvite.NewAPIKey(strings.NewReader(strings.Repeat(string(rune(i%250)), 200) + strings.Repeat("\xff\x01", 100)))
		if err != nil {
			t.Fatal(err)
		}
		if !octoinvite.ValidAPIKey(key) || len(key) != 31 {
			t.Fatalf("got %q, want API- and 27 upper-case letters and digits", key)
		}
		seen[key] = true
	}
	// Bytes from 252 up would bias the draw: they are skipped, not folded.
	key, err := octoinvite.NewAPIKey(bytes.NewReader(append(bytes.Repeat([]byte{255}, 64), bytes.Repeat([]byte{1}, 64)...)))
	if err != nil || key != "API-"+strings.Repeat("B", 27) {
		t.Errorf("got %q %v, want only the unbiased bytes used", key, err)
	}
	if _, err := octoinvite.NewAPIKey(strings.NewReader("short")); err == nil {
		t.Error("got a key from an exhausted source, want an error")
	}
}

func TestValidAPIKey(t *testing.T) {
	tests := map[string]bool{
		"API-ABCDEFGHIJKLMNOPQRSTUVWXYZ1":      true,
		"API-ABCDEFGHIJKLMNOP":                 true,
		"API-ABCDEFGHIJKLMNO":                  false, // too short
		"api-ABCDEFGHIJKLMNOPQRSTUVWXYZ1":      false,
		"API-abcdefghijklmnopqrstuvwxyz1":      false,
		"API-ABCDEFGHIJKLMNOPQRSTUVWXY Z":      false,
		"API-ABCDEFGHIJKLMNOPQRSTUVWXYZ\u00c9": false,
		"API-" + strings.Repeat("A", 61):       false, // too long
		"":                                     false,
	}
	for key, want := range tests {
		if got := octoinvite.ValidAPIKey(key); got != want {
			t.Errorf("ValidAPIKey(%q): got %v, want %v", key, got, want)
		}
	}
}

func TestNormalizeTeamIDs(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want string
		err  string
	}{
		{"OK_Empty", []string{}, "[]", ""},
		{"OK_Duplicates", []string{"teams-2", "Teams-2", "TEAMS-EVERYONE", "teams-everyone", "Teams-1"}, "[Teams-2 teams-everyone Teams-1]", ""},
		{"ErrNil", nil, "", "Please specify which teams the user will be invited to join."},
		{"ErrMalformed", []string{"Teams-1", "Developers", ""}, "", "The team 'Developers' does not exist. The team '' does not exist."},
		{"ErrTooMany", manyTeams(101), "", "An invitation can add a user to at most 100 teams."},
		{"OK_ManyDuplicates", append(manyTeams(100), manyTeams(100)...), "100 teams", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := &octoinvite.Invitation{AddToTeamIDs: tt.in}
			err := inv.NormalizeTeamIDs()
			if tt.err != "" {
				if got := strings.Join(octoinvite.ErrorDetails(err), " "); got != tt.err || octoinvite.ErrorCode(err) != octoinvite.EINVALID {
					t.Errorf("got %v, want EINVALID %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := fmt.Sprint(inv.AddToTeamIDs)
			if tt.want == "100 teams" {
				got = fmt.Sprintf("%d teams", len(inv.AddToTeamIDs))
			}
			if got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func manyTeams(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = octoinvite.FormatID(octoinvite.KindTeam, int64(i+1))
	}
	return out
}

func TestErrorStatusTable(t *testing.T) {
	for _, code := range []string{octoinvite.EINVALID, octoinvite.EUNAUTHORIZED, octoinvite.EFORBIDDEN, octoinvite.ENOTFOUND,
		octoinvite.ENOTALLOWED, octoinvite.ECONFLICT, octoinvite.ETOOLARGE, octoinvite.EUNSUPPORTED, octoinvite.ETOOMANYREQUESTS,
		octoinvite.EINTERNAL, octoinvite.EUNAVAILABLE} {
		if got := octoinvite.CodeForHTTPStatus(octoinvite.HTTPStatus(code)); got != code {
			t.Errorf("%s → %d → %s, want the round trip to hold", code, octoinvite.HTTPStatus(code), got)
		}
	}
	if got := octoinvite.CodeForHTTPStatus(418); got != octoinvite.EINVALID {
		t.Errorf("418: got %s, want invalid", got)
	}
	if got := octoinvite.ErrorCode(fmt.Errorf("wrapped: %w", octoinvite.NotFound("Teams-1"))); got != octoinvite.ENOTFOUND {
		t.Errorf("a wrapped error: got %s, want not_found", got)
	}
	if got := octoinvite.ErrorMessage(fmt.Errorf("disk on fire")); got != octoinvite.ProblemMessage {
		t.Errorf("an internal error's message: got %q, want the generic one", got)
	}
}

func TestSlugifyAndTruncate(t *testing.T) {
	for in, want := range map[string]string{"Open Source": "open-source", "  R&D -- 2026 ": "r-d-2026", "Ünïcode": "ünïcode"} {
		if got := octoinvite.Slugify(in); got != want {
			t.Errorf("Slugify(%q): got %q, want %q", in, got, want)
		}
	}
	if got := octoinvite.Truncate("héllo", 2); got != "h…" {
		t.Errorf("Truncate cut inside a rune: got %q", got)
	}
}
