package web

import (
	"bytes"
	"fmt"
	"os"
	"sync"
	"testing"

	"waymark/internal/storetest"
)

func TestMain(m *testing.M) {
	// Every answer of the API in these tests must be sent as the old
	// encoding gave it (apiencode.go), byte for byte; a handler's panic
	// could be answered as an error a test accepts, so a difference also
	// fails the run at its end.
	var mu sync.Mutex
	var differs []string
	checkAPIEncoding = func(v any, body []byte) {
		if want := encodeAPISlowly(v); !bytes.Equal(body, want) {
			mu.Lock()
			differs = append(differs, fmt.Sprintf("encodeAPI differs from encoding/json for a %T:\n--- encodeAPI\n%s\n--- encoding/json\n%s", v, body, want))
			mu.Unlock()
		}
	}
	code := storetest.RunTests(m)
	if len(differs) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: %d API answers were not encoded as encoding/json encodes them; the first:\n%s\n", len(differs), differs[0])
		code = 1
	}
	os.Exit(code)
}
