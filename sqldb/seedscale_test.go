package sqldb

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite"
)

// TestStoreSeedEvents loads events in bulk, more than a batch, and reads them back as recorded:
// IDs in order after the events already recorded, every column, and the documents in order.
func TestStoreSeedEvents(t *testing.T) {
	t.Parallel()
	const n = seedEventsBatch + 3
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		first := recordedEvents(t, db)
		event := func(i int, e *octoinvite.Event) {
			e.Category, e.UserID, e.Username = octoinvite.EventModified, fmt.Sprintf("Users-%d", i%3+1), fmt.Sprintf("user%d", i%3+1)
			e.IdentityEstablishedWith, e.UserAgent, e.IPAddress = "API key", "agent", "10.0.0.1"
			e.Occurred, e.Message = octoinvite.NewTime(testEpoch.Add(time.Duration(i)*time.Millisecond)), fmt.Sprintf("Event %d about Teams-%d", i, i)
			e.RelatedDocumentIDs = []string{fmt.Sprintf("Teams-%d", i)}
			if i%2 == 0 {
				e.SpaceID = ptr("Spaces-1")
				e.RelatedDocumentIDs = append(e.RelatedDocumentIDs, "Spaces-1")
			}
		}
		mustDo(t, db.SeedEvents(ctx, n, event))
		for _, i := range []int{0, 1, seedEventsBatch - 1, seedEventsBatch, n - 1} {
			got, err := db.FindEventByID(ctx, fmt.Sprintf("Events-%d", first+i))
			mustDo(t, err)
			var want octoinvite.Event
			event(i, &want)
			want.ID, want.MessageHTML = fmt.Sprintf("Events-%d", first+i), want.Message
			want.MessageReferences = references(want.Message, want.RelatedDocumentIDs)
			if !reflect.DeepEqual(got, &want) {
				t.Errorf("event %d: got %s, want %s", i, dump([]*octoinvite.Event{got}), dump([]*octoinvite.Event{&want}))
			}
		}
		page, err := db.FindEvents(ctx, octoinvite.EventFilter{Regarding: []string{"Spaces-1"}, Range: octoinvite.Range{Take: 1}})
		mustDo(t, err)
		if page.Total != (n+1)/2 || len(page.Items) != 1 || page.Items[0].ID != fmt.Sprintf("Events-%d", first+n-1) {
			t.Errorf("regarding Spaces-1: got %d, first %v; want %d, first Events-%d", page.Total, dump(page.Items), (n+1)/2, first+n-1)
		}
	})
}
