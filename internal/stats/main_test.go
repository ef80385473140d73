package stats_test

import (
	"os"
	"testing"

	"waymark/internal/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.RunTests(m)) }
