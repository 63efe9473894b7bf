package octoinvite

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Registration is the RegisterCommand of Octopus's POST /api/users/register: the fields of the
// new user, its password, and the invitation code that entitles the caller to register.
type Registration struct {
	Username       string `json:"Username"`
	DisplayName    string `json:"DisplayName"`
	EmailAddress   string `json:"EmailAddress"`
	Password       string `json:"Password"`
	InvitationCode string `json:"InvitationCode"`

	// ServerNames are words that name this server (its configured application name), which
	// a password must not be made of; ServerWords always apply. It is not part of the body.
	ServerNames []string `json:"-"`
}

// Limits of a registration's fields.
const (
	MaxUsernameLength     = 64
	MaxDisplayNameLength  = 64
	MaxEmailAddressLength = 254
	// MinPasswordLength and MaxPasswordLength bound a password in characters. The minimum
	// follows NIST SP 800-63B for passwords chosen by the user; the maximum keeps hashing cheap
	// enough to refuse no passphrase anyone types.
	MinPasswordLength = 12
	MaxPasswordLength = 128
)

// Messages of the rules a registration can break; each names its field.
const (
	MsgUsernameRequired    = "Please provide a username (Username)."
	MsgUsernameTooLong     = "The username (Username) must be at most 64 characters long."
	MsgUsernameCharacters  = "The username (Username) may hold letters, digits, punctuation and single spaces only: no control, invisible or formatting characters."
	MsgUsernameScripts     = "The username (Username) mixes letters of scripts that look alike (such as Latin and Cyrillic); please write it in one script."
	MsgDisplayNameRequired = "Please provide a display name (DisplayName)."
	MsgDisplayNameTooLong  = "The display name (DisplayName) must be at most 64 characters long."
	MsgEmailAddressInvalid = "The email address (EmailAddress) must be a single address such as jane@example.com."
	MsgPasswordTooShort    = "The password (Password) must be at least 12 characters long."
	MsgPasswordTooLong     = "The password (Password) must be at most 128 characters long."
	MsgPasswordCharacters  = "The password (Password) may not contain control characters or characters that do not show, such as zero-width spaces."
	MsgPasswordIsName      = "The password (Password) must not be the username, display name or email address, nor be made of them."
	MsgPasswordContext     = "The password (Password) must not be made of the name of this server; please choose another."
	MsgPasswordCommon      = "The password (Password) is one of the most commonly used passwords; please choose another."
	MsgPasswordPattern     = "The password (Password) is made of repeated or sequential characters (such as aaaa, 1212 or abcd); please choose one that is harder to guess."
	MsgCodeRequired        = "Please provide the invitation code (InvitationCode)."
)

// Errors of an invitation code that cannot be redeemed. Each is a distinct EINVALID error, so
// that the caller learns what to do; none of them tells an attacker anything about other codes.
var (
	ErrInvitationUnknown = Errorf(EINVALID, "The invitation code is not valid. Check that you copied the whole link, or ask for a new invitation.")
	ErrInvitationExpired = Errorf(EINVALID, "The invitation code has expired. Ask the person who invited you for a new invitation.")
	ErrInvitationUsed    = Errorf(EINVALID, "The invitation code has already been used as many times as it allows. Ask the person who invited you for a new invitation.")
	ErrInvitationRevoked = Errorf(EINVALID, "The invitation code has been withdrawn by an administrator. Ask the person who invited you for a new invitation.")
)

// IsInvitationCodeError reports whether err says that an invitation code cannot be redeemed:
// unknown, expired, used up or withdrawn (one of the ErrInvitation errors).
func IsInvitationCodeError(err error) bool {
	for _, e := range []error{ErrInvitationUnknown, ErrInvitationExpired, ErrInvitationUsed, ErrInvitationRevoked} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// UsernameTaken returns the EINVALID error of a username that another user holds, compared by
// FoldUsername. It is a 400 like the other field rules: Octopus.Client reads 400 and 409 alike
// as validation errors.
func UsernameTaken(username string) *Error {
	return InvalidFields(Problem{"Username", fmt.Sprintf("The username (Username) '%s' is already taken; please choose another.", Truncate(username, MaxUsernameLength))})
}

// DisplayNameField is the display name of a user.
var DisplayNameField = TextField{Name: "DisplayName", Noun: "display name", Wanted: "a display name", MaxLength: MaxDisplayNameLength, Required: true}

// Validate trims the names, checks every field and returns an EINVALID error listing each
// problem with its field, or nil. The password policy is passwordProblem's.
func (reg *Registration) Validate() error {
	var problems []Problem
	add := func(field, message string) { problems = append(problems, Problem{field, message}) }
	reg.EmailAddress = strings.TrimSpace(reg.EmailAddress)
	reg.InvitationCode = strings.TrimSpace(reg.InvitationCode)

	var msg string
	if reg.Username, msg = checkUsername(reg.Username); msg != "" {
		add("Username", msg)
	}
	DisplayNameField.checkInto(&reg.DisplayName, &problems)
	if reg.EmailAddress != "" && !validEmailAddress(reg.EmailAddress) {
		add("EmailAddress", MsgEmailAddressInvalid)
	}
	if msg := reg.passwordProblem(); msg != "" {
		add("Password", msg)
	}
	if reg.InvitationCode == "" {
		add("InvitationCode", MsgCodeRequired)
	}
	if len(problems) > 0 {
		return InvalidFields(problems...)
	}
	return nil
}

// validEmailAddress accepts a bare address (no display name, no angle brackets) whose domain
// has at least one dot, as mail can be delivered to it.
func validEmailAddress(s string) bool {
	if len(s) > MaxEmailAddressLength || !utf8.ValidString(s) || strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return false
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || addr.Name != "" {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	return at > 0 && strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// InvitationPreview is what redeeming a code would do: the invitation, the name of its space
// ("" for an invitation without one), the names of the teams the new user would join, and the
// display name of who sent it (the user who created it or gave it its current code; "" if that
// user is gone).
type InvitationPreview struct {
	Invitation *Invitation
	SpaceName  string
	TeamNames  []string
	// RemovedTeamNames names the teams the invitation was made for that were deleted since:
	// the new user joins the others.
	RemovedTeamNames []string
	// TeamIDs are the IDs of the teams, in the order of TeamNames.
	TeamIDs   []string
	InvitedBy string
}

// InvitationAcceptance is what accepting an invitation with an existing account did: the
// user, the invitation whose use it took, its space, and the teams of the invitation the user
// was not yet a member of and now is.
type InvitationAcceptance struct {
	UserID         string   `json:"UserId"`
	InvitationID   string   `json:"InvitationId"`
	SpaceID        *string  `json:"SpaceId"`
	AddedToTeamIDs []string `json:"AddedToTeamIds"`
	Links          Links    `json:"Links"`
}

// ErrNothingToJoin answers an existing user who accepts an invitation to teams they are all
// members of already: the invitation would add nothing, so it is not used.
var ErrNothingToJoin = InvalidFields(Problem{"InvitationCode",
	"You are already a member of every team this invitation adds; it was not used, so that someone else can use it."})

// RegistrationService turns invitation codes into users, or into memberships of existing users.
type RegistrationService interface {
	// PreviewInvitation returns what redeeming the code would do. A code that does not exist is
	// ErrInvitationUnknown, an expired one ErrInvitationExpired, a used-up one ErrInvitationUsed, a
	// revoked one ErrInvitationRevoked.
	PreviewInvitation(ctx context.Context, code string) (*InvitationPreview, error)
	// Register validates the registration and, in one transaction, creates the user with its
	// hashed password, adds it to the Everyone team and to every team of the invitation, and
	// marks the invitation redeemed. Invalid fields and a taken username are EINVALID; a code
	// that cannot be redeemed is one of the ErrInvitation errors. On any error nothing changes.
	Register(ctx context.Context, reg *Registration) (*User, error)
	// AcceptInvitation redeems the code for an existing, active user, exactly as Register does
	// for a new one: in one transaction it claims one use of the invitation, by the same
	// conditional update, adds the user to every team of the invitation they are not yet a
	// member of, and records the same redemption event. A code that cannot be redeemed is one
	// of the ErrInvitation errors; one whose teams the user is all a member of already is
	// ErrNothingToJoin; an unknown or inactive user ENOTFOUND. On any error nothing changes.
	AcceptInvitation(ctx context.Context, userID, code string) (*InvitationAcceptance, error)
}

// PasswordHasher derives and checks password hashes with a slow key-derivation function. It
// hashes and compares the text it is given; the stores give it passwords in their prepared
// form (PreparePassword).
type PasswordHasher interface {
	// Hash returns the encoded hash of password, with a fresh salt and its parameters.
	Hash(password string) (string, error)
	// Compare reports whether password matches the encoded hash, in time independent of where
	// they differ. A malformed hash is an error.
	Compare(password, hash string) (bool, error)
}
