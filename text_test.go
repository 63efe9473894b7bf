package octoinvite_test

import (
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/octoinvite/octoinvite"
)

func TestFoldUsername(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Admin", "admin"},
		{"ａｄｍｉｎ", "admin"},                     // fullwidth
		{"ＡＤＭＩＮ", "admin"},                     // fullwidth capitals
		{" admin ", "admin"},                   // trimmed
		{"E\u0301mile", "\u00e9mile"},          // decomposed é, composed (NFC)
		{"\u00c9MILE", "\u00e9mile"},           // capital É, beyond ASCII
		{"Jane Doe", "jane doe"},               // userparts
		{"DOMAIN\\Jane", "domain\\jane"},       // ASCII punctuation is kept
		{"ΣΊΣΥΦΟΣ", "σίσυφοσ"},                 // lower case without final sigma, as RFC 8265 asks
		{"bob\u200b", "bob\u200b"},             // refused by the profile: folded leniently
		{"ﬁle", "file"},                        // a ligature, refused by the profile: NFKC
		{"a\xffb", "a\ufffdb"},                 // invalid UTF-8, replaced
		{"Jane  Doe", "jane  doe"},             // two spaces: refused by the profile, folded leniently
		{"\u0391\u0301\u03b8", "\u03ac\u03b8"}, // combining mark composed after lower-casing
	}
	for _, tt := range tests {
		if got := octoinvite.FoldUsername(tt.in); got != tt.want {
			t.Errorf("FoldUsername(%+q) = %+q, want %+q", tt.in, got, tt.want)
		}
	}
}

func TestSignInKey(t *testing.T) {
	for _, in := range []string{"", "  ", "ad\x00min", "admin\x1b", "\xff", strings.Repeat("a", octoinvite.MaxUsernameBytes+1)} {
		if key, ok := octoinvite.SignInKey(in); ok {
			t.Errorf("SignInKey(%+q) = %+q, true; want false: no user can hold it", in, key)
		}
	}
	if key, ok := octoinvite.SignInKey(" ＡＤＭＩＮ "); !ok || key != "admin" {
		t.Errorf(`SignInKey(" ＡＤＭＩＮ ") = %q, %v; want "admin", true`, key, ok)
	}
}

// registration returns a valid registration changed by mod.
func registration(mod func(*octoinvite.Registration)) *octoinvite.Registration {
	reg := &octoinvite.Registration{Username: "jane", DisplayName: "Jane Doe", EmailAddress: "jane@example.com",
		Password: "correct horse battery", InvitationCode: "code"}
	mod(reg)
	return reg
}

// wantProblems fails unless err is EINVALID with exactly these problems.
func wantProblems(t *testing.T, err error, want ...octoinvite.Problem) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Errorf("got %v, want no error", err)
		}
		return
	}
	if octoinvite.ErrorCode(err) != octoinvite.EINVALID {
		t.Fatalf("got %v, want EINVALID", err)
	}
	if got := octoinvite.ErrorProblems(err); !reflect.DeepEqual(got, want) {
		t.Errorf("got problems %q, want %q", got, want)
	}
}

func TestRegistrationValidate_usernames(t *testing.T) {
	chars := octoinvite.Problem{Field: "Username", Message: octoinvite.MsgUsernameCharacters}
	scripts := octoinvite.Problem{Field: "Username", Message: octoinvite.MsgUsernameScripts}
	tests := []struct {
		name, username, stored string
		want                   []octoinvite.Problem
	}{
		{"OK", "jane", "jane", nil},
		{"OKCaseKept", "Jane", "Jane", nil},
		{"OKUserparts", "Jane Doe", "Jane Doe", nil},
		{"OKEmailLike", "jane.doe+ops@example.com", "jane.doe+ops@example.com", nil},
		{"OKDomainStyle", `CORP\jane`, `CORP\jane`, nil},
		{"OKFullwidthStoredNarrow", "ｊａｎｅ", "jane", nil},
		{"OKDecomposedStoredComposed", "Jo\u0308rg", "J\u00f6rg", nil},
		{"OKLatinWithDiacritics", "Jürgen", "Jürgen", nil},
		{"OKCyrillic", "Дмитрий", "Дмитрий", nil},
		{"OKGreek", "Ελένη", "Ελένη", nil},
		{"OKLatinAndHan", "田中taro", "田中taro", nil},
		{"OKHanAndKana", "やまだ太郎", "やまだ太郎", nil},
		{"OKDigitsWithCyrillic", "дима2026", "дима2026", nil},
		{"ErrZeroWidthSpace", "admin\u200b", "", []octoinvite.Problem{chars}},
		{"ErrZeroWidthJoiner", "ad\u200dmin", "", []octoinvite.Problem{chars}},
		{"ErrWordJoiner", "ad\u2060min", "", []octoinvite.Problem{chars}},
		{"ErrBidiOverride", "admin\u202e", "", []octoinvite.Problem{chars}},
		{"ErrBidiIsolate", "\u2067admin", "", []octoinvite.Problem{chars}},
		{"ErrRightToLeftMark", "admin\u200f", "", []octoinvite.Problem{chars}},
		{"ErrSoftHyphen", "ad\u00admin", "", []octoinvite.Problem{chars}},
		{"ErrByteOrderMark", "\ufeffadmin", "", []octoinvite.Problem{chars}},
		{"ErrControl", "ad\x00min", "", []octoinvite.Problem{chars}},
		{"ErrInvalidUTF8", "ad\xffmin", "", []octoinvite.Problem{chars}},
		{"ErrTwoSpaces", "Jane  Doe", "", []octoinvite.Problem{chars}},
		{"ErrIdeographicSpace", "Jane\u3000Doe", "", []octoinvite.Problem{chars}},
		{"ErrLigature", "ﬁle", "", []octoinvite.Problem{chars}},
		{"ErrHangulFiller", "\u3164", "", []octoinvite.Problem{chars}},
		{"ErrLatinWithCyrillicE", "alic\u0435", "", []octoinvite.Problem{scripts}},
		{"ErrLatinWithGreekOmicron", "r\u03bfot", "", []octoinvite.Problem{scripts}},
		{"ErrCyrillicWithGreek", "д\u03b1", "", []octoinvite.Problem{scripts}},
		{"ErrTooLong", strings.Repeat("é", 65), "", []octoinvite.Problem{{Field: "Username", Message: octoinvite.MsgUsernameTooLong}}},
		{"ErrBlank", " \t ", "", []octoinvite.Problem{{Field: "Username", Message: octoinvite.MsgUsernameRequired}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := registration(func(r *octoinvite.Registration) { r.Username = tt.username })
			err := reg.Validate()
			wantProblems(t, err, tt.want...)
			if err == nil && reg.Username != tt.stored {
				t.Errorf("stored username %+q, want %+q", reg.Username, tt.stored)
			}
		})
	}
}

func TestRegistrationValidate_displayNames(t *testing.T) {
	tests := []struct {
		name, displayName string
		want              string
	}{
		{"OK", "Jane Doe", ""},
		{"OKEmojiSequence", "Jane 👩\u200d💻", ""},
		{"OKPersianWithZWNJ", "می\u200cخواهم", ""},
		{"ErrNUL", "Jane\x00", "The display name (DisplayName) may not contain control characters."},
		{"ErrEscape", "Jane\x1b[2J", "The display name (DisplayName) may not contain control characters."},
		{"ErrNewline", "Jane\nDoe", "The display name (DisplayName) may not contain control characters."},
		{"ErrBidiOverride", "Jane\u202eeoD", "The display name (DisplayName) may not contain control characters."},
		{"ErrLineSeparator", "Jane\u2028Doe", "The display name (DisplayName) may not contain control characters."},
		{"ErrInvalidUTF8", "Jane\xff", "The display name (DisplayName) must be valid UTF-8 text."},
		{"ErrInvisibleOnly", "\u200b\u200c\u2060\u00ad\ufeff", "Please provide a display name (DisplayName)."},
		{"ErrHangulFillerOnly", "\u3164\u3164", "Please provide a display name (DisplayName)."},
		{"ErrTooLong", strings.Repeat("ü", 65), "The display name (DisplayName) must be at most 64 characters long."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := registration(func(r *octoinvite.Registration) { r.DisplayName = tt.displayName }).Validate()
			if tt.want == "" {
				wantProblems(t, err)
			} else {
				wantProblems(t, err, octoinvite.Problem{Field: "DisplayName", Message: tt.want})
			}
		})
	}
}

func TestRegistrationValidate_passwords(t *testing.T) {
	tests := []struct {
		name, password string
		want           string
		mod            func(*octoinvite.Registration)
	}{
		{"OK", "correct horse battery", "", nil},
		{"OKAnyScript", "日本語のパスワードですよ", "", nil},
		{"OKHoldsTheUsername", "jane likes long walks", "", nil},
		{"OKHoldsTheServerName", "my octoinvite passphrase is long", "", nil},
		{"OKShortRunsInside", "aaa-correct-horse", "", nil},
		{"ErrRepeatedPair", "121212121212", octoinvite.MsgPasswordPattern, nil},
		{"ErrOneDifferent", "aaaaaaaaaaab", octoinvite.MsgPasswordPattern, nil},
		{"ErrAlphabetCommon", "abcdefghijkl", octoinvite.MsgPasswordCommon, nil},
		{"ErrAlphabet", "bcdefghijklm", octoinvite.MsgPasswordPattern, nil},
		{"ErrDigitsCommon", "123456789012", octoinvite.MsgPasswordCommon, nil},
		{"ErrDigitsRoundTheRing", "345678901234", octoinvite.MsgPasswordPattern, nil},
		{"ErrDescending", "987654321098", octoinvite.MsgPasswordPattern, nil},
		{"ErrKeyboardRows", "wertyuiopasd", octoinvite.MsgPasswordPattern, nil},
		{"ErrRepeatedWord", "abcabcabcabc", octoinvite.MsgPasswordPattern, nil},
		{"ErrRunsOfFour", "aaaa1111bbbb", octoinvite.MsgPasswordPattern, nil},
		{"ErrSingleCharacter", "zzzzzzzzzzzzzz", octoinvite.MsgPasswordPattern, nil},
		{"ErrUsername", "JANE-the-first", octoinvite.MsgPasswordIsName, func(r *octoinvite.Registration) { r.Username = "jane-the-first" }},
		{"ErrUsernameRepeated", "janejanejane", octoinvite.MsgPasswordIsName, nil},
		{"ErrUsernameWithDigits", "jane12345678", octoinvite.MsgPasswordIsName, nil},
		{"ErrDisplayNameParts", "DoeJane!2026", octoinvite.MsgPasswordIsName, nil},
		{"ErrEmailAddress", "jane@example.com", octoinvite.MsgPasswordIsName, nil},
		{"ErrServerName", "octoinvite2026!", octoinvite.MsgPasswordContext, nil},
		{"ErrServerNameRepeated", "OctopusOctopus", octoinvite.MsgPasswordContext, nil},
		{"ErrConfiguredServerName", "acme-portal-2026", octoinvite.MsgPasswordContext, func(r *octoinvite.Registration) { r.ServerNames = []string{"ACME Portal", "acme-portal"} }},
		{"ErrZeroWidthOnly", strings.Repeat("\u200b", 12), octoinvite.MsgPasswordCharacters, nil},
		{"ErrZeroWidthPadding", "abc" + strings.Repeat("\u200b", 9), octoinvite.MsgPasswordCharacters, nil},
		{"ErrBidiControl", "correct horse\u202ebattery", octoinvite.MsgPasswordCharacters, nil},
		{"ErrNUL", "correct horse\x00battery", octoinvite.MsgPasswordCharacters, nil},
		{"ErrSoftHyphens", "correct\u00adhorse\u00adbattery", octoinvite.MsgPasswordCharacters, nil},
		{"ErrCommon", "Password1234", octoinvite.MsgPasswordCommon, nil},
		// Lengths count the characters of the prepared (NFC) form: 11 accented letters typed
		// as 22 code points are 11 characters.
		{"ErrShortDecomposed", strings.Repeat("e\u0301", 5) + strings.Repeat("a\u0300", 6), octoinvite.MsgPasswordTooShort, nil},
		{"OKLongDecomposed", norm.NFD.String(string([]rune(strings.Repeat("déjà vu à la carte, crème brûlée, pâté, façade, naïveté, élève, rôle, Noël, hôtel, forêt, île, ", 2))[:128])), "", nil},
		{"OKNoBreakSpaces", "correct\u00a0horse\u3000battery", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := registration(func(r *octoinvite.Registration) {
				r.Password = tt.password
				if tt.mod != nil {
					tt.mod(r)
				}
			})
			if err := reg.Validate(); tt.want == "" {
				wantProblems(t, err)
			} else {
				wantProblems(t, err, octoinvite.Problem{Field: "Password", Message: tt.want})
			}
		})
	}
}

func TestTextFieldCheck(t *testing.T) {
	name, description := octoinvite.TeamNameField, octoinvite.TeamDescriptionField
	tests := []struct {
		name  string
		field octoinvite.TextField
		in    string
		out   string
		want  string
	}{
		{"OKTrimmed", name, "  Developers ", "Developers", ""},
		{"OKDescriptionLines", description, "Line one\r\n\tLine two\n", "Line one\r\n\tLine two\n", ""},
		{"OKDescriptionBidiText", description, "\u202bعربي\u202c", "\u202bعربي\u202c", ""},
		{"ErrDescriptionNUL", description, "a\x00b", "", "The team description (Description) may not contain control characters."},
		{"ErrDescriptionInvalidUTF8", description, "a\xc3(", "", "The team description (Description) must be valid UTF-8 text."},
		{"ErrNameTab", name, "Dev\tOps", "", "The team name (Name) may not contain control characters."},
		{"ErrNameC1", name, "Dev\u009bOps", "", "The team name (Name) may not contain control characters."},
		{"ErrNameEmpty", name, " ", "", "Please provide a name for the team (Name)."},
		{"ErrNameTooLongInCharacters", name, strings.Repeat("é", 201), "", "The team name (Name) must be at most 200 characters long."},
		{"OKNameLongInBytes", name, strings.Repeat("é", 200), strings.Repeat("é", 200), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, p := tt.field.Check(tt.in)
			switch {
			case tt.want == "" && p != nil:
				t.Errorf("got problem %q, want none", p.Message)
			case tt.want == "" && out != tt.out:
				t.Errorf("got %+q, want %+q", out, tt.out)
			case tt.want != "" && (p == nil || p.Message != tt.want || p.Field != tt.field.Name):
				t.Errorf("got problem %+v, want %q on %s", p, tt.want, tt.field.Name)
			}
		})
	}
}

func TestCheckParameter(t *testing.T) {
	if p := octoinvite.CheckParameter("partialName", "Dév ops"); p != nil {
		t.Errorf("got %q, want no problem", p.Message)
	}
	for _, v := range []string{"a\x00", "\xff", "a\x1b[1m"} {
		p := octoinvite.CheckParameter("partialName", v)
		if p == nil || p.Message != "The parameter 'partialName' must be text without control characters." || p.Field != "partialName" {
			t.Errorf("CheckParameter(%+q) = %+v, want the partialName problem", v, p)
		}
	}
}

func TestCleanText(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"curl/8.5.0", 512, "curl/8.5.0"},
		{"bad\xff\xfeagent", 512, "bad\ufffdagent"},
		{"tab\there\x00", 512, "tab\ufffdhere\ufffd"},
		{"\x1b]0;title\x07", 512, "\ufffd]0;title\ufffd"},
		{strings.Repeat("é", 300), 512, strings.Repeat("é", 256) + "…"},
	}
	for _, tt := range tests {
		if got := octoinvite.CleanText(tt.in, tt.n); got != tt.want {
			t.Errorf("CleanText(%+q) = %+q, want %+q", tt.in, got, tt.want)
		}
	}
}

func TestFoldName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Équipe", "équipe"},
		{"ÉQUIPE", "équipe"},
		{"E\u0301quipe", "équipe"},     // decomposed
		{"ＥＱＵＩＰＥ", "equipe"},           // fullwidth
		{"Ｅ\u0301ｑｕｉｐｅ", "équipe"},     // fullwidth, decomposed
		{"Straße", "strasse"},          // full case folding, not lower case
		{"ΣΑΣ", "σασ"},                 // final sigma folds as sigma
		{"σας", "σασ"},                 // ...
		{"ﬁnance", "finance"},          // ligature
		{"Team²", "team2"},             // superscript
		{"Dev\u200bTeam", "devteam"},   // zero-width space
		{"soft\u00adware", "software"}, // soft hyphen
		{"Dev  Team", "dev team"},      // two spaces
		{"Dev\u00a0Team", "dev team"},  // no-break space
		{"Dev\u3000Team", "dev team"},  // ideographic space
		{" Dev Team ", "dev team"},     // surrounding space
		{"Ops\x07", "ops\ufffd"},       // a control character
		{"Ops\xff", "ops\ufffd"},       // invalid UTF-8
		{"Octopus Administrators", "octopus administrators"},
		{"Développeurs", "développeurs"},
		{"開発チーム", "開発チーム"},
		{"ｶﾀｶﾅ", "カタカナ"}, // halfwidth katakana
		{"\u200b", ""},
	}
	for _, tt := range tests {
		if got := octoinvite.FoldName(tt.in); got != tt.want {
			t.Errorf("FoldName(%+q) = %+q, want %+q", tt.in, got, tt.want)
		}
		if got := octoinvite.FoldName(tt.want); got != tt.want {
			t.Errorf("FoldName(%+q) = %+q: a key must fold to itself", tt.want, got)
		}
	}
}
