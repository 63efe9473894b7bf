package octoinvite_test

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/octoinvite/octoinvite"
)

var keyPattern = regexp.MustCompile(`^API-[A-Z0-9]+$`)

// FuzzValidAPIKey checks that every key accepted has the form go-octopusdeploy requires.
func FuzzValidAPIKey(f *testing.F) {
	for _, s := range []string{"API-ABCDEFGHIJKLMNOPQRSTUVWXYZ1", "api-x", "API-", "API-ABCDEFGHIJKLMNOP\x00", "API-ÀBCDEFGHIJKLMNOPQR"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if octoinvite.ValidAPIKey(s) && (!keyPattern.MatchString(s) || len(s) > octoinvite.MaxAPIKeyLength) {
			t.Errorf("accepted %q", s)
		}
	})
}

var idForm = regexp.MustCompile(`^(Teams|Spaces|Users|Invitations)-[1-9][0-9]*$|^teams-(everyone|administrators)$`)

// FuzzParseID checks that parsing accepts only bounded IDs, answers them in canonical form, and
// that the canonical form parses to itself.
func FuzzParseID(f *testing.F) {
	for _, s := range []string{"Teams-1", "teams-everyone", "TEAMS-007", "Teams-0", "Spaces-1/../2", "Teams-99999999999999999999", "Teams-١"} {
		f.Add("Teams", s)
	}
	f.Add("Spaces", "spaces-12")
	for _, s := range []string{"Teams-123456789012345678", "Teams-1234567890123456789", "Teams-0001", "Te\u212ams-1", "Teams-", "-1", "Teamss-1", "Team-1"} {
		f.Add("Teams", s)
	}
	f.Fuzz(func(t *testing.T, kind, s string) {
		if kind != "Teams" && kind != "Spaces" && kind != "Users" && kind != "Invitations" {
			return
		}
		id, ok := octoinvite.ParseID(kind, s)
		if wantID, wantOK := parseIDByPattern(kind, s); id != wantID || ok != wantOK {
			t.Errorf("ParseID(%q, %q) = %q, %v; the pattern gives %q, %v", kind, s, id, ok, wantID, wantOK)
		}
		if !ok {
			return
		}
		if !idForm.MatchString(id) || len(id) > octoinvite.MaxIDLength {
			t.Errorf("ParseID(%q, %q) = %q", kind, s, id)
		}
		// The canonical form is the input itself, but for the case of its ASCII letters and the
		// leading zeros of its number.
		if asciiLower(id) != asciiLower(withoutLeadingZeros(s)) {
			t.Errorf("ParseID(%q, %q) = %q, which is not the input up to case and leading zeros", kind, s, id)
		}
		if again, ok := octoinvite.ParseID(kind, id); !ok || again != id {
			t.Errorf("the canonical %q parses to %q %v", id, again, ok)
		}
	})
}

// asciiLower is s with its ASCII letters in lower case; other characters, which no ID holds,
// are kept as they are (so that, unlike strings.EqualFold, it tells 'ſ' from 's').
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// withoutLeadingZeros is s with the zeros that start what follows its last hyphen removed.
func withoutLeadingZeros(s string) string {
	i := strings.LastIndexByte(s, '-')
	return s[:i+1] + strings.TrimLeft(s[i+1:], "0")
}

// FuzzTimeJSON checks that any date that decodes encodes in Octopus's format and decodes back
// to the same instant, to the millisecond.
func FuzzTimeJSON(f *testing.F) {
	for _, s := range []string{`"2026-11-28T10:00:00.000+00:00"`, `"0001-01-01T00:00:00.000+00:00"`, `"2026-11-28T10:00:00Z"`, `null`, `"9999-12-31T23:59:59.999-12:00"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var v octoinvite.Time
		if json.Unmarshal([]byte(s), &v) != nil {
			return
		}
		norm := octoinvite.NewTime(v.Time)
		b, err := json.Marshal(norm)
		if err != nil {
			return // years outside 0000-9999 cannot be written in RFC 3339
		}
		var back octoinvite.Time
		if err := json.Unmarshal(b, &back); err != nil || !back.Equal(norm.Time) {
			t.Errorf("%s → %s → %v %v", s, b, back, err)
		}
	})
}

// FuzzInvitationCode checks that a code accepted for lookup is bounded and made only of the
// base64url alphabet, and that every code the server generates, from any randomness, is accepted.
func FuzzInvitationCode(f *testing.F) {
	for _, s := range []string{"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", "abc-_XYZ", "", "code with spaces", "ÀÉÎ", "a\x00b", strings.Repeat("A", 65)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if octoinvite.ValidInvitationCode(s) && (len(s) > octoinvite.MaxIDLength || !codePattern.MatchString(s)) {
			t.Errorf("accepted %q", s)
		}
		random := []byte(strings.Repeat(s+"\x00", 64))
		code, err := octoinvite.NewInvitationCode(strings.NewReader(string(random)))
		if err != nil || !octoinvite.ValidInvitationCode(code) {
			t.Errorf("generated %q (%v), which is refused", code, err)
		}
	})
}

var codePattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// FuzzRegistrationValidate checks that validating any registration never panics, that a valid
// one has trimmed fields within their limits, and that validating twice agrees.
func FuzzRegistrationValidate(f *testing.F) {
	f.Add("jane", "Jane Doe", "jane@example.com", "correct horse battery", "AAECAwQF")
	f.Add(" jane ", "\t", "not an address", "short", "")
	f.Add("a\x00b", strings.Repeat("é", 65), "a@b", "aaaaaaaaaaaaaaa", "x")
	f.Add("jane", "Jane", "", "JANE", "code")
	f.Fuzz(func(t *testing.T, username, displayName, email, password, code string) {
		reg := octoinvite.Registration{Username: username, DisplayName: displayName, EmailAddress: email, Password: password, InvitationCode: code}
		err := reg.Validate()
		again := reg
		if err2 := again.Validate(); (err == nil) != (err2 == nil) {
			t.Errorf("Validate disagrees with itself: %v then %v", err, err2)
		}
		if err != nil {
			if octoinvite.ErrorCode(err) != octoinvite.EINVALID {
				t.Errorf("got %v, want EINVALID", err)
			}
			return
		}
		if reg.Username != strings.TrimSpace(reg.Username) || reg.Username == "" || len([]rune(reg.Username)) > octoinvite.MaxUsernameLength ||
			len([]rune(reg.Password)) < octoinvite.MinPasswordLength || reg.InvitationCode == "" {
			t.Errorf("accepted %+v", reg)
		}
	})
}

// idPattern is the form of an ID that ParseID reads by hand, for parseIDByPattern.
var idPattern = regexp.MustCompile(`^([A-Za-z]+)-([0-9]{1,18})$`)

// parseIDByPattern is ParseID written with a regular expression: what ParseID must answer.
func parseIDByPattern(kind, s string) (string, bool) {
	if len(s) == 0 || len(s) > octoinvite.MaxIDLength {
		return "", false
	}
	if kind == octoinvite.KindTeam {
		switch strings.ToLower(s) {
		case octoinvite.EveryoneTeamID, octoinvite.AdministratorsTeamID:
			return strings.ToLower(s), true
		}
	}
	m := idPattern.FindStringSubmatch(s)
	if m == nil || !strings.EqualFold(m[1], kind) {
		return "", false
	}
	n, err := strconv.ParseInt(m[2], 10, 64)
	if err != nil || n <= 0 {
		return "", false
	}
	return octoinvite.FormatID(kind, n), true
}

// FuzzFoldName checks that a name's folded form is valid UTF-8 without control characters
// other than spaces, has no leading, trailing or doubled space, and folds to itself, so that a
// key compares as the name it came from.
func FuzzFoldName(f *testing.F) {
	for _, s := range []string{"Équipe", "E\u0301QUIPE", "ＯＰＳ", "Straße", "ﬁ\u200bnance", "Dev \u00a0 Team", "\u0345\u03b9", "ǅ", "\u1e9e", "¨a", "\u3164x", "a\u034f\u0301", "\xff\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		key := octoinvite.FoldName(s)
		if !utf8.ValidString(key) || strings.ContainsFunc(key, func(r rune) bool { return unicode.IsControl(r) }) ||
			strings.HasPrefix(key, " ") || strings.HasSuffix(key, " ") || strings.Contains(key, "  ") {
			t.Errorf("FoldName(%+q) = %+q", s, key)
		}
		if again := octoinvite.FoldName(key); again != key {
			t.Errorf("FoldName(%+q) = %+q, which folds to %+q", s, key, again)
		}
	})
}
