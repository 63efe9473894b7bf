package main

import (
	"testing"

	"github.com/octoinvite/octoinvite/internal/pgtest"
)

// TestMain says on one line, in the output of go test ./..., how many tests skipped for want of
// PostgreSQL.
func TestMain(m *testing.M) { pgtest.Main(m) }
