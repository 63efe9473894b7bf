package octoinvite

import "context"

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
	// PermissionTeamCreate allows creating teams.
	PermissionTeamCreate = "TeamCreate"
	// PermissionUserView allows reading other users and their API keys.
	PermissionUserView = "UserView"
	// PermissionUserEdit allows managing other users' API keys.
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
	PermissionTeamCreate:  {administrators: true},
	PermissionUserView:    {administrators: true},
	PermissionUserEdit:    {administrators: true},
	PermissionEventView:   {administrators: true},
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

// UserService reads users.
type UserService interface {
	// FindUserByID returns the user, or ENOTFOUND.
	FindUserByID(ctx context.Context, id string) (*User, error)
	// FindUsers returns a page of users in ID order.
	FindUsers(ctx context.Context, filter UserFilter) (Page[*User], error)
	// FindUserSpaces returns the spaces the user works in: every space for an administrator,
	// otherwise the spaces of the user's teams.
	FindUserSpaces(ctx context.Context, userID string) ([]*Space, error)
}

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
