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
	docs := make([]any, 0, 4*len(e.RelatedDocumentIDs))
	for i, doc := range e.RelatedDocumentIDs {
		docs = append(docs, id, i, doc, seq)
	}
	if err := tx.insertRows(ctx, "event_documents", eventDocumentColumns, docs); err != nil {
		return err
	}
	e.ID = id
	return nil
}

// eventDocumentColumns are the columns of a row of event_documents, as recordEvent writes them.
const eventDocumentColumns = "event_id, position, document_id, event_seq"

// userEvent returns an event whose actor is the user.
func userEvent(user *octoinvite.User, category, message string, related ...string) *octoinvite.Event {
	return &octoinvite.Event{UserID: user.ID, Username: user.Username, IsService: user.IsService,
		Category: category, Message: message, RelatedDocumentIDs: related}
}

// FindEvents returns a page of events, newest first; see octoinvite.EventService.
func (db *DB) FindEvents(ctx context.Context, filter octoinvite.EventFilter) (page octoinvite.Page[*octoinvite.Event], err error) {
	defer wrap(&err, "FindEvents")
	c := conditions{dialect: db.dialect}
	if filter.IDs != nil {
		c.in("e.id", canonicalIDs(octoinvite.KindEvent, filter.IDs))
	}
	if filter.Users != nil {
		c.in("e.user_id", canonicalDocumentIDs(filter.Users))
	}
	if filter.Spaces != nil {
		c.in("e.space_id", canonicalIDs(octoinvite.KindSpace, filter.Spaces))
	}
	if filter.From != nil {
		c.add(`e.occurred >= ?`, filter.From.UnixMilli())
	}
	if filter.To != nil {
		c.add(`e.occurred <= ?`, filter.To.UnixMilli())
	}
	// count counts the events selected; seqs selects the seq of the page's events, newest first.
	count := `SELECT count(*) FROM events e` + c.where()
	seqs := `SELECT e.seq FROM events e` + c.where() + ` ORDER BY e.seq DESC LIMIT ? OFFSET ?`
	args := c.args
	if filter.Regarding != nil {
		// The events regarding documents are read from the documents' index entries, newest
		// first (event_documents_regarding), joined to the events only for the other
		// conditions. An event that names a document twice, or names two of them, counts once.
		from := `event_documents d`
		if len(c.conds) > 0 {
			from += ` JOIN events e ON e.seq = d.event_seq`
		}
		regarding := conditions{dialect: db.dialect}
		if ids := canonicalDocumentIDs(filter.Regarding); len(ids) == 1 {
			regarding.add(`d.document_id = ?`, ids[0]) // a range of the index, already in order
		} else {
			regarding.in("d.document_id", ids)
		}
		regarding.conds = append(regarding.conds, c.conds...)
		regarding.args = append(regarding.args, c.args...)
		count = `SELECT count(DISTINCT d.event_seq) FROM ` + from + regarding.where()
		seqs = `SELECT DISTINCT d.event_seq FROM ` + from + regarding.where() + ` ORDER BY d.event_seq DESC LIMIT ? OFFSET ?`
		args = regarding.args
	}
	err = db.view(ctx, func(tx *transaction) error {
		if err := tx.queryRow(ctx, count, args...).Scan(&page.Total); err != nil {
			return err
		}
		// The page's documents come in the same statement, by a join: a list of the page's IDs
		// would be as long as the page.
		rows, err := tx.query(ctx, `SELECT e.id, d.document_id, e.category, e.user_id, e.username, e.identity, e.user_agent, e.ip_address, e.occurred, e.message, e.space_id
			FROM events e LEFT JOIN event_documents d ON d.event_id = e.id
			WHERE e.seq IN (`+seqs+`) ORDER BY e.seq DESC, d.position`,
			append(args, filter.Take, filter.Skip)...)
		if err != nil {
			return err
		}
		if page.Items, err = readEvents(rows); err != nil {
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

// readEvents reads rows of an event's ID, one of its related documents (NULL for none), and its
// other columns, one row per document (see collectJoined).
func readEvents(rows *sql.Rows) ([]*octoinvite.Event, error) {
	var e octoinvite.Event
	var occurred int64
	var space sql.NullString
	dest := []any{&e.Category, &e.UserID, &e.Username, &e.IdentityEstablishedWith, &e.UserAgent, &e.IPAddress, &occurred, &e.Message, &space}
	return collectJoined(rows, dest,
		func(id string) (*octoinvite.Event, error) {
			event := e
			event.ID = id
			event.Occurred = millis(occurred)
			event.SpaceID = stringPtr(space)
			event.MessageHTML = html.EscapeString(e.Message)
			event.RelatedDocumentIDs = []string{}
			return &event, nil
		},
		func(event *octoinvite.Event, doc string) {
			event.RelatedDocumentIDs = append(event.RelatedDocumentIDs, doc)
		})
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
