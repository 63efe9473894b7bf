package http

import "testing"

// TestRedactQuery checks that every parameter that may carry a secret is redacted whatever its
// name's case or encoding and whichever separator precedes or follows it, and that the rest of
// the query is kept as sent.
func TestRedactQuery(t *testing.T) {
	t.Parallel()
	const key = "API-SECRET0000000000000001"
	tests := []struct{ raw, want string }{
		{"", ""},
		{"skip=0&take=30", "skip=0&take=30"},
		{"apikey=" + key, "apikey=REDACTED"},
		{"ApiKey=" + key + "&take=1", "ApiKey=REDACTED&take=1"},
		{"x=1;ApiKey=" + key, "x=1;ApiKey=REDACTED"},
		{"x=1;APIKEY=" + key + ";y=2", "x=1;APIKEY=REDACTED;y=2"},
		{"ApiKey=" + key + ";x=1", "ApiKey=REDACTED;x=1"},
		{"x=1&y=2;apiKey=" + key + "&z=3", "x=1&y=2;apiKey=REDACTED&z=3"},
		{"Api%4Bey=" + key, "ApiKey=REDACTED"},
		{"invitation=CODE;invitationCode=CODE&InvitationCode=CODE", "invitation=REDACTED;invitationCode=REDACTED&InvitationCode=REDACTED"},
		{"filter=a;b&partialName=c", "filter=a;b&partialName=c"},
		{"apikey", "apikey"},
		{";&apikey=" + key + "&;", ";&apikey=REDACTED&;"},
	}
	for _, tt := range tests {
		if got := redactQuery(tt.raw); got != tt.want {
			t.Errorf("redactQuery(%q) = %q, want %q", tt.raw, got, tt.want)
		}
	}
}
