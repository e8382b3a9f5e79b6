package reliability

import (
	"encoding/json"
	"os"
	"sync"
	"testing"
)

// EnvFile names the file rows are appended to.
const EnvFile = "IMAGEDESK_RELIABILITY"

// EnvLong, set to "1", asks the fault tests for their long variants (more kill
// points, bigger archives, more repetitions). `make faults` sets it.
const EnvLong = "IMAGEDESK_FAULTS_LONG"

// Row is one fault or input tried and its outcome.
type Row struct {
	Suite string `json:"suite"` // "fault", "archive" or "form"
	Case  string `json:"case"`  // what was done, in a few words
	Where string `json:"where"` // "window", "cli" or "window, cli"
	// Key is the catalogue key of the sentence the user saw, "" when the fault
	// was absorbed (a retried 5xx, say) and the user saw only success.
	Key string `json:"key"`
	// Lost says what was half-published, corrupt or lost; "nothing" is the goal.
	Lost string `json:"lost"`
	// Recovery says how the user gets to the end: resume, retry, nothing needed.
	Recovery string `json:"recovery"`
	// English and Chinese are filled by Record from Key.
	English string `json:"en"`
	Chinese string `json:"zh"`
}

// Long reports whether the long variants were asked for.
func Long() bool { return os.Getenv(EnvLong) == "1" }

var mu sync.Mutex

// Record checks that row.Key is translated, then appends row to the report file
// when one is set.
func Record(t testing.TB, row Row) {
	t.Helper()
	if row.Key != "" {
		en, zh, err := Sentences(row.Key)
		if err != nil {
			t.Errorf("case %q: %v", row.Case, err)
			return
		}
		row.English, row.Chinese = en, zh
	}
	path := os.Getenv(EnvFile)
	if path == "" {
		return
	}
	line, err := json.Marshal(row)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatalf("reliability report: %v", err)
	}
	defer f.Close()
	if _, err := f.Write(append(line, '\n')); err != nil {
		t.Fatalf("reliability report: %v", err)
	}
}
