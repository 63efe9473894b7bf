package octoinvite

import (
	_ "embed"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/secure/precis"
	"golang.org/x/text/unicode/norm"
)

// The password policy follows NIST SP 800-63B (section 5.1.1.2) for passwords that users
// choose: 12 to 128 characters, any characters that show, no composition rules, and none of
// what the guideline lists as easily guessed: passwords from breach corpora, repetitive or
// sequential characters, and context-specific words (the user's names, the server's name) and
// their derivatives.

//go:embed commonpasswords.txt
var commonPasswordList string

// commonPasswords holds, in lower case, passwords long enough to pass the length rule that are
// nevertheless among the most common in published breach corpora.
var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(commonPasswordList, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			m[strings.ToLower(line)] = true
		}
	}
	return m
}()

// ServerWords name every octoinvite server; a password must not be made of them, whatever
// the server's configured name (Registration.ServerNames).
var ServerWords = []string{"octoinvite", "octopus"}

// Bounds on how little is left to guess. A password must hold at least minPasswordPieces
// pieces (see guessPieces); once the user's or the server's names are taken out of it, what is
// left must hold at least minPiecesBesideNames, so that a name with a year or a few digits
// added ("octoinvite2024!") is refused while a passphrase that happens to hold a name is not.
const (
	minPasswordPieces    = 5
	minPiecesBesideNames = 8
)

// passwordProblem returns the message of the rule the registration's password breaks, or "".
func (reg *Registration) passwordProblem() string {
	return passwordProblem(reg.Password, []string{reg.Username, reg.DisplayName, reg.EmailAddress}, reg.ServerNames)
}

// PreparePassword returns the form in which a password is hashed and compared: the password
// prepared by the OpaqueString profile of RFC 8265, which maps every non-ASCII space to an
// ASCII one and normalises to NFC, so that "é" typed as one character or as "e" and a combining
// accent, as keyboards and operating systems differ, is one password. ok is false when the
// profile refuses the password: it is empty, not valid UTF-8, or holds control characters or
// code points that Unicode says to ignore when rendering (zero-width spaces and joiners,
// bidirectional controls, soft hyphens, variation selectors), characters that do not show.
// An ASCII password without control characters is its own prepared form.
func PreparePassword(p string) (prepared string, ok bool) {
	if !utf8.ValidString(p) {
		return "", false
	}
	prepared, err := precis.OpaqueString.String(p)
	if err != nil {
		return "", false
	}
	return prepared, true
}

// passwordProblem returns the message of the rule the password breaks, or "": userNames are the
// username, display name and email address of its user, serverNames the configured names of
// the server (ServerWords always apply). Its length is counted in the characters of its
// prepared form (PreparePassword), as NIST SP 800-63B asks, so that a password typed
// decomposed is as long as the same password typed composed.
func passwordProblem(p string, userNames, serverNames []string) string {
	prepared, ok := PreparePassword(p)
	if !ok {
		prepared = p
	}
	switch n := utf8.RuneCountInString(prepared); {
	case n < MinPasswordLength:
		return MsgPasswordTooShort
	case n > MaxPasswordLength:
		return MsgPasswordTooLong
	}
	if !ok {
		return MsgPasswordCharacters
	}
	p = prepared
	folded := foldForComparison(p)
	if commonPasswords[strings.ToLower(p)] {
		return MsgPasswordCommon
	}
	var names []string
	for _, name := range userNames {
		names = append(names, name)
		names = append(names, strings.Fields(name)...)
		if local, _, ok := strings.Cut(name, "@"); ok {
			names = append(names, local)
		}
	}
	if madeOf(folded, names) {
		return MsgPasswordIsName
	}
	if madeOf(folded, append(slices.Clip(serverNames), ServerWords...)) {
		return MsgPasswordContext
	}
	if guessPieces([]rune(folded)) < minPasswordPieces {
		return MsgPasswordPattern
	}
	return ""
}

// foldForComparison returns s in the form passwords and names are compared in: compatibility
// characters decomposed (NFKC) and case folded.
func foldForComparison(s string) string {
	return cases.Fold().String(norm.NFKC.String(s))
}

// madeOf reports whether the folded password holds any of the words (of three characters or
// more, compared folded) and, with every one of them taken out, holds too little else.
func madeOf(password string, words []string) bool {
	var folded []string
	for _, w := range words {
		if w = foldForComparison(strings.TrimSpace(w)); utf8.RuneCountInString(w) >= 3 {
			folded = append(folded, w)
		}
	}
	// Longest first, so that "jane@example.com" goes before "jane".
	sort.Slice(folded, func(i, j int) bool { return len(folded[i]) > len(folded[j]) })
	rest, found := password, false
	for _, w := range folded {
		if strings.Contains(rest, w) {
			rest, found = strings.ReplaceAll(rest, w, ""), true
		}
	}
	return found && guessPieces([]rune(rest)) < minPiecesBesideNames
}

// sequences are the orders a guesser walks: the alphabet, the digits (0 follows 9, as on a
// keyboard's top row) and the rows of letters of a QWERTY keyboard.
var sequences = []string{"abcdefghijklmnopqrstuvwxyz", "1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"}

// Steps from one character to the next, as bits: the same character, the next one in a
// sequence, the previous one.
const (
	stepSame = 1 << iota
	stepUp
	stepDown
)

// steps returns the steps that lead from a to b.
func steps(a, b rune) int {
	if a == b {
		return stepSame
	}
	s := 0
	for _, seq := range sequences {
		i, j := strings.IndexRune(seq, a), strings.IndexRune(seq, b)
		if i < 0 || j < 0 {
			continue
		}
		// The digits go round: 1 follows 0 again, as in 123456789012.
		n := len(seq)
		cyclic := seq == "1234567890"
		if j == i+1 || cyclic && (i+1)%n == j {
			s |= stepUp
		}
		if i == j+1 || cyclic && (j+1)%n == i {
			s |= stepDown
		}
	}
	return s
}

// guessPieces counts the pieces a guesser must find in s: a run of three or more characters
// that repeat one character or walk a sequence by one step (aaaa, 1234, 9876, abcd, qwer) is
// one piece, and so is every other character; a string that repeats a shorter one (1212,
// abcabcabc) counts as that shorter one.
func guessPieces(s []rune) int {
	s = s[:period(s)]
	pieces := 0
	for i := 0; i < len(s); {
		end := i + 1
		if i+1 < len(s) {
			dir := steps(s[i], s[i+1])
			k := i + 2
			for k < len(s) && dir&steps(s[k-1], s[k]) != 0 {
				dir &= steps(s[k-1], s[k])
				k++
			}
			if dir != 0 && k-i >= 3 {
				end = k
			}
		}
		pieces++
		i = end
	}
	return pieces
}

// period returns the length of the shortest string that s repeats at least twice (a partial
// repetition may end it), or len(s) if it repeats none.
func period(s []rune) int {
	for p := 1; 2*p <= len(s); p++ {
		repeats := true
		for i := p; i < len(s); i++ {
			if s[i] != s[i-p] {
				repeats = false
				break
			}
		}
		if repeats {
			return p
		}
	}
	return len(s)
}
