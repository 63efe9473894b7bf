package octoinvite

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// TextField describes a text field that a request sets and a store keeps (a display name, a
// team's description, a key's purpose). Its Check is the one rule such text passes before it
// reaches a store: databases differ in what they refuse (PostgreSQL refuses NUL and invalid
// UTF-8 in text; SQLite keeps anything), so the domain refuses it first, naming the field.
type TextField struct {
	// Name is the field's name on the wire, such as "DisplayName"; messages quote it.
	Name string
	// Noun is how a message calls the field after "The", such as "display name".
	Noun string
	// Wanted is what "Please provide …" asks for when the field is required and empty, such
	// as "a display name".
	Wanted string
	// MaxLength bounds the text in characters (Unicode code points).
	MaxLength int
	// Required refuses empty text, and text of invisible characters only.
	Required bool
	// Multiline allows line breaks and tabs, and keeps surrounding white space; other fields
	// are trimmed and hold one line.
	Multiline bool
}

// Check returns the text as it is to be stored (trimmed unless Multiline) and the problem
// with it, or nil. Text is refused when it is not valid UTF-8, holds a control character (C0,
// DEL, C1; for one-line fields also line and paragraph separators and the bidirectional
// embedding, override and isolate controls, which reorder the text around them), is longer
// than MaxLength, or, when Required, is empty or invisible.
func (f TextField) Check(s string) (string, *Problem) {
	if !f.Multiline {
		s = strings.TrimSpace(s)
	}
	switch {
	case !utf8.ValidString(s):
		return s, f.problem("The %s (%s) must be valid UTF-8 text.", f.Noun, f.Name)
	case strings.IndexFunc(s, f.forbidden) >= 0:
		return s, f.problem("The %s (%s) may not contain control characters.", f.Noun, f.Name)
	case f.Required && Invisible(s):
		return s, f.problem("Please provide %s (%s).", f.Wanted, f.Name)
	case utf8.RuneCountInString(s) > f.MaxLength:
		return s, f.problem("The %s (%s) must be at most %d characters long.", f.Noun, f.Name, f.MaxLength)
	}
	return s, nil
}

// checkInto checks *s, stores the text as it is to be stored back in *s, and adds the problem
// with it, if any, to problems.
func (f TextField) checkInto(s *string, problems *[]Problem) {
	var p *Problem
	if *s, p = f.Check(*s); p != nil {
		*problems = append(*problems, *p)
	}
}

func (f TextField) problem(format string, args ...any) *Problem {
	return &Problem{Field: f.Name, Message: fmt.Sprintf(format, args...)}
}

// forbidden reports whether a field's text may not hold r.
func (f TextField) forbidden(r rune) bool {
	if f.Multiline && (r == '\n' || r == '\r' || r == '\t') {
		return false
	}
	return unicode.IsControl(r) || !f.Multiline && reordersOrBreaks(r)
}

// reordersOrBreaks reports whether r is a line or paragraph separator or a bidirectional
// embedding, override or isolate control: text that holds one can display as something else
// ("Trojan Source").
func reordersOrBreaks(r rune) bool {
	return r == '\u2028' || r == '\u2029' || r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069'
}

// Invisible reports whether s shows nothing: it is empty or holds only white space, format
// characters (such as zero-width spaces and joiners) and other code points that Unicode says
// to ignore when rendering (such as the Hangul filler).
func Invisible(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return !invisibleRune(r) }) < 0
}

func invisibleRune(r rune) bool {
	return unicode.IsSpace(r) || unicode.In(r, unicode.Cf, unicode.Variation_Selector, unicode.Other_Default_Ignorable_Code_Point) ||
		r == '\u115f' || r == '\u1160' || r == '\u3164' || r == '\uffa0' // Hangul fillers
}

// CheckParameter returns the problem with the value of a query parameter that reaches a store's
// filter (partialName, filter, regarding), or nil: it must be valid UTF-8 without control
// characters.
func CheckParameter(name, value string) *Problem {
	if !utf8.ValidString(value) || strings.IndexFunc(value, unicode.IsControl) >= 0 {
		return &Problem{Field: name, Message: fmt.Sprintf("The parameter '%s' must be text without control characters.", name)}
	}
	return nil
}

// CleanText returns s made fit to record whatever it holds, such as a request's User-Agent
// for the audit log: each invalid UTF-8 sequence and each control character becomes U+FFFD,
// and the result is cut to at most n bytes (see Truncate). Headers are recorded, not refused.
func CleanText(s string, n int) string {
	s = strings.ToValidUTF8(Truncate(s, n), "\ufffd")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return utf8.RuneError
		}
		return r
	}, s)
	return Truncate(s, n)
}

// FoldName returns the form in which space names, space slugs and team names are compared, for
// uniqueness and for the name filters: Unicode's compatibility caseless form, with what does not
// show taken out and white space made single spaces. So "Équipe", "équipe", "E" with a combining
// accent followed by "quipe", "ÉQUIPE" and its fullwidth form are one name, as are "Straße" and
// "STRASSE", "ﬁnance" and "finance", "Dev Team", "Dev  Team" and "Dev" and "Team" with a no-break
// space between them. The stores keep it in a column of its own, so that SQLite and PostgreSQL,
// whose lower() functions differ, compare alike. It never fails: a name any store holds has a key.
//
// Step by step: invalid UTF-8 becomes U+FFFD, as do control characters other than white space;
// default-ignorable code points (zero-width spaces and joiners, soft hyphens, variation
// selectors, fillers) are dropped; the text is folded as Unicode's compatibility caseless match
// (D146 of the Unicode Standard, section 3.13: NFKD of the case folding of NFKD of the case
// folding of NFD) defines; each run of white space becomes one space and leading and trailing
// space goes; the result is composed (NFC, which of a compatibility decomposition is NFKC).
// The steps repeat until the text no longer changes (at most four times), so that a key folds
// to itself.
func FoldName(name string) string {
	s := strings.ToValidUTF8(name, "\ufffd")
	for range 4 {
		next := foldNameOnce(s)
		if next == s {
			break
		}
		s = next
	}
	return s
}

// foldNameOnce applies the steps of FoldName once.
func foldNameOnce(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r) && !unicode.IsSpace(r):
			return utf8.RuneError
		case defaultIgnorable(r):
			return -1
		}
		return r
	}, s)
	fold := cases.Fold()
	s = norm.NFKD.String(fold.String(norm.NFKD.String(fold.String(norm.NFD.String(s)))))
	return norm.NFC.String(strings.Join(strings.Fields(s), " "))
}

// defaultIgnorable reports whether r has Unicode's derived property Default_Ignorable_Code_Point:
// format characters, variation selectors and the other code points that show nothing by
// themselves, less the format characters that do show (prepended concatenation marks,
// interlinear annotation and Egyptian hieroglyph format controls).
func defaultIgnorable(r rune) bool {
	if unicode.In(r, unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector) {
		return true
	}
	return unicode.Is(unicode.Cf, r) && !unicode.Is(unicode.Prepended_Concatenation_Mark, r) &&
		!(r >= '\ufff9' && r <= '\ufffb') && !(r >= 0x13430 && r <= 0x1343f) && !unicode.IsSpace(r)
}
