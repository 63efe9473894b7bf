package sqldb

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/octoinvite/octoinvite"
)

// Lists in the conformance suite: a filter by a list of IDs, whatever the IDs, and a listing,
// whatever its size.

// TestStoreIDListFilters runs every filter that takes a list of IDs with an empty list, a list
// of malformed IDs only, and a list mixing malformed and valid ones: an ID that cannot name a
// document matches nothing, and the others match as they would alone.
func TestStoreIDListFilters(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, db *DB) {
		admin, err := db.FindUserByID(context.Background(), octoinvite.AdminUserID)
		mustDo(t, err)
		ctx := octoinvite.NewContextWithUser(context.Background(), admin)
		mustDo(t, db.CreateSpace(ctx, &octoinvite.Space{Name: "Ops"}))
		mustDo(t, db.CreateTeam(ctx, &octoinvite.Team{Name: "Deployers", SpaceID: ptr("Spaces-1")}))
		mustDo(t, db.CreateUser(ctx, &octoinvite.User{Username: "jo", DisplayName: "Jo"}))
		// Events-1 and Events-2 record the space and the team; Events-3, by the administrator in
		// Spaces-1; Events-4, by the system, in no space.
		mustDo(t, db.CreateInvitation(ctx, &octoinvite.Invitation{SpaceID: ptr("Spaces-1"), AddToTeamIDs: []string{"Teams-1"}, LastModifiedBy: "admin"}))
		mustDo(t, db.CreateInvitation(context.Background(), &octoinvite.Invitation{AddToTeamIDs: []string{octoinvite.EveryoneTeamID}, LastModifiedBy: "admin"}))

		all := octoinvite.Range{Take: 100}
		invitations := func(f octoinvite.InvitationFilter) func() (int, []string, error) {
			return func() (int, []string, error) {
				f.Range = all
				page, err := db.FindInvitations(context.Background(), f)
				return page.Total, idsOf(page.Items, func(i *octoinvite.Invitation) string { return i.ID }), err
			}
		}
		teams := func(f octoinvite.TeamFilter) func() (int, []string, error) {
			return func() (int, []string, error) {
				f.Range = all
				page, err := db.FindTeams(context.Background(), f)
				return page.Total, teamIDs(page.Items), err
			}
		}
		spaces := func(f octoinvite.SpaceFilter) func() (int, []string, error) {
			return func() (int, []string, error) {
				f.Range = all
				page, err := db.FindSpaces(context.Background(), f)
				return page.Total, idsOf(page.Items, func(s *octoinvite.Space) string { return s.ID }), err
			}
		}
		users := func(f octoinvite.UserFilter) func() (int, []string, error) {
			return func() (int, []string, error) {
				f.Range = all
				page, err := db.FindUsers(context.Background(), f)
				return page.Total, idsOf(page.Items, func(u *octoinvite.User) string { return u.ID }), err
			}
		}
		events := func(f octoinvite.EventFilter) func() (int, []string, error) {
			return func() (int, []string, error) {
				f.Range = all
				page, err := db.FindEvents(context.Background(), f)
				return page.Total, idsOf(page.Items, func(e *octoinvite.Event) string { return e.ID }), err
			}
		}
		bogus := []string{"bogus", "Teams-", "Spaces-0", ""}
		mixed := func(valid ...string) []string { return append(append([]string{"bogus"}, valid...), "Users-x") }
		tests := []struct {
			name string
			find func() (int, []string, error)
			want []string
		}{
			{"Invitations/IDs/Empty", invitations(octoinvite.InvitationFilter{IDs: []string{}}), []string{}},
			{"Invitations/IDs/MalformedOnly", invitations(octoinvite.InvitationFilter{IDs: bogus}), []string{}},
			{"Invitations/IDs/Mixed", invitations(octoinvite.InvitationFilter{IDs: mixed("invitations-2", "Invitations-9")}), []string{"Invitations-2"}},
			{"Invitations/Teams/Empty", invitations(octoinvite.InvitationFilter{TeamIDs: []string{}}), []string{}},
			{"Invitations/Teams/MalformedOnly", invitations(octoinvite.InvitationFilter{TeamIDs: bogus}), []string{}},
			{"Invitations/Teams/Mixed", invitations(octoinvite.InvitationFilter{TeamIDs: mixed("teams-1")}), []string{"Invitations-1"}},
			{"Teams/IDs/Empty", teams(octoinvite.TeamFilter{IDs: []string{}, IncludeSystem: true}), []string{}},
			{"Teams/IDs/MalformedOnly", teams(octoinvite.TeamFilter{IDs: bogus, IncludeSystem: true}), []string{}},
			{"Teams/IDs/Mixed", teams(octoinvite.TeamFilter{IDs: mixed("TEAMS-EVERYONE", "teams-1"), IncludeSystem: true}), []string{"teams-everyone", "Teams-1"}},
			{"Teams/Spaces/MalformedOnly", teams(octoinvite.TeamFilter{SpaceIDs: bogus}), []string{}},
			{"Teams/Spaces/Mixed", teams(octoinvite.TeamFilter{SpaceIDs: mixed("spaces-1")}), []string{"Teams-1"}},
			{"Teams/SpacesAndSystem/MalformedOnly", teams(octoinvite.TeamFilter{SpaceIDs: bogus, IncludeSystem: true}),
				[]string{"teams-administrators", "teams-everyone"}},
			{"Teams/SpacesAndSystem/Mixed", teams(octoinvite.TeamFilter{SpaceIDs: mixed("Spaces-2"), IncludeSystem: true}),
				[]string{"teams-administrators", "teams-everyone"}},
			{"Spaces/IDs/Empty", spaces(octoinvite.SpaceFilter{IDs: []string{}}), []string{}},
			{"Spaces/IDs/MalformedOnly", spaces(octoinvite.SpaceFilter{IDs: bogus}), []string{}},
			{"Spaces/IDs/Mixed", spaces(octoinvite.SpaceFilter{IDs: mixed("spaces-2")}), []string{"Spaces-2"}},
			{"Users/IDs/Empty", users(octoinvite.UserFilter{IDs: []string{}}), []string{}},
			{"Users/IDs/MalformedOnly", users(octoinvite.UserFilter{IDs: bogus}), []string{}},
			{"Users/IDs/Mixed", users(octoinvite.UserFilter{IDs: mixed("USERS-2")}), []string{"Users-2"}},
			{"Events/IDs/Empty", events(octoinvite.EventFilter{IDs: []string{}}), []string{}},
			{"Events/IDs/MalformedOnly", events(octoinvite.EventFilter{IDs: bogus}), []string{}},
			{"Events/IDs/Mixed", events(octoinvite.EventFilter{IDs: mixed("events-1")}), []string{"Events-1"}},
			{"Events/Regarding/Empty", events(octoinvite.EventFilter{Regarding: []string{}}), []string{}},
			{"Events/Regarding/MalformedOnly", events(octoinvite.EventFilter{Regarding: bogus}), []string{}},
			{"Events/Regarding/Mixed", events(octoinvite.EventFilter{Regarding: mixed("Teams-1")}), []string{"Events-3", "Events-2"}},
			{"Events/Users/Empty", events(octoinvite.EventFilter{Users: []string{}}), []string{}},
			{"Events/Users/MalformedOnly", events(octoinvite.EventFilter{Users: bogus}), []string{}},
			{"Events/Users/Mixed", events(octoinvite.EventFilter{Users: mixed(octoinvite.SystemUserID)}), []string{"Events-4"}},
			{"Events/Spaces/Empty", events(octoinvite.EventFilter{Spaces: []string{}}), []string{}},
			{"Events/Spaces/MalformedOnly", events(octoinvite.EventFilter{Spaces: bogus}), []string{}},
			{"Events/Spaces/Mixed", events(octoinvite.EventFilter{Spaces: mixed("Spaces-1")}), []string{"Events-3", "Events-2"}},
			{"Events/Regarding/AnyCase", events(octoinvite.EventFilter{Regarding: []string{"teams-1", "TEAMS-EVERYONE"}}), []string{"Events-4", "Events-3", "Events-2"}},
			{"Events/Users/AnyCase", events(octoinvite.EventFilter{Users: []string{"USERS-SYSTEM", "users-1"}}), []string{"Events-4", "Events-3", "Events-2", "Events-1"}},
			{"Events/Spaces/AnyCase", events(octoinvite.EventFilter{Spaces: []string{"spaces-1"}}), []string{"Events-3", "Events-2"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				total, ids, err := tc.find()
				if err != nil {
					t.Fatalf("got %v, want %v", err, tc.want)
				}
				if total != len(tc.want) || !reflect.DeepEqual(ids, tc.want) {
					t.Errorf("got %d %v, want %d %v", total, ids, len(tc.want), tc.want)
				}
			})
		}
	})
}

// TestStoreListsAtAnySize lists 100,000 invitations, more than either database accepts
// parameters in one statement, whole and by a filtered page, each with its teams.
func TestStoreListsAtAnySize(t *testing.T) {
	t.Parallel()
	const n = 100_000
	forEachStore(t, func(t *testing.T, db *DB) {
		t.Parallel() // SQLite's work is the test's own, PostgreSQL's its server's: they overlap
		ctx := context.Background()
		// The oldest and the newest invitation have teams, those between none, so that the
		// listing's teams are checked at both ends of the page, and seeding stays quick.
		oldest, newest := []string{octoinvite.AdministratorsTeamID, octoinvite.EveryoneTeamID}, []string{octoinvite.EveryoneTeamID}
		mustDo(t, db.CreateInvitation(ctx, &octoinvite.Invitation{SpaceID: ptr("Spaces-1"), AddToTeamIDs: oldest, LastModifiedBy: "admin"}))
		mustDo(t, db.SeedInvitations(ctx, n-2, octoinvite.Invitation{AddToTeamIDs: []string{}, LastModifiedBy: "admin"}))
		mustDo(t, db.CreateInvitation(ctx, &octoinvite.Invitation{AddToTeamIDs: newest, LastModifiedBy: "admin"}))
		t.Run("All", func(t *testing.T) {
			page, err := db.FindInvitations(ctx, octoinvite.InvitationFilter{Range: octoinvite.Range{Take: 1<<31 - 1}})
			if err != nil {
				t.Fatalf("got %v, want %d invitations", err, n)
			}
			if page.Total != n || len(page.Items) != n {
				t.Fatalf("got %d of %d invitations, want %d of %d", len(page.Items), page.Total, n, n)
			}
			for i, inv := range page.Items {
				wantID, wantTeams := fmt.Sprintf("Invitations-%d", n-i), []string{}
				switch i {
				case 0:
					wantTeams = newest
				case n - 1:
					wantTeams = oldest
				}
				if inv.ID != wantID || !reflect.DeepEqual(inv.AddToTeamIDs, wantTeams) || !octoinvite.ValidInvitationCode(inv.InvitationCode) {
					t.Fatalf("item %d: got %s for %v with code %q, want %s for %v with its code", i, inv.ID, inv.AddToTeamIDs, inv.InvitationCode, wantID, wantTeams)
				}
			}
		})
		t.Run("FilteredPage", func(t *testing.T) {
			page, err := db.FindInvitations(ctx, octoinvite.InvitationFilter{TeamIDs: []string{octoinvite.EveryoneTeamID},
				States: []string{octoinvite.StatePending}, Range: octoinvite.Range{Skip: 1, Take: 30}})
			mustDo(t, err)
			if got := idsOf(page.Items, func(i *octoinvite.Invitation) string { return i.ID }); page.Total != 2 ||
				!reflect.DeepEqual(got, []string{"Invitations-1"}) || !reflect.DeepEqual(page.Items[0].AddToTeamIDs, oldest) {
				t.Errorf("got %d %v, want 2 [Invitations-1] with both system teams", page.Total, got)
			}
		})
	})
}

func idsOf[T any](items []T, id func(T) string) []string {
	out := make([]string, len(items))
	for i, item := range items {
		out[i] = id(item)
	}
	return out
}
