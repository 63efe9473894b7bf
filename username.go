package octoinvite

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
	"golang.org/x/text/secure/precis"
	"golang.org/x/text/unicode/norm"
)

// Usernames follow RFC 8265 (PRECIS): a username is one or more userparts separated by single
// spaces, and each userpart passes the UsernameCaseMapped profile, which maps fullwidth and
// halfwidth forms to their usual width, maps to lower case, normalises to NFC, and refuses
// control, format (zero-width, bidirectional control, soft hyphen), space and most symbol
// characters. Two usernames belong to one user when their folded forms (FoldUsername) are
// equal; the stores keep the folded form in a unique column, so that the comparison is the
// same on every database.

// FoldUsername returns the form in which usernames are compared: the UsernameCaseMapped form of
// each userpart, for a username that the profile accepts. It never fails, so that sign-ins and
// their throttle have a key for any input: a username the profile refuses (one registered
// before the profile applied, or one typed at sign-in) is folded leniently instead (invalid
// UTF-8 replaced, NFKC, lower case, NFC), so that a name typed with a ligature or another
// compatibility character still finds its user.
func FoldUsername(username string) string {
	username = strings.TrimSpace(username)
	if folded, ok := foldUserparts(username, precis.UsernameCaseMapped); ok {
		return folded
	}
	s := norm.NFKC.String(strings.ToValidUTF8(username, "\ufffd"))
	return norm.NFC.String(cases.Lower(language.Und).String(s))
}

// foldUserparts applies the profile to each space-separated userpart of s and joins the
// results with single spaces. ok is false when s is empty, a userpart is empty (two spaces in
// a row) or the profile refuses a userpart.
func foldUserparts(s string, profile *precis.Profile) (string, bool) {
	parts := strings.Split(s, " ")
	for i, part := range parts {
		out, err := profile.String(part)
		if err != nil || part == "" || out == "" {
			return "", false
		}
		parts[i] = out
	}
	return strings.Join(parts, " "), true
}

// checkUsername returns the username as it is to be stored (trimmed, in its usual width and
// NFC, its case kept) and the message of the rule it breaks, or "".
func checkUsername(username string) (string, string) {
	username = strings.TrimSpace(username)
	switch {
	case username == "":
		return username, MsgUsernameRequired
	case utf8.RuneCountInString(username) > MaxUsernameLength:
		return username, MsgUsernameTooLong
	}
	stored, ok := foldUserparts(username, precis.UsernameCasePreserved)
	if !ok {
		return username, MsgUsernameCharacters
	}
	if mixesScripts(stored) {
		return stored, MsgUsernameScripts
	}
	return stored, ""
}

// scriptNames lists Unicode's scripts in a fixed order, for scriptOf.
var scriptNames = func() []string {
	names := make([]string, 0, len(unicode.Scripts))
	for name := range unicode.Scripts {
		if name != "Common" && name != "Inherited" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}()

// scriptOf returns the script of r, "" for characters shared by scripts (digits, punctuation,
// combining marks).
func scriptOf(r rune) string {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' {
			return "Latin"
		}
		return ""
	}
	for _, name := range scriptNames {
		if unicode.Is(unicode.Scripts[name], r) {
			return name
		}
	}
	return ""
}

// mixesScripts reports whether s mixes scripts beyond what Unicode TR39's "moderately
// restrictive" level allows: one script; Latin with Han and Japanese kana, with Han and
// Bopomofo, or with Han and Hangul; or Latin with one other script, except the scripts whose
// letters pass for Latin ones (Cyrillic, Greek, Cherokee). So "alicе" with a Cyrillic "е" is
// refused, while "Jürgen", "Дмитрий", "田中taro" and "Ελένη" are not.
func mixesScripts(s string) bool {
	scripts := map[string]bool{}
	for _, r := range s {
		if name := scriptOf(r); name != "" {
			scripts[name] = true
		}
	}
	if len(scripts) <= 1 {
		return false
	}
	within := func(allowed ...string) bool {
		n := 0
		for _, name := range allowed {
			if scripts[name] {
				n++
			}
		}
		return n == len(scripts)
	}
	if within("Latin", "Han", "Hiragana", "Katakana") || within("Latin", "Han", "Bopomofo") || within("Latin", "Han", "Hangul") {
		return false
	}
	if len(scripts) == 2 && scripts["Latin"] {
		return scripts["Cyrillic"] || scripts["Greek"] || scripts["Cherokee"]
	}
	return true
}

// MaxUsernameBytes bounds the length in bytes of a username a user can hold: MaxUsernameLength
// characters of at most four bytes each.
const MaxUsernameBytes = 4 * MaxUsernameLength

// SignInKey returns the folded form by which a sign-in looks its username up, and false when no
// user can hold the username: it is empty, longer than MaxUsernameBytes, not valid UTF-8, or
// holds control characters. A sign-in with such a username fails as one with an
// unknown username does, without looking anything up.
func SignInKey(username string) (string, bool) {
	username = strings.TrimSpace(username)
	if username == "" || len(username) > MaxUsernameBytes || !utf8.ValidString(username) || strings.IndexFunc(username, unicode.IsControl) >= 0 {
		return "", false
	}
	return FoldUsername(username), true
}
