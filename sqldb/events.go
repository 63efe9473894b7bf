package sqldb

import (
	"context"
	"database/sql"
	"html"
	"strings"
	"unicode/utf16"

	"github.com/octoinvite/octoinvite"
)

var _ octoinvite.EventService = (*DB)(nil)

// maxUserAgentLength bounds the User-Agent an event keeps.
const maxUserAgentLength = 512

// recordEvent writes an event in the transaction, so that it commits with the change it records
// or not at all. Its time is the transaction's; its origin comes from the context's
// RequestInfo; its actor, unless set, is the context's user, else the system user.
func (tx *transaction) recordEvent(ctx context.Context, e *octoinvite.Event) error {
	if e.UserID == "" {
		if u := octoinvite.UserFromContext(ctx); u != nil {
			e.UserID, e.Username, e.IsService = u.ID, u.Username, u.IsService
		} else {
			e.UserID, e.Username = octoinvite.SystemUserID, octoinvite.SystemUsername
		}
	}
	info := octoinvite.RequestInfoFromContext(ctx)
	id, seq, err := tx.nextID(ctx, octoinvite.KindEvent)
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `INSERT INTO events (id, seq, category, user_id, username, identity, user_agent, ip_address, occurred, message, space_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, seq, e.Category, e.UserID, e.Username, octoinvite.Truncate(info.IdentityEstablishedWith, 100),
		octoinvite.Truncate(info.UserAgent, maxUserAgentLength), octoinvite.Truncate(info.IPAddress, 100),
		tx.now.UnixMilli(), e.Message, nullString(e.SpaceID)); err != nil {
		return err
	}
	for i, doc := range e.RelatedDocumentIDs {
		if _, err := tx.exec(ctx, `INSERT INTO event_documents (event_id, position, document_id) VALUES (?, ?, ?)`, id, i, doc); err != nil {
			return err
		}
	}
	e.ID = id
	return nil
}

// userEvent returns an event whose actor is the user.
func userEvent(user *octoinvite.User, category, message string, related ...string) *octoinvite.Event {
	return &octoinvite.Event{UserID: user.ID, Username: user.Username, IsService: user.IsService,
		Category: category, Message: message, RelatedDocumentIDs: related}
}

// FindEvents returns a page of events, newest first; see octoinvite.EventService.
func (db *DB) FindEvents(ctx context.Context, filter octoinvite.EventFilter) (page octoinvite.Page[*octoinvite.Event], err error) {
	defer wrap(&err, "FindEvents")
	var conds []string
	var args []any
	if filter.IDs != nil {
		conds = append(conds, `e.id IN (`+placeholders(max(len(filter.IDs), 1))+`)`)
		args = append(args, idArgs(canonicalIDs(octoinvite.KindEvent, filter.IDs))...)
	}
	if filter.Regarding != nil {
		conds = append(conds, `e.id IN (SELECT d.event_id FROM event_documents d WHERE d.document_id IN (`+placeholders(max(len(filter.Regarding), 1))+`))`)
		args = append(args, idArgs(filter.Regarding)...)
	}
	if filter.Users != nil {
		conds = append(conds, `e.user_id IN (`+placeholders(max(len(filter.Users), 1))+`)`)
		args = append(args, idArgs(filter.Users)...)
	}
	if filter.Spaces != nil {
		conds = append(conds, `e.space_id IN (`+placeholders(max(len(filter.Spaces), 1))+`)`)
		args = append(args, idArgs(filter.Spaces)...)
	}
	if filter.From != nil {
		conds = append(conds, `e.occurred >= ?`)
		args = append(args, filter.From.UnixMilli())
	}
	if filter.To != nil {
		conds = append(conds, `e.occurred <= ?`)
		args = append(args, filter.To.UnixMilli())
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	err = db.view(ctx, func(tx *transaction) error {
		if err := tx.queryRow(ctx, `SELECT count(*) FROM events e`+where, args...).Scan(&page.Total); err != nil {
			return err
		}
		rows, err := tx.query(ctx, `SELECT e.id, e.category, e.user_id, e.username, e.identity, e.user_agent, e.ip_address, e.occurred, e.message, e.space_id
			FROM events e`+where+` ORDER BY e.seq DESC LIMIT ? OFFSET ?`, append(args, filter.Take, filter.Skip)...)
		if err != nil {
			return err
		}
		page.Items, err = collect(rows, scanEvent)
		if err != nil || len(page.Items) == 0 {
			return err
		}
		byID := map[string]*octoinvite.Event{}
		ids := make([]any, len(page.Items))
		for i, e := range page.Items {
			byID[e.ID], ids[i] = e, e.ID
		}
		docs, err := tx.query(ctx, `SELECT event_id, document_id FROM event_documents WHERE event_id IN (`+placeholders(len(ids))+`) ORDER BY event_id, position`, ids...)
		if err != nil {
			return err
		}
		defer docs.Close()
		for docs.Next() {
			var eventID, docID string
			if err := docs.Scan(&eventID, &docID); err != nil {
				return err
			}
			byID[eventID].RelatedDocumentIDs = append(byID[eventID].RelatedDocumentIDs, docID)
		}
		if err := docs.Err(); err != nil {
			return err
		}
		for _, e := range page.Items {
			e.MessageReferences = references(e.Message, e.RelatedDocumentIDs)
		}
		return nil
	})
	return page, err
}

// FindEventByID returns the event, or ENOTFOUND.
func (db *DB) FindEventByID(ctx context.Context, raw string) (*octoinvite.Event, error) {
	page, err := db.FindEvents(ctx, octoinvite.EventFilter{IDs: []string{raw}, Range: octoinvite.Range{Take: 1}})
	if err != nil {
		return nil, err
	}
	if len(page.Items) == 0 {
		return nil, octoinvite.NotFound(octoinvite.Truncate(raw, octoinvite.MaxIDLength))
	}
	return page.Items[0], nil
}

// idArgs returns the IDs as query arguments, with one that matches nothing for an empty list,
// so that a filter naming no document selects no event.
func idArgs(ids []string) []any {
	if len(ids) == 0 {
		return []any{""}
	}
	return toAny(ids)
}

func scanEvent(row interface{ Scan(...any) error }) (*octoinvite.Event, error) {
	var e octoinvite.Event
	var occurred int64
	var space sql.NullString
	if err := row.Scan(&e.ID, &e.Category, &e.UserID, &e.Username, &e.IdentityEstablishedWith, &e.UserAgent,
		&e.IPAddress, &occurred, &e.Message, &space); err != nil {
		return nil, err
	}
	e.Occurred = millis(occurred)
	e.SpaceID = stringPtr(space)
	e.MessageHTML = html.EscapeString(e.Message)
	e.RelatedDocumentIDs = []string{}
	return &e, nil
}

// references locates each related document's ID in the message, in UTF-16 code units as
// Octopus's (.NET) clients count them.
func references(message string, ids []string) []octoinvite.EventReference {
	refs := []octoinvite.EventReference{}
	for _, id := range ids {
		if i := strings.Index(message, id); i >= 0 {
			refs = append(refs, octoinvite.EventReference{
				ReferencedDocumentID: id,
				StartIndex:           len(utf16.Encode([]rune(message[:i]))),
				Length:               len(id),
			})
		}
	}
	return refs
}
