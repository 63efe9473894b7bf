package sqldb

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/octoinvite/octoinvite"
)

// adminContext returns a context whose caller is the installation's administrator.
func adminContext(t *testing.T, db *DB) context.Context {
	t.Helper()
	admin, err := db.FindUserByID(context.Background(), octoinvite.AdminUserID)
	mustDo(t, err)
	return octoinvite.NewContextWithUser(context.Background(), admin)
}

// wantError fails unless err has want's code, message and details.
func wantError(t *testing.T, err, want error) {
	t.Helper()
	if !sameError(err, want) {
		t.Errorf("got %v, want %v", err, want)
	}
}

// lastEvent returns the newest event.
func lastEvent(t *testing.T, db *DB) *octoinvite.Event {
	t.Helper()
	page, err := db.FindEvents(context.Background(), octoinvite.EventFilter{Range: octoinvite.Range{Take: 1}})
	mustDo(t, err)
	if len(page.Items) == 0 {
		t.Fatal("no event recorded")
	}
	return page.Items[0]
}

// wantEvent fails unless the newest event has the category, message and related documents.
func wantEvent(t *testing.T, db *DB, category, message string, related ...string) {
	t.Helper()
	e := lastEvent(t, db)
	if e.Category != category || e.Message != message || !reflect.DeepEqual(e.RelatedDocumentIDs, related) {
		t.Errorf("got event %s %q %v, want %s %q %v", e.Category, e.Message, e.RelatedDocumentIDs, category, message, related)
	}
}

func TestStoreUpdateSpace(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := adminContext(t, db)
		ops := &octoinvite.Space{Name: "Ops"}
		mustDo(t, db.CreateSpace(ctx, ops))
		wantEvent(t, db, octoinvite.EventCreated, "Space Spaces-2 (Ops) was created", "Spaces-2")

		t.Run("OK", func(t *testing.T) {
			s := &octoinvite.Space{ID: "spaces-2", Name: "Operations", Description: "On call", TaskQueueStopped: true,
				SpaceManagersTeams: []string{"TEAMS-ADMINISTRATORS", "teams-administrators"}, SpaceManagersTeamMembers: []string{"users-1"}}
			mustDo(t, db.UpdateSpace(ctx, s))
			got, err := db.FindSpaceByID(ctx, "Spaces-2")
			mustDo(t, err)
			want := &octoinvite.Space{ID: "Spaces-2", Name: "Operations", Slug: "operations", Description: "On call", TaskQueueStopped: true,
				SpaceManagersTeams: []string{"teams-administrators"}, SpaceManagersTeamMembers: []string{"Users-1"}}
			if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(s, want) {
				t.Errorf("got %+v (returned %+v), want %+v", got, s, want)
			}
			wantEvent(t, db, octoinvite.EventModified,
				"Space Spaces-2 (Operations) was changed: renamed from 'Ops', slug 'operations', description changed, task queue stopped, managers changed", "Spaces-2")
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			wantError(t, db.UpdateSpace(ctx, &octoinvite.Space{ID: "Spaces-9", Name: "X"}), octoinvite.NotFound("Spaces-9"))
			wantError(t, db.UpdateSpace(ctx, &octoinvite.Space{ID: "bogus", Name: "X"}), octoinvite.NotFound("bogus"))
		})
		t.Run("ErrConflict", func(t *testing.T) {
			err := db.UpdateSpace(ctx, &octoinvite.Space{ID: "Spaces-2", Name: "DEFAULT"})
			wantError(t, err, octoinvite.Conflict("A space with the name 'DEFAULT' or the slug 'default' already exists."))
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			err := db.UpdateSpace(ctx, &octoinvite.Space{ID: "Spaces-2", Name: "Ops", SpaceManagersTeams: []string{"Teams-7"}, SpaceManagersTeamMembers: []string{"Users-9"}})
			wantError(t, err, octoinvite.Invalid("The team 'Teams-7' does not exist.", "The user 'Users-9' does not exist."))
			wantError(t, db.UpdateSpace(ctx, &octoinvite.Space{ID: "Spaces-2", Name: " "}),
				octoinvite.InvalidFields(octoinvite.Problem{Field: "Name", Message: "Please provide a name for the space (Name)."}))
		})
		t.Run("DefaultMoves", func(t *testing.T) {
			mustDo(t, db.UpdateSpace(ctx, &octoinvite.Space{ID: "Spaces-2", Name: "Operations", IsDefault: true}))
			def, err := db.FindDefaultSpace(ctx)
			mustDo(t, err)
			first, err := db.FindSpaceByID(ctx, "Spaces-1")
			mustDo(t, err)
			if def.ID != "Spaces-2" || first.IsDefault {
				t.Errorf("got default %s and Spaces-1 IsDefault %v, want Spaces-2 and false", def.ID, first.IsDefault)
			}
			// The default space made not the default leaves the installation without one.
			mustDo(t, db.UpdateSpace(ctx, &octoinvite.Space{ID: "Spaces-2", Name: "Operations", IsDefault: false}))
			_, err = db.FindDefaultSpace(ctx)
			wantError(t, err, octoinvite.ErrNoDefaultSpace)
		})
	})
}

func TestStoreDeleteSpace(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := adminContext(t, db)
		cheapPasswords(db)
		ops := &octoinvite.Space{Name: "Ops", IsDefault: true}
		mustDo(t, db.CreateSpace(ctx, ops))
		oncall := &octoinvite.Team{Name: "On call", SpaceID: &ops.ID, MemberUserIDs: []string{octoinvite.AdminUserID}}
		mustDo(t, db.CreateTeam(ctx, oncall))
		// Spaces-1 names the team among its managers: the deletion takes it out.
		mustDo(t, db.UpdateSpace(ctx, &octoinvite.Space{ID: "Spaces-1", Name: "Default", SpaceManagersTeams: []string{octoinvite.AdministratorsTeamID, oncall.ID}}))
		pending := newInvitation(t, db, &ops.ID, oncall.ID, octoinvite.EveryoneTeamID)
		revoked := newInvitation(t, db, &ops.ID)
		_, _, err := db.RevokeInvitation(ctx, revoked.ID, "admin")
		mustDo(t, err)
		other := newInvitation(t, db, ptr("Spaces-1"), octoinvite.EveryoneTeamID)

		t.Run("ErrTaskQueueRunning", func(t *testing.T) {
			wantError(t, db.DeleteSpace(ctx, ops.ID), octoinvite.ErrSpaceTaskQueueRunning)
		})
		ops.TaskQueueStopped = true
		mustDo(t, db.UpdateSpace(ctx, ops))
		mustDo(t, db.DeleteSpace(ctx, "SPACES-2"))
		wantEvent(t, db, octoinvite.EventDeleted,
			"Space Spaces-2 (Ops) was deleted, with its teams Teams-1, and its invitations Invitations-1, Invitations-2",
			"Spaces-2", "Teams-1", "Invitations-1", "Invitations-2")

		_, err = db.FindSpaceByID(ctx, ops.ID)
		wantError(t, err, octoinvite.NotFound("Spaces-2"))
		_, err = db.FindTeamByID(ctx, oncall.ID)
		wantError(t, err, octoinvite.NotFound("Teams-1"))
		_, err = db.FindInvitationByID(ctx, pending.ID)
		wantError(t, err, octoinvite.NotFound("Invitations-1"))
		if _, err := db.FindInvitationByID(ctx, other.ID); err != nil {
			t.Errorf("the invitation of another space: got %v, want it kept", err)
		}
		// Nobody can redeem into the deleted space: its codes are gone.
		_, err = db.PreviewInvitation(ctx, pending.InvitationCode)
		wantError(t, err, octoinvite.ErrInvitationUnknown)
		_, err = db.Register(ctx, registration("jane", pending.InvitationCode))
		wantError(t, err, octoinvite.ErrInvitationUnknown)
		// The deleted space was the default: there is none now.
		_, err = db.FindDefaultSpace(ctx)
		wantError(t, err, octoinvite.ErrNoDefaultSpace)
		first, err := db.FindSpaceByID(ctx, "Spaces-1")
		mustDo(t, err)
		if !reflect.DeepEqual(first.SpaceManagersTeams, []string{octoinvite.AdministratorsTeamID}) {
			t.Errorf("managers of Spaces-1: got %v, want [teams-administrators]", first.SpaceManagersTeams)
		}
		wantError(t, db.DeleteSpace(ctx, ops.ID), octoinvite.NotFound("Spaces-2"))
	})
}

func TestStoreUpdateTeam(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := adminContext(t, db)
		jane := &octoinvite.User{Username: "jane", DisplayName: "Jane"}
		jo := &octoinvite.User{Username: "jo", DisplayName: "Jo"}
		mustDo(t, db.CreateUser(ctx, jane))
		mustDo(t, db.CreateUser(ctx, jo))
		devs := &octoinvite.Team{Name: "Developers", SpaceID: ptr("Spaces-1"), MemberUserIDs: []string{jane.ID}}
		mustDo(t, db.CreateTeam(ctx, devs))
		wantEvent(t, db, octoinvite.EventCreated, "Team Teams-1 (Developers) was created with the members Users-2 in space Spaces-1",
			"Teams-1", "Users-2", "Spaces-1")
		mustDo(t, db.CreateTeam(ctx, &octoinvite.Team{Name: "Testers", SpaceID: ptr("Spaces-1")}))

		t.Run("OK", func(t *testing.T) {
			team := &octoinvite.Team{ID: "teams-1", Name: "Builders", Description: "They build.", SpaceID: ptr("spaces-1"),
				MemberUserIDs: []string{"users-3", "Users-1", "USERS-3"}}
			mustDo(t, db.UpdateTeam(ctx, team))
			got, err := db.FindTeamByID(ctx, "Teams-1")
			mustDo(t, err)
			want := &octoinvite.Team{ID: "Teams-1", Name: "Builders", Description: "They build.", SpaceID: ptr("Spaces-1"),
				MemberUserIDs: []string{"Users-1", "Users-3"}, ExternalSecurityGroups: []any{},
				CanBeDeleted: true, CanBeRenamed: true, CanChangeRoles: true, CanChangeMembers: true}
			if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(team, want) {
				t.Errorf("got %+v (returned %+v), want %+v", got, team, want)
			}
			wantEvent(t, db, octoinvite.EventModified,
				"Team Teams-1 (Builders) was changed: renamed from 'Developers'; description changed; members added: Users-3, Users-1; members removed: Users-2 in space Spaces-1",
				"Teams-1", "Users-3", "Users-1", "Users-2", "Spaces-1")
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			wantError(t, db.UpdateTeam(ctx, &octoinvite.Team{ID: "Teams-9", Name: "X"}), octoinvite.NotFound("Teams-9"))
		})
		t.Run("ErrConflict", func(t *testing.T) {
			wantError(t, db.UpdateTeam(ctx, &octoinvite.Team{ID: "Teams-1", Name: "testers", SpaceID: ptr("Spaces-1")}),
				octoinvite.Conflict("A team with the name 'testers' already exists in this space."))
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			wantError(t, db.UpdateTeam(ctx, &octoinvite.Team{ID: "Teams-1", Name: "Builders", SpaceID: ptr("Spaces-1"), MemberUserIDs: []string{"Users-9"}}),
				octoinvite.Invalid("The user 'Users-9' does not exist."))
			var many, want []string
			for i := range 12 {
				many = append(many, fmt.Sprintf("Users-%d", 100+i))
				if i < 10 {
					want = append(want, fmt.Sprintf("The user 'Users-%d' does not exist.", 100+i))
				}
			}
			wantError(t, db.UpdateTeam(ctx, &octoinvite.Team{ID: "Teams-1", Name: "Builders", SpaceID: ptr("Spaces-1"), MemberUserIDs: many}),
				octoinvite.Invalid(append(want, "2 more users do not exist.")...))
			wantError(t, db.UpdateTeam(ctx, &octoinvite.Team{ID: "Teams-1", Name: "Builders"}), octoinvite.ErrTeamMoved)
			wantError(t, db.UpdateTeam(ctx, &octoinvite.Team{ID: "Teams-1", Name: "Builders", SpaceID: ptr("Spaces-9")}), octoinvite.ErrTeamMoved)
			wantError(t, db.UpdateTeam(ctx, &octoinvite.Team{ID: octoinvite.EveryoneTeamID, Name: "All", MemberUserIDs: []string{"Users-1"}}),
				octoinvite.Invalid("The team 'Everyone' is a built-in team and cannot be renamed.",
					"The members of the team 'Everyone' cannot be changed: every user belongs to it."))
		})
		t.Run("Administrators", func(t *testing.T) {
			admins := &octoinvite.Team{ID: octoinvite.AdministratorsTeamID, Name: "Octopus Administrators", MemberUserIDs: []string{}}
			wantError(t, db.UpdateTeam(ctx, admins), octoinvite.ErrLastAdministrator)
			admins.MemberUserIDs = []string{jo.ID}
			mustDo(t, db.UpdateTeam(ctx, admins))
			user, err := db.FindUserByID(ctx, jo.ID)
			mustDo(t, err)
			former, err := db.FindUserByID(ctx, octoinvite.AdminUserID)
			mustDo(t, err)
			if !user.IsAdministrator || former.IsAdministrator {
				t.Errorf("got administrators Users-3 %v and Users-1 %v, want true and false", user.IsAdministrator, former.IsAdministrator)
			}
		})
	})
}

func TestStoreDeleteTeam(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := adminContext(t, db)
		cheapPasswords(db)
		devs := &octoinvite.Team{Name: "Developers", SpaceID: ptr("Spaces-1"), MemberUserIDs: []string{octoinvite.AdminUserID}}
		testers := &octoinvite.Team{Name: "Testers", SpaceID: ptr("Spaces-1")}
		mustDo(t, db.CreateTeam(ctx, devs))
		mustDo(t, db.CreateTeam(ctx, testers))
		mustDo(t, db.UpdateSpace(ctx, &octoinvite.Space{ID: "Spaces-1", Name: "Default", IsDefault: true, SpaceManagersTeams: []string{devs.ID}}))
		inv := newInvitation(t, db, ptr("Spaces-1"), devs.ID, testers.ID)
		cached, err := db.FindInvitationByID(ctx, inv.ID) // cached on SQLite: the deletion must evict it
		mustDo(t, err)
		if len(cached.AddToTeamIDs) != 2 {
			t.Fatalf("got teams %v, want two", cached.AddToTeamIDs)
		}

		t.Run("ErrBuiltIn", func(t *testing.T) {
			wantError(t, db.DeleteTeam(ctx, octoinvite.AdministratorsTeamID), octoinvite.ErrTeamBuiltIn)
			wantError(t, db.DeleteTeam(ctx, "TEAMS-EVERYONE"), octoinvite.ErrTeamBuiltIn)
		})
		mustDo(t, db.DeleteTeam(ctx, devs.ID))
		wantEvent(t, db, octoinvite.EventDeleted,
			"Team Teams-1 (Developers) was deleted; the invitations Invitations-1 no longer add users to it in space Spaces-1",
			"Teams-1", "Invitations-1", "Spaces-1")
		wantError(t, db.DeleteTeam(ctx, devs.ID), octoinvite.NotFound("Teams-1"))

		got, err := db.FindInvitationByID(ctx, inv.ID)
		mustDo(t, err)
		if !reflect.DeepEqual(got.AddToTeamIDs, []string{testers.ID}) {
			t.Errorf("invitation teams: got %v, want [%s]", got.AddToTeamIDs, testers.ID)
		}
		preview, err := db.PreviewInvitation(ctx, inv.InvitationCode)
		mustDo(t, err)
		if fmt.Sprint(preview.TeamNames, preview.RemovedTeamNames) != "[Testers] [Developers]" {
			t.Errorf("preview: got teams %v, removed %v, want [Testers] [Developers]", preview.TeamNames, preview.RemovedTeamNames)
		}
		space, err := db.FindSpaceByID(ctx, "Spaces-1")
		mustDo(t, err)
		if len(space.SpaceManagersTeams) != 0 {
			t.Errorf("managers: got %v, want none", space.SpaceManagersTeams)
		}
		// The invitation still registers, into the teams that remain.
		user, err := db.Register(ctx, registration("jane", inv.InvitationCode))
		mustDo(t, err)
		teams, err := db.FindTeams(ctx, octoinvite.TeamFilter{MemberUserID: user.ID, IncludeSystem: true, Range: octoinvite.Range{Take: 10}})
		mustDo(t, err)
		if got := teamIDs(teams.Items); !reflect.DeepEqual(got, []string{octoinvite.EveryoneTeamID, testers.ID}) {
			t.Errorf("teams of the new user: got %v, want [teams-everyone %s]", got, testers.ID)
		}
		// The purge removes what the invitation remembers of the deleted team with it.
		purged, err := db.PurgeInvitations(ctx, 0)
		mustDo(t, err)
		if purged != 1 {
			t.Errorf("purged %d, want 1", purged)
		}
	})
}

func TestStoreUpdateUser(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := adminContext(t, db)
		jane := &octoinvite.User{Username: "jane", DisplayName: "Jane"}
		mustDo(t, db.CreateUser(ctx, jane))
		key, err := db.CreateAPIKey(ctx, jane.ID, "CI")
		mustDo(t, err)
		session, err := db.CreateSession(ctx, jane.ID)
		mustDo(t, err)
		if _, err := db.Authenticate(ctx, key.APIKey); err != nil { // cached on SQLite
			t.Fatal(err)
		}

		t.Run("OK", func(t *testing.T) {
			u := &octoinvite.User{ID: "users-2", Username: " Janet ", DisplayName: " Janet Doe ", EmailAddress: "janet@example.com", IsActive: true}
			mustDo(t, db.UpdateUser(ctx, u))
			got, err := db.FindUserByID(ctx, jane.ID)
			mustDo(t, err)
			want := &octoinvite.User{ID: "Users-2", Username: "Janet", DisplayName: "Janet Doe", EmailAddress: "janet@example.com", IsActive: true,
				CanPasswordBeEdited: true, Identities: []any{}}
			if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(u, want) {
				t.Errorf("got %+v (returned %+v), want %+v", got, u, want)
			}
			wantEvent(t, db, octoinvite.EventModified,
				"User Users-2 (Janet) was changed: renamed from 'jane', display name changed, email address changed", "Users-2")
			// The key and the session follow the user.
			if user, err := db.Authenticate(ctx, key.APIKey); err != nil || user.Username != "Janet" {
				t.Errorf("got %v, %v, want Janet", user, err)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			err := db.UpdateUser(ctx, &octoinvite.User{ID: jane.ID, Username: "ADMIN", DisplayName: "", EmailAddress: "nope", IsActive: true})
			wantError(t, err, octoinvite.InvalidFields(
				octoinvite.Problem{Field: "DisplayName", Message: "Please provide a display name (DisplayName)."},
				octoinvite.Problem{Field: "EmailAddress", Message: octoinvite.MsgEmailAddressInvalid}))
			err = db.UpdateUser(ctx, &octoinvite.User{ID: jane.ID, Username: "ＡＤＭＩＮ", DisplayName: "J", IsActive: true})
			wantError(t, err, octoinvite.UsernameTaken("ADMIN"))
			wantError(t, db.UpdateUser(ctx, &octoinvite.User{ID: "Users-9", Username: "x", DisplayName: "x"}), octoinvite.NotFound("Users-9"))
		})
		t.Run("Deactivate", func(t *testing.T) {
			mustDo(t, db.UpdateUser(ctx, &octoinvite.User{ID: jane.ID, Username: "Janet", DisplayName: "Janet Doe", IsActive: false}))
			wantEvent(t, db, octoinvite.EventModified, "User Users-2 (Janet) was changed: email address changed, deactivated", "Users-2")
			_, err := db.Authenticate(ctx, key.APIKey)
			wantError(t, err, errBadKey)
			_, _, err = db.AuthenticateSession(ctx, session.Token)
			wantError(t, err, errNoSession)
			mustDo(t, db.UpdateUser(ctx, &octoinvite.User{ID: jane.ID, Username: "Janet", DisplayName: "Janet Doe", IsActive: true}))
			if _, err := db.Authenticate(ctx, key.APIKey); err != nil {
				t.Errorf("reactivated: got %v, want the key to work again", err)
			}
			// Deactivation ended the session for good.
			_, _, err = db.AuthenticateSession(ctx, session.Token)
			wantError(t, err, errNoSession)
		})
		t.Run("ErrLastAdministrator", func(t *testing.T) {
			err := db.UpdateUser(ctx, &octoinvite.User{ID: octoinvite.AdminUserID, Username: "admin", DisplayName: "Administrator", IsActive: false})
			wantError(t, err, octoinvite.ErrLastAdministrator)
			admin, err := db.FindUserByID(ctx, octoinvite.AdminUserID)
			mustDo(t, err)
			if !admin.IsActive {
				t.Error("the last administrator was deactivated")
			}
		})
	})
}

func TestStoreDeleteUser(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := adminContext(t, db)
		jane := &octoinvite.User{Username: "jane", DisplayName: "Jane"}
		mustDo(t, db.CreateUser(ctx, jane))
		key, err := db.CreateAPIKey(ctx, jane.ID, "CI")
		mustDo(t, err)
		session, err := db.CreateSession(ctx, jane.ID)
		mustDo(t, err)
		admins := &octoinvite.Team{ID: octoinvite.AdministratorsTeamID, Name: "Octopus Administrators", MemberUserIDs: []string{octoinvite.AdminUserID, jane.ID}}
		mustDo(t, db.UpdateTeam(ctx, admins))
		mustDo(t, db.UpdateSpace(ctx, &octoinvite.Space{ID: "Spaces-1", Name: "Default", IsDefault: true, SpaceManagersTeamMembers: []string{jane.ID}}))
		if _, err := db.Authenticate(ctx, key.APIKey); err != nil { // cached on SQLite
			t.Fatal(err)
		}

		wantError(t, db.DeleteUser(ctx, octoinvite.AdminUserID), octoinvite.ErrInstallationAdministrator)
		mustDo(t, db.DeleteUser(ctx, "USERS-2"))
		wantEvent(t, db, octoinvite.EventDeleted, "User Users-2 (jane) was deleted", "Users-2")
		_, err = db.Authenticate(ctx, key.APIKey)
		wantError(t, err, errBadKey)
		_, _, err = db.AuthenticateSession(ctx, session.Token)
		wantError(t, err, errNoSession)
		_, err = db.FindUserByID(ctx, jane.ID)
		wantError(t, err, octoinvite.NotFound("Users-2"))
		team, err := db.FindTeamByID(ctx, octoinvite.AdministratorsTeamID)
		mustDo(t, err)
		space, err := db.FindSpaceByID(ctx, "Spaces-1")
		mustDo(t, err)
		if !reflect.DeepEqual(team.MemberUserIDs, []string{octoinvite.AdminUserID}) || len(space.SpaceManagersTeamMembers) != 0 {
			t.Errorf("got administrators %v and managers %v, want [Users-1] and none", team.MemberUserIDs, space.SpaceManagersTeamMembers)
		}
		wantError(t, db.DeleteUser(ctx, jane.ID), octoinvite.NotFound("Users-2"))
		// The username is free again.
		mustDo(t, db.CreateUser(ctx, &octoinvite.User{Username: "Jane", DisplayName: "Another Jane"}))
	})
}

// TestStoreLastAdministratorConcurrent deactivates two administrators at once, many times: the
// administrators team keeps an active member whichever commits first, on every database.
func TestStoreLastAdministratorConcurrent(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := adminContext(t, db)
		jane := &octoinvite.User{Username: "jane", DisplayName: "Jane"}
		mustDo(t, db.CreateUser(ctx, jane))
		for round := range 10 {
			mustDo(t, db.UpdateTeam(ctx, &octoinvite.Team{ID: octoinvite.AdministratorsTeamID, Name: "Octopus Administrators",
				MemberUserIDs: []string{octoinvite.AdminUserID, jane.ID}}))
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, u := range []*octoinvite.User{{ID: octoinvite.AdminUserID, Username: "admin", DisplayName: "Administrator"}, {ID: jane.ID, Username: "jane", DisplayName: "Jane"}} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if round%2 == 0 {
						errs[i] = db.UpdateUser(ctx, u)
					} else if u.ID != octoinvite.AdminUserID {
						errs[i] = db.DeleteUser(ctx, u.ID)
					} else {
						errs[i] = db.UpdateUser(ctx, u)
					}
				}()
			}
			wg.Wait()
			if countSucceeded(t, errs, octoinvite.ErrLastAdministrator) != 1 {
				t.Fatalf("round %d: got %v, want one change to succeed and the other refused", round, errs)
			}
			mustDo(t, db.requireActiveAdministratorForTest(ctx))
			// Reactivate both for the next round.
			if round%2 == 1 && errs[1] == nil {
				jane = &octoinvite.User{Username: fmt.Sprintf("jane%d", round), DisplayName: "Jane"}
				mustDo(t, db.CreateUser(ctx, jane))
			}
			for _, id := range []string{octoinvite.AdminUserID, jane.ID} {
				if u, err := db.FindUserByID(ctx, id); err == nil && !u.IsActive {
					u.IsActive = true
					mustDo(t, db.UpdateUser(ctx, u))
				}
			}
		}
	})
}

// requireActiveAdministratorForTest checks, in a transaction of its own, that the
// administrators team has an active member.
func (db *DB) requireActiveAdministratorForTest(ctx context.Context) error {
	return db.view(ctx, func(tx *transaction) error { return tx.requireActiveAdministrator(ctx) })
}

func TestStoreFindByNameAndMember(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := adminContext(t, db)
		mustDo(t, db.CreateSpace(ctx, &octoinvite.Space{Name: "Ops"}))
		mustDo(t, db.CreateSpace(ctx, &octoinvite.Space{Name: "Ops Two"}))
		for name, want := range map[string][]string{"ops": {"Spaces-2"}, "OPS TWO": {"Spaces-3"}, "Op": {}, "%": {}} {
			page, err := db.FindSpaces(ctx, octoinvite.SpaceFilter{Name: name, Range: octoinvite.Range{Take: 10}})
			mustDo(t, err)
			if got := idsOf(page.Items, func(s *octoinvite.Space) string { return s.ID }); !reflect.DeepEqual(got, want) {
				t.Errorf("name %q: got %v, want %v", name, got, want)
			}
		}
		jane := &octoinvite.User{Username: "jane", DisplayName: "Jane"}
		mustDo(t, db.CreateUser(ctx, jane))
		mustDo(t, db.CreateTeam(ctx, &octoinvite.Team{Name: "Devs", SpaceID: ptr("Spaces-2"), MemberUserIDs: []string{jane.ID}}))
		mustDo(t, db.CreateTeam(ctx, &octoinvite.Team{Name: "Other", SpaceID: ptr("Spaces-2")}))
		for _, tc := range []struct {
			filter octoinvite.TeamFilter
			want   []string
		}{
			{octoinvite.TeamFilter{MemberUserID: jane.ID, IncludeSystem: true}, []string{octoinvite.EveryoneTeamID, "Teams-1"}},
			{octoinvite.TeamFilter{MemberUserID: "users-2"}, []string{"Teams-1"}},
			{octoinvite.TeamFilter{MemberUserID: jane.ID, SpaceIDs: []string{"Spaces-1"}}, []string{}},
			{octoinvite.TeamFilter{MemberUserID: "bogus", IncludeSystem: true}, []string{}},
		} {
			tc.filter.Range = octoinvite.Range{Take: 10}
			page, err := db.FindTeams(ctx, tc.filter)
			mustDo(t, err)
			if got := teamIDs(page.Items); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%+v: got %v, want %v", tc.filter, got, tc.want)
			}
		}
	})
}
