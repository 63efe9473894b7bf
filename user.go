package octoinvite

import (
	"context"
	"strings"
)

// User is a person or service account that may call the API.
type User struct {
	ID                  string `json:"Id"`
	Username            string `json:"Username"`
	DisplayName         string `json:"DisplayName"`
	EmailAddress        string `json:"EmailAddress"`
	IsActive            bool   `json:"IsActive"`
	IsService           bool   `json:"IsService"`
	CanPasswordBeEdited bool   `json:"CanPasswordBeEdited"`
	// IsRequestor is true when the user is the caller of the request that returns it.
	IsRequestor bool  `json:"IsRequestor"`
	Identities  []any `json:"Identities"`
	Links       Links `json:"Links"`

	// IsAdministrator is true for members of the administrators team. It is not part of the
	// resource: Octopus tells permissions apart through other routes.
	IsAdministrator bool `json:"-"`
}

// Permissions a caller may hold, named as Octopus names them. Octopus grants permissions through
// the roles of a user's teams; octoinvite has two roles, administrator (a member of the
// administrators team) and ordinary user, and grants each permission as permissionHolders says.
// Acting on oneself needs no permission: every active user reads their own user and manages
// their own API keys.
const (
	// PermissionUserInvite allows creating, reading, revoking and regenerating invitations.
	PermissionUserInvite = "UserInvite"
	// PermissionSpaceCreate allows creating spaces.
	PermissionSpaceCreate = "SpaceCreate"
	// PermissionSpaceEdit allows changing spaces.
	PermissionSpaceEdit = "SpaceEdit"
	// PermissionSpaceDelete allows deleting spaces.
	PermissionSpaceDelete = "SpaceDelete"
	// PermissionTeamCreate allows creating teams.
	PermissionTeamCreate = "TeamCreate"
	// PermissionTeamEdit allows changing teams and their members.
	PermissionTeamEdit = "TeamEdit"
	// PermissionTeamDelete allows deleting teams.
	PermissionTeamDelete = "TeamDelete"
	// PermissionUserView allows reading other users and their API keys.
	PermissionUserView = "UserView"
	// PermissionUserEdit allows changing and deleting other users, activating and deactivating
	// users, changing usernames, and managing other users' API keys.
	PermissionUserEdit = "UserEdit"
	// PermissionEventView allows reading the audit log.
	PermissionEventView = "EventView"
)

// permissionHolders says, for each permission, whether administrators and ordinary users hold
// it. Every permission here is system-level in Octopus, which ordinary users do not hold; a
// permission missing from the table is held by no one.
var permissionHolders = map[string]struct{ administrators, users bool }{
	PermissionUserInvite:  {administrators: true},
	PermissionSpaceCreate: {administrators: true},
	PermissionSpaceEdit:   {administrators: true},
	PermissionSpaceDelete: {administrators: true},
	PermissionTeamCreate:  {administrators: true},
	PermissionTeamEdit:    {administrators: true},
	PermissionTeamDelete:  {administrators: true},
	PermissionUserView:    {administrators: true},
	PermissionUserEdit:    {administrators: true},
	PermissionEventView:   {administrators: true},
}

// Permissions returns, in a fixed order, every permission the user holds.
func (u *User) Permissions() []string {
	var held []string
	for _, p := range allPermissions {
		if u.Can(p) {
			held = append(held, p)
		}
	}
	return held
}

// allPermissions lists the permissions of permissionHolders in the order Permissions returns.
var allPermissions = []string{
	PermissionEventView, PermissionSpaceCreate, PermissionSpaceDelete, PermissionSpaceEdit,
	PermissionTeamCreate, PermissionTeamDelete, PermissionTeamEdit,
	PermissionUserEdit, PermissionUserInvite, PermissionUserView,
}

// EditUserPermission returns the permission a caller needs to change the user from current to
// updated, "" for none: users change their own display name and email address freely; anything
// else (another user, a username, whether the user is active) needs PermissionUserEdit.
func EditUserPermission(caller, current, updated *User) string {
	if caller != nil && caller.ID == current.ID && updated.Username == current.Username && updated.IsActive == current.IsActive {
		return ""
	}
	return PermissionUserEdit
}

// Can reports whether the user holds the permission: an active user holds what
// permissionHolders grants to their role; an inactive user, or no user, holds nothing.
func (u *User) Can(permission string) bool {
	if u == nil || !u.IsActive {
		return false
	}
	holders := permissionHolders[permission]
	if u.IsAdministrator {
		return holders.administrators
	}
	return holders.users
}

// UserFilter selects users. Empty fields select everything.
type UserFilter struct {
	IDs []string
	// Filter matches part of the username, display name or email address.
	Filter string
	Range
}

// ValidateChange checks the fields a client may change of a user (username, display name,
// email address), trims them and puts the username in the form it is stored in. The username is
// checked only when it differs from current's, so that a user whose name predates the rules
// can still be changed otherwise. It returns an EINVALID error listing each problem with its
// field.
func (u *User) ValidateChange(current *User) error {
	var problems []Problem
	var msg string
	if u.Username = strings.TrimSpace(u.Username); u.Username != current.Username {
		if u.Username, msg = checkUsername(u.Username); msg != "" {
			problems = append(problems, Problem{"Username", msg})
		}
	}
	DisplayNameField.checkInto(&u.DisplayName, &problems)
	u.EmailAddress = strings.TrimSpace(u.EmailAddress)
	if u.EmailAddress != "" && !validEmailAddress(u.EmailAddress) {
		problems = append(problems, Problem{"EmailAddress", MsgEmailAddressInvalid})
	}
	if len(problems) > 0 {
		return InvalidFields(problems...)
	}
	return nil
}

// UserService reads, changes and deletes users.
type UserService interface {
	// FindUserByID returns the user, or ENOTFOUND.
	FindUserByID(ctx context.Context, id string) (*User, error)
	// FindUsers returns a page of users in ID order.
	FindUsers(ctx context.Context, filter UserFilter) (Page[*User], error)
	// FindUserByUsername returns the user whose username is the same as username once both are
	// folded (FoldUsername: case and width do not matter), or ENOTFOUND.
	FindUserByUsername(ctx context.Context, username string) (*User, error)
	// FindUserSpaces returns the spaces the user works in: every space for an administrator,
	// otherwise the spaces of the user's teams.
	FindUserSpaces(ctx context.Context, userID string) ([]*Space, error)
	// UpdateUser validates the user and stores its username, display name, email address and
	// whether it is active in place of those of the user with its ID, and returns it as stored
	// in user. A deactivated user's API keys and sessions stop working at once, and its
	// sessions end. An unknown user is ENOTFOUND; invalid fields or a username another user
	// holds (compared by FoldUsername), EINVALID; deactivating the last active administrator,
	// ErrLastAdministrator.
	UpdateUser(ctx context.Context, user *User) error
	// DeleteUser deletes the user with its memberships, API keys and sessions, which stop
	// working at once; events and invitations keep naming the user's ID. An unknown user is
	// ENOTFOUND; the last active administrator, ErrLastAdministrator; the installation's
	// administrator (AdminUserID), ErrInstallationAdministrator.
	DeleteUser(ctx context.Context, id string) error
}

// ErrInstallationAdministrator refuses to delete the administrator a fresh installation creates:
// the server's configuration may name its API key, which the server restores at each start.
var ErrInstallationAdministrator = Invalid("The user Users-1 is the installation's administrator, whose API key the server's configuration may name; it cannot be deleted. Deactivate it instead (IsActive false).")

type contextKey int

const userContextKey contextKey = 1

// NewContextWithUser returns a context that carries the authenticated caller.
func NewContextWithUser(ctx context.Context, user *User) context.Context {
	return context.WithValue(ctx, userContextKey, user)
}

// UserFromContext returns the authenticated caller, or nil for an anonymous request.
func UserFromContext(ctx context.Context) *User {
	u, _ := ctx.Value(userContextKey).(*User)
	return u
}
