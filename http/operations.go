package http

import (
	"bytes"
	"context"
	_ "embed"
	"net/http"
	"time"

	"github.com/octoinvite/octoinvite"
)

//go:embed openapi.json
var openAPIDocument []byte

// OpenAPIDocument returns a copy of the OpenAPI 3 description of every route the server serves,
// as served at GET /api/openapi.json. A test validates real responses against it and fails if a
// route is missing, so that it cannot drift from the code.
func OpenAPIDocument() []byte { return bytes.Clone(openAPIDocument) }

func handleOpenAPI(w http.ResponseWriter, r *http.Request) error {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(openAPIDocument)
	return nil
}

// HealthResource is the body of GET /healthz and of a successful GET /readyz.
type HealthResource struct {
	Status string `json:"Status"`
}

// handleHealth answers that the process is up and serving; it checks nothing else, so that an
// orchestrator restarts the process only when it is stuck.
func handleHealth(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, HealthResource{Status: "Alive"})
	return nil
}

// readyTimeout bounds the readiness check's ping of the database.
const readyTimeout = 2 * time.Second

// errNotReady answers a readiness check while the database does not answer.
var errNotReady = octoinvite.Errorf(octoinvite.EUNAVAILABLE, "The server cannot reach its database; it is not ready to serve requests.")

// handleReady answers 200 when the database answers a ping within readyTimeout, else 503 with
// an Octopus error body and Retry-After, so that a load balancer sends requests elsewhere.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) error {
	if s.Ping != nil {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		if err := s.Ping(ctx); err != nil {
			s.logger().Warn("not ready", "request_id", requestID(r.Context()), "error", err.Error())
			return errNotReady
		}
	}
	writeJSON(w, http.StatusOK, HealthResource{Status: "Ready"})
	return nil
}

// handleMetrics serves the metrics to administrators. Operators who would rather scrape without
// a key serve them on a separate, private address (OperationsHandler).
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) error {
	if !octoinvite.UserFromContext(r.Context()).IsAdministrator {
		return octoinvite.Errorf(octoinvite.EFORBIDDEN,
			"You do not have permission to perform this action. Only administrators may read the metrics.")
	}
	s.Metrics.ServeHTTP(w, r)
	return nil
}

// OperationsHandler serves GET /metrics, /healthz and /readyz without authentication, for a
// listener on a private address that only the monitoring system reaches.
func (s *Server) OperationsHandler() http.Handler {
	mux := http.NewServeMux()
	if s.Metrics != nil {
		mux.Handle("GET /metrics", s.Metrics)
	}
	mux.Handle("GET /healthz", s.anonymous(handleHealth))
	mux.Handle("GET /readyz", s.anonymous(s.handleReady))
	return mux
}
