package sqldb

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/octoinvite/octoinvite"
)

// TestStoreEventSeqMigration takes a store with events back to migration 10, before documents
// carried their event's seq, and applies migration 11 again: every document gets its event's
// seq, and the events regarding each document are the same pages as before, newest first.
func TestStoreEventSeqMigration(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		team := &octoinvite.Team{Name: "Deployers", SpaceID: ptr("Spaces-1")}
		mustDo(t, db.CreateTeam(ctx, team))
		var invitations []*octoinvite.Invitation
		for range 5 {
			invitations = append(invitations, newInvitation(t, db, ptr("Spaces-1"), team.ID))
		}
		_, _, err := db.RevokeInvitation(ctx, invitations[2].ID, "admin")
		mustDo(t, err)
		regarding := []string{team.ID, "Spaces-1", invitations[0].ID, invitations[2].ID, octoinvite.AdminUserID}
		pages := func() map[string][]string {
			t.Helper()
			out := map[string][]string{}
			for _, doc := range regarding {
				for _, take := range []int{2, 100} {
					page, err := db.FindEvents(ctx, octoinvite.EventFilter{Regarding: []string{doc}, Range: octoinvite.Range{Take: take}})
					mustDo(t, err)
					ids := []string{}
					for _, e := range page.Items {
						ids = append(ids, e.ID)
					}
					out[doc] = append(out[doc], ids...)
					out[doc] = append(out[doc], fmt.Sprintf("of %d", page.Total))
				}
			}
			return out
		}
		before := pages()
		if len(before[team.ID]) < 8 {
			t.Fatalf("got the events regarding %s %v, want the team's creation and its invitations", team.ID, before[team.ID])
		}

		p, err := db.migrations()
		mustDo(t, err)
		if _, err := p.DownTo(ctx, 10); err != nil {
			t.Fatalf("back to migration 10: %v", err)
		}
		var documentsBefore int
		mustDo(t, db.write.QueryRowContext(ctx, `SELECT count(*) FROM event_documents`).Scan(&documentsBefore))
		if _, err := db.write.ExecContext(ctx, `SELECT event_seq FROM event_documents`); err == nil {
			t.Fatal("event_documents still has event_seq at migration 10")
		}
		if _, err := p.Up(ctx); err != nil {
			t.Fatalf("migration 11 again: %v", err)
		}

		var documents, wrong int
		mustDo(t, db.write.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(CASE WHEN d.event_seq = e.seq THEN 0 ELSE 1 END), 0)
			FROM event_documents d JOIN events e ON e.id = d.event_id`).Scan(&documents, &wrong))
		if documents != documentsBefore || documents == 0 || wrong != 0 {
			t.Errorf("got %d documents of %d, %d without their event's seq; want all %d with it", documents, documentsBefore, wrong, documentsBefore)
		}
		if after := pages(); !reflect.DeepEqual(after, before) {
			t.Errorf("got the events regarding each document\n%v\nafter the migration, want\n%v", after, before)
		}
	})
}
