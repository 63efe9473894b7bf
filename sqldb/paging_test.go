package sqldb

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite"
)

// Lists at scale: the pages deep in a list, found by a seek on seq rather than by skipping rows,
// and the counts, read from indexes, answer what the rule of each filter says, item for item.

// TestStorePagesAgreeWithTheWholeList seeds invitations in every state, in two spaces and over
// teams, and holds every page of every filter (at skips from 0 to past the end) to the slice
// of the whole list, taken in one page, that it should be; and that whole list, with its count,
// to what the filter's rule selects among all the invitations, judged in Go by StateAt.
func TestStorePagesAgreeWithTheWholeList(t *testing.T) {
	t.Parallel()
	const n = 2_000
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := adminContext(t, db)
		space := &octoinvite.Space{Name: "Ops"}
		mustDo(t, db.CreateSpace(ctx, space))
		team := &octoinvite.Team{Name: "Deployers", SpaceID: &space.ID}
		mustDo(t, db.CreateTeam(ctx, team))
		now := testEpoch
		mustDo(t, db.SeedInvitationsFrom(ctx, n, func(i int, inv *octoinvite.Invitation) {
			created := now.Add(-time.Duration(n-i) * time.Hour)
			inv.LastModifiedOn, inv.LastModifiedBy = octoinvite.NewTime(created), "admin"
			inv.Expires = octoinvite.NewTime(created.Add(time.Duration(i%97) * 24 * time.Hour))
			inv.AddToTeamIDs = []string{}
			if i%3 != 0 {
				inv.SpaceID = &space.ID
				if i%2 == 0 {
					inv.AddToTeamIDs = []string{team.ID}
				}
			}
			if i%5 == 0 {
				inv.AddToTeamIDs = append(inv.AddToTeamIDs, octoinvite.EveryoneTeamID)
			}
			switch {
			case i%11 == 0:
				t := octoinvite.NewTime(created.Add(time.Minute))
				inv.RevokedOn, inv.RevokedBy = &t, ptr("admin")
			case i%7 == 0:
				t := octoinvite.NewTime(created.Add(time.Minute))
				inv.MaxUses, inv.Uses, inv.RedeemedOn, inv.RedeemedBy = 2, 2, &t, ptr("someone")
			case i%13 == 0:
				inv.MaxUses, inv.Uses = 3, 1
			}
		}))
		everything, err := db.FindInvitations(ctx, octoinvite.InvitationFilter{Range: octoinvite.Range{Take: octoinvite.MaxTake}})
		mustDo(t, err)
		if len(everything.Items) != n || everything.Total != n {
			t.Fatalf("got %d of %d invitations, want %d", len(everything.Items), everything.Total, n)
		}
		states := map[string]int{}
		for _, inv := range everything.Items {
			states[inv.State]++
		}
		for _, s := range octoinvite.InvitationStates {
			if states[s] < 50 {
				t.Fatalf("got %d invitations %s, want at least 50 of each state: %v", states[s], s, states)
			}
		}

		filters := []struct {
			name   string
			filter octoinvite.InvitationFilter
			keep   func(*octoinvite.Invitation) bool
		}{
			{"All", octoinvite.InvitationFilter{}, func(*octoinvite.Invitation) bool { return true }},
			{"Space", octoinvite.InvitationFilter{SpaceID: &space.ID}, func(i *octoinvite.Invitation) bool { return i.SpaceID != nil }},
			{"Team", octoinvite.InvitationFilter{TeamIDs: []string{team.ID}}, hasTeam(team.ID)},
			{"Teams", octoinvite.InvitationFilter{TeamIDs: []string{team.ID, octoinvite.EveryoneTeamID}}, func(i *octoinvite.Invitation) bool {
				return hasTeam(team.ID)(i) || hasTeam(octoinvite.EveryoneTeamID)(i)
			}},
			{"IDs", octoinvite.InvitationFilter{IDs: []string{"Invitations-1", "Invitations-500", "invitations-1999", "Invitations-9999"}}, func(i *octoinvite.Invitation) bool {
				return slices.Contains([]string{"Invitations-1", "Invitations-500", "Invitations-1999"}, i.ID)
			}},
			{"SpaceTeamAndState", octoinvite.InvitationFilter{SpaceID: &space.ID, TeamIDs: []string{octoinvite.EveryoneTeamID}, States: []string{octoinvite.StateExpired}},
				func(i *octoinvite.Invitation) bool {
					return i.SpaceID != nil && hasTeam(octoinvite.EveryoneTeamID)(i) && i.State == octoinvite.StateExpired
				}},
		}
		for set := 1; set < 1<<len(octoinvite.InvitationStates); set++ {
			var states []string
			for k, s := range octoinvite.InvitationStates {
				if set&(1<<k) != 0 {
					states = append(states, s)
				}
			}
			filters = append(filters, struct {
				name   string
				filter octoinvite.InvitationFilter
				keep   func(*octoinvite.Invitation) bool
			}{fmt.Sprintf("States%v", states), octoinvite.InvitationFilter{States: states}, func(i *octoinvite.Invitation) bool { return slices.Contains(states, i.State) }})
		}
		for _, f := range filters {
			t.Run(f.name, func(t *testing.T) {
				var want []string
				for _, inv := range everything.Items {
					if f.keep(inv) {
						want = append(want, inv.ID)
					}
				}
				for _, r := range []octoinvite.Range{{Skip: 0, Take: octoinvite.MaxTake}, {Skip: 0, Take: 30}, {Skip: 1, Take: 30},
					{Skip: 29, Take: 7}, {Skip: len(want) / 2, Take: 30}, {Skip: len(want) - 1, Take: 30}, {Skip: len(want), Take: 30},
					{Skip: len(want) + 5, Take: 30}, {Skip: 3, Take: 0}, {Skip: 2, Take: octoinvite.MaxTake}} {
					filter := f.filter
					filter.Range = r
					page, err := db.FindInvitations(ctx, filter)
					mustDo(t, err)
					got := idsOf(page.Items, func(i *octoinvite.Invitation) string { return i.ID })
					wantPage := want[min(r.Skip, len(want)):min(r.Skip+min(r.Take, len(want)), len(want))]
					if page.Total != len(want) || !slices.Equal(got, wantPage) {
						t.Errorf("skip %d, take %d: got %d %v, want %d %v", r.Skip, r.Take, page.Total, got, len(want), wantPage)
					}
					for _, inv := range page.Items {
						whole := everything.Items[slices.IndexFunc(everything.Items, func(w *octoinvite.Invitation) bool { return w.ID == inv.ID })]
						if !reflect.DeepEqual(inv, whole) {
							t.Errorf("skip %d, take %d: got %s, want %s as the whole list has it", r.Skip, r.Take, dump([]*octoinvite.Invitation{inv}), dump([]*octoinvite.Invitation{whole}))
						}
					}
				}
			})
		}
	})
}

// TestStoreEventsRegardingPages records events that name documents once, twice, or along with
// others, and holds the pages and counts of the events regarding one document or several to
// what the events name, newest first, each event once.
func TestStoreEventsRegardingPages(t *testing.T) {
	t.Parallel()
	const n = 1_500
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := adminContext(t, db)
		first := recordedEvents(t, db)
		related := func(i int) []string {
			docs := []string{fmt.Sprintf("Users-%d", i%4+2)}
			if i%3 == 0 {
				docs = append(docs, "Teams-9")
			}
			if i%10 == 0 {
				docs = append(docs, "Teams-9", fmt.Sprintf("Invitations-%d", i)) // named twice
			}
			return docs
		}
		mustDo(t, db.SeedEvents(ctx, n, func(i int, e *octoinvite.Event) {
			e.Category, e.UserID, e.Username = octoinvite.EventModified, fmt.Sprintf("Users-%d", i%2+2), "user"
			e.Occurred, e.Message = octoinvite.NewTime(testEpoch.Add(time.Duration(i)*time.Second)), "seeded"
			e.RelatedDocumentIDs = related(i)
			if i%2 == 0 {
				e.SpaceID = ptr("Spaces-1")
			}
		}))
		tests := []struct {
			name   string
			filter octoinvite.EventFilter
			keep   func(i int) bool
		}{
			{"OneDocument", octoinvite.EventFilter{Regarding: []string{"teams-9"}}, func(i int) bool { return slices.Contains(related(i), "Teams-9") }},
			{"OneEvent", octoinvite.EventFilter{Regarding: []string{"Invitations-730"}}, func(i int) bool { return i == 730 }},
			{"TwoDocuments", octoinvite.EventFilter{Regarding: []string{"Teams-9", "Users-3"}}, func(i int) bool {
				return slices.Contains(related(i), "Teams-9") || slices.Contains(related(i), "Users-3")
			}},
			{"DocumentAndSpace", octoinvite.EventFilter{Regarding: []string{"Teams-9"}, Spaces: []string{"Spaces-1"}}, func(i int) bool {
				return slices.Contains(related(i), "Teams-9") && i%2 == 0
			}},
			{"DocumentAndUser", octoinvite.EventFilter{Regarding: []string{"Users-3"}, Users: []string{"Users-3"}}, func(i int) bool {
				return slices.Contains(related(i), "Users-3") && i%2 == 1
			}},
			{"NoDocument", octoinvite.EventFilter{Regarding: []string{"Teams-10"}}, func(int) bool { return false }},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				var want []string
				for i := n - 1; i >= 0; i-- {
					if tc.keep(i) {
						want = append(want, fmt.Sprintf("Events-%d", first+i))
					}
				}
				for _, r := range []octoinvite.Range{{Skip: 0, Take: octoinvite.MaxTake}, {Skip: 0, Take: 30}, {Skip: 13, Take: 30},
					{Skip: len(want) / 2, Take: 30}, {Skip: max(len(want)-1, 0), Take: 30}, {Skip: len(want), Take: 30}} {
					filter := tc.filter
					filter.Range = r
					page, err := db.FindEvents(ctx, filter)
					mustDo(t, err)
					got := idsOf(page.Items, func(e *octoinvite.Event) string { return e.ID })
					wantPage := want[min(r.Skip, len(want)):min(r.Skip+min(r.Take, len(want)), len(want))]
					if page.Total != len(want) || !slices.Equal(got, wantPage) {
						t.Errorf("skip %d, take %d: got %d %v, want %d %v", r.Skip, r.Take, page.Total, got, len(want), wantPage)
					}
					for _, e := range page.Items {
						if i := eventNumber(e.ID) - first; !slices.Equal(e.RelatedDocumentIDs, related(i)) {
							t.Errorf("%s: got documents %v, want %v", e.ID, e.RelatedDocumentIDs, related(i))
						}
					}
				}
			})
		}
	})
}

func hasTeam(id string) func(*octoinvite.Invitation) bool {
	return func(i *octoinvite.Invitation) bool { return slices.Contains(i.AddToTeamIDs, id) }
}

// recordedEvents returns the number the next event's ID will have.
func recordedEvents(t *testing.T, db *DB) int {
	t.Helper()
	page, err := db.FindEvents(context.Background(), octoinvite.EventFilter{Range: octoinvite.Range{Take: 1}})
	mustDo(t, err)
	if len(page.Items) == 0 {
		return 1
	}
	return eventNumber(page.Items[0].ID) + 1
}

// eventNumber returns the N of an event's ID.
func eventNumber(id string) int {
	var n int
	fmt.Sscanf(id, "Events-%d", &n)
	return n
}

// TestStorePurgeWithConcurrentCreates purges more than two batches of closed invitations while
// invitations are created: every create succeeds and is kept, and the purge deletes exactly the
// closed invitations, with their teams, and records one event per batch naming them.
func TestStorePurgeWithConcurrentCreates(t *testing.T) {
	t.Parallel()
	const closed = 2*purgeBatch + purgeBatch/3 // two whole batches and a part of one
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := adminContext(t, db)
		mustDo(t, db.SeedInvitationsFrom(ctx, closed, func(i int, inv *octoinvite.Invitation) {
			created := testEpoch.Add(-40 * 24 * time.Hour)
			inv.LastModifiedOn, inv.LastModifiedBy = octoinvite.NewTime(created), "admin"
			inv.Expires = octoinvite.NewTime(created.Add(time.Hour))
			inv.AddToTeamIDs = []string{octoinvite.EveryoneTeamID}
			inv.SpaceID = ptr("Spaces-1")
		}))
		before := recordedEvents(t, db)
		const creators, creates = 4, 25
		created := make(chan string, creators*creates)
		errs := make(chan error, creators*creates)
		var purged int
		var purgeErr error
		var wg sync.WaitGroup
		wg.Go(func() { purged, purgeErr = db.PurgeInvitations(context.Background(), 24*time.Hour) }) // as the lifecycle worker, by the system
		for range creators {
			wg.Go(func() {
				for range creates {
					inv := &octoinvite.Invitation{SpaceID: ptr("Spaces-1"), AddToTeamIDs: []string{octoinvite.EveryoneTeamID}, LastModifiedBy: "admin"}
					if err := db.CreateInvitation(ctx, inv); err != nil {
						errs <- err
						continue
					}
					created <- inv.ID
				}
			})
		}
		wg.Wait()
		close(created)
		close(errs)
		for err := range errs {
			t.Errorf("create during the purge: got %v, want success", err)
		}
		mustDo(t, purgeErr)
		if purged != closed {
			t.Errorf("got %d purged, want %d", purged, closed)
		}
		var want []string
		for id := range created {
			want = append(want, id)
		}
		slices.SortFunc(want, func(a, b string) int { return idNumber(b) - idNumber(a) })
		page, err := db.FindInvitations(ctx, octoinvite.InvitationFilter{Range: octoinvite.Range{Take: octoinvite.MaxTake}})
		mustDo(t, err)
		if got := idsOf(page.Items, func(i *octoinvite.Invitation) string { return i.ID }); !slices.Equal(got, want) {
			t.Errorf("got %d invitations %v, want the %d created during the purge %v", len(got), got, len(want), want)
		}
		var teams int
		mustDo(t, db.read.QueryRowContext(ctx, `SELECT count(*) FROM invitation_teams`).Scan(&teams))
		if teams != len(want) {
			t.Errorf("got %d rows of teams, want %d, those of the invitations kept", teams, len(want))
		}
		// The purge's events: one per batch, by the system, naming every invitation purged once.
		events, err := db.FindEvents(ctx, octoinvite.EventFilter{Users: []string{octoinvite.SystemUserID}, Range: octoinvite.Range{Take: octoinvite.MaxTake}})
		mustDo(t, err)
		named := map[string]int{}
		var sizes []int
		for _, e := range events.Items {
			if eventNumber(e.ID) < before || e.Category != octoinvite.EventDeleted {
				continue
			}
			sizes = append(sizes, len(e.RelatedDocumentIDs))
			for _, id := range e.RelatedDocumentIDs {
				named[id]++
			}
		}
		slices.Sort(sizes)
		if wantSizes := []int{closed - 2*purgeBatch, purgeBatch, purgeBatch}; !slices.Equal(sizes, wantSizes) {
			t.Errorf("got purge events naming %v invitations, want %v", sizes, wantSizes)
		}
		for i := 1; i <= closed; i++ {
			if id := fmt.Sprintf("Invitations-%d", i); named[id] != 1 {
				t.Errorf("%s: named by %d purge events, want 1", id, named[id])
			}
		}
	})
}
