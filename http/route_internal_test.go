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

func TestIsIDRoute(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		path string
		want bool
	}{
		{"/api/spaces-1", true},
		{"/api/spaces-12/teams", true},
		{"/api/spaces-1/", true},
		{"/api/spaces-", false},
		{"/api/spaces-x/teams", false},
		{"/api/spaces-1x", false},
		{"/api/spaces", false},
		{"/api/spaces/all", false},
	} {
		if got := isIDRoute(tt.path, "/api/spaces-"); got != tt.want {
			t.Errorf("isIDRoute(%q): got %v, want %v", tt.path, got, tt.want)
		}
	}
}

// TestLowerPathRequest checks that the muxes match a lower-case copy of the path, raw form
// included, while the request keeps its own.
func TestLowerPathRequest(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest(http.MethodGet, "/API/Users/Invitations/Invitations%2D1?ApiKey=X", nil)
	match := lowerPathRequest(r)
	if match.URL.Path != "/api/users/invitations/invitations-1" || match.URL.EscapedPath() != "/api/users/invitations/invitations%2d1" {
		t.Errorf("got %q (%q), want the path in lower case", match.URL.Path, match.URL.EscapedPath())
	}
	if r.URL.Path != "/API/Users/Invitations/Invitations-1" || match.URL.RawQuery != r.URL.RawQuery {
		t.Errorf("the request changed: %q, or the query did: %q", r.URL.Path, match.URL.RawQuery)
	}
	if lower := httptest.NewRequest(http.MethodGet, "/api/users", nil); lowerPathRequest(lower) != lower {
		t.Error("a path in lower case was copied")
	}
}
