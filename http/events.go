package http

import (
	"fmt"
	"net/http"
	"time"

	"github.com/octoinvite/octoinvite"
)

func linkEvent(e *octoinvite.Event) *octoinvite.Event {
	e.Links = octoinvite.Links{"Self": "/api/events/" + e.ID}
	return e
}

// handleListEvents answers a page of the audit log, newest first, for callers with EventView.
// regarding, users and spaces take comma-separated IDs; from and to bound the time, inclusive.
func (s *Server) handleListEvents(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, octoinvite.PermissionEventView); err != nil {
		return err
	}
	q := queryOf(r)
	rng, err := q.pageRange()
	if err != nil {
		return err
	}
	filter := octoinvite.EventFilter{Regarding: q.list("regarding"), Users: q.list("users"), Spaces: q.list("spaces"), Range: rng}
	if err := q.err(); err != nil {
		return err
	}
	for _, p := range []struct {
		name string
		dst  **time.Time
	}{{"from", &filter.From}, {"to", &filter.To}} {
		v := q.get(p.name)
		if v == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			if t, err = time.Parse(time.DateOnly, v); err != nil {
				return octoinvite.Invalid(fmt.Sprintf("The parameter '%s' must be a date such as 2026-11-28 or 2026-11-28T10:00:00+00:00.", p.name))
			}
		}
		*p.dst = &t
	}
	page, err := s.Events.FindEvents(r.Context(), filter)
	if err != nil {
		return err
	}
	for _, e := range page.Items {
		linkEvent(e)
	}
	writeJSON(w, http.StatusOK, newCollection(r, "Event", "/api/events", eventsTemplate, rng, page))
	return nil
}

func (s *Server) handleGetEvent(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, octoinvite.PermissionEventView); err != nil {
		return err
	}
	e, err := s.Events.FindEventByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, linkEvent(e))
	return nil
}

const eventsTemplate = "/api/events{?skip,take,from,to,regarding,users,spaces}"
