package main

import (
	"testing"

	"github.com/darkgo/darkgo/internal/testvideo"
)

// TestMain removes the test videos the tests made (once, shared).
func TestMain(m *testing.M) { testvideo.Main(m) }
