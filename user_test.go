package octoinvite_test

import (
	"testing"

	"github.com/octoinvite/octoinvite"
)

// TestUserCan: administrators hold every permission of the table, ordinary users none of them,
// inactive users and anonymous callers nothing, and a permission the table does not name is held
// by no one.
func TestUserCan(t *testing.T) {
	admin := &octoinvite.User{IsActive: true, IsAdministrator: true}
	user := &octoinvite.User{IsActive: true}
	inactiveAdmin := &octoinvite.User{IsAdministrator: true}
	var anonymous *octoinvite.User
	for _, permission := range []string{octoinvite.PermissionUserInvite, octoinvite.PermissionSpaceCreate, octoinvite.PermissionTeamCreate,
		octoinvite.PermissionUserView, octoinvite.PermissionUserEdit, octoinvite.PermissionEventView} {
		for _, tc := range []struct {
			name string
			user *octoinvite.User
			want bool
		}{{"Administrator", admin, true}, {"User", user, false}, {"InactiveAdministrator", inactiveAdmin, false}, {"Anonymous", anonymous, false}} {
			if got := tc.user.Can(permission); got != tc.want {
				t.Errorf("%s.Can(%s): got %v, want %v", tc.name, permission, got, tc.want)
			}
		}
	}
	for _, permission := range []string{"", "AdministerSystem", "userinvite"} {
		if admin.Can(permission) || user.Can(permission) {
			t.Errorf("Can(%q): got true for a permission no one is granted, want false", permission)
		}
	}
}
