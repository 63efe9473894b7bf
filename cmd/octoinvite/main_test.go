package main

import (
	"os"
	"testing"

	"github.com/octoinvite/octoinvite/internal/mailpittest"
	"github.com/octoinvite/octoinvite/internal/pgtest"
)

// TestMain says on one line, in the output of go test ./..., how many tests skipped for want of
// PostgreSQL, and of mailpit. With OCTOINVITE_TEST_MAIN=1 in its environment, the test binary is the command
// itself instead, so that tests can run it as a process and read its exit code.
func TestMain(m *testing.M) {
	if os.Getenv("OCTOINVITE_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	code := m.Run()
	pgtest.SaySkipped()
	mailpittest.SaySkipped()
	os.Exit(code)
}
