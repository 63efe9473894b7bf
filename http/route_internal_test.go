package http

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestRoutedHandlerPathValues checks that a handler called after ServeMux.Handler matched its
// pattern sees the path values and pattern that ServeMux.ServeHTTP would have set.
func TestRoutedHandlerPathValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, pattern, path string
		names               []string
	}{
		{"OneWildcard", "GET /api/spaces/{id}", "/api/spaces/Spaces-1", []string{"id"}},
		{"TwoWildcards", "GET /api/{space}/users/invitations/{id}", "/api/Spaces-1/users/invitations/Invitations-7", []string{"space", "id"}},
		{"Escaped", "GET /api/{space}/users/invitations/{id}", "/api/Spaces%2D1/users/invitations/Invitations%2F7", []string{"space", "id"}},
		{"EscapedPercent", "GET /api/users/{id}", "/api/users/100%25", []string{"id"}},
		{"EndAnchor", "GET /api/{space}/{$}", "/api/Spaces-1/", []string{"space"}},
		{"Rest", "GET /files/{path...}", "/files/a/b%20c/d", []string{"path"}},
		{"NoWildcard", "GET /api/users", "/api/users", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// seen records the pattern and the path values a handler saw.
			seen := func(into *[]string) http.Handler {
				return http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
					*into = append(*into, r.Pattern)
					for _, name := range tt.names {
						*into = append(*into, name+"="+r.PathValue(name))
					}
				})
			}
			var want, got []string
			reference := http.NewServeMux()
			reference.Handle(tt.pattern, seen(&want))
			reference.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, tt.path, nil))

			mux := http.NewServeMux()
			mux.Handle(tt.pattern, newRoutedHandler(tt.pattern, seen(&got)))
			r := httptest.NewRequest(http.MethodGet, tt.path, nil)
			h, pattern := mux.Handler(r)
			if pattern != tt.pattern {
				t.Fatalf("got pattern %q, want %q", pattern, tt.pattern)
			}
			h.ServeHTTP(httptest.NewRecorder(), r)
			if len(want) == 0 || len(got) != len(want) {
				t.Fatalf("got %q, want %q", got, want)
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("got %q, want %q", got, want)
					break
				}
			}
		})
	}
}
