package http

import "testing"

// TestOwnAnswer checks that net/http's own answers are recognised, with their status and
// problem, and that no answer of a handler is, even one with the same status and type.
func TestOwnAnswer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		write   string
		status  int
		problem string
		ok      bool
	}{
		{"HTTP/1.1 431 Request Header Fields Too Large" + ownAnswerHeaders + "431 Request Header Fields Too Large", 431, "", true},
		{"HTTP/1.1 400 Bad Request" + ownAnswerHeaders + "400 Bad Request", 400, "", true},
		{"HTTP/1.1 400 Bad Request: missing required Host header" + ownAnswerHeaders + "400 Bad Request: missing required Host header", 400, "missing required Host header", true},
		{"HTTP/1.1 501 Not Implemented" + ownAnswerHeaders + "Unsupported transfer encoding", 501, "", true},
		{"HTTP/1.1 417 Expectation Failed\r\nConnection: close\r\nDate: Wed, 02 Dec 2026 16:28:16 GMT\r\nContent-Length: 0\r\n\r\n", 417, "", true},
		{"HTTP/1.0 417 Expectation Failed\r\nConnection: close\r\nDate: Wed, 02 Dec 2026 16:28:16 GMT\r\nContent-Length: 0\r\n\r\n", 417, "", true},
		{"HTTP/1.1 417 Expectation Failed\r\nConnection: close\r\nDate: Wed, 02 Dec 2026 16:28:16 GMT\r\n\r\n", 417, "", true}, // to HEAD
		// A 417 with anything more (a body, a Content-Type) is not net/http's own.
		{"HTTP/1.1 417 Expectation Failed\r\nConnection: close\r\nDate: Wed, 02 Dec 2026 16:28:16 GMT\r\nContent-Length: 2\r\n\r\n{}", 0, "", false},
		{"HTTP/1.1 417 Expectation Failed\r\nConnection: close\r\nDate: Wed, 02 Dec 2026 16:28:16 GMT\r\nContent-Type: application/json; charset=utf-8\r\n\r\n", 0, "", false},
		{"HTTP/1.1 417 Expectation Failed\r\nConnection: close\r\nDate: Wed", 0, "", false},
		// A handler's answer: Go writes Connection before Content-Type, and a Date.
		{"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nDate: Wed, 02 Dec 2026 05:01:06 GMT\r\n\r\n400 Bad Request", 0, "", false},
		{"HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n\r\n{}", 0, "", false},
		{`{"ErrorMessage":"HTTP/1.1 400 Bad Request` + ownAnswerHeaders + `"}`, 0, "", false},
		{"HTTP/1.1 ", 0, "", false},
	}
	for _, tt := range tests {
		status, problem, ok := ownAnswer([]byte(tt.write))
		if status != tt.status || problem != tt.problem || ok != tt.ok {
			t.Errorf("ownAnswer(%q) = %d, %q, %v; want %d, %q, %v", tt.write, status, problem, ok, tt.status, tt.problem, tt.ok)
		}
	}
}
