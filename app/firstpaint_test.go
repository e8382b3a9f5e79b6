package app

import (
	"bufio"
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"os/exec"
	"testing"
	"time"
)

// childEnv makes the test binary run TestFirstPaintChild as a child process.
const childEnv = "IMAGEDESK_TEST_FIRST_PAINT_CHILD"

// childSleep is how long the child waits between its start and the paint.
const childSleep = 600 * time.Millisecond

// TestFirstPaintCountsFromProcessStart runs a child that starts, waits, only
// then builds its Shell and reports a paint: the figure must cover the wait
// (it counts from the process start, not from when Go code built something)
// and no more than the child's whole life seen from here.
func TestFirstPaintCountsFromProcessStart(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run=^TestFirstPaintChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	began := time.Now()
	out, err := cmd.Output()
	life := time.Since(began)
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}

	var lines []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil && m["msg"] == "first paint" {
			lines = append(lines, m)
		}
	}
	if len(lines) != 1 {
		t.Fatalf("%d first paint lines, want exactly 1:\n%s", len(lines), out)
	}
	ms, ok := lines[0]["ms"].(float64)
	if !ok {
		t.Fatalf("no ms in %v", lines[0])
	}
	// /proc times have 10 ms steps; allow two of them either way.
	if ms < float64(childSleep.Milliseconds()-20) || ms > float64(life.Milliseconds()+20) {
		t.Errorf("first paint at %.0f ms, want from %d to %d", ms, childSleep.Milliseconds(),
			life.Milliseconds())
	}
	if lines[0]["level"] != "DEBUG" || lines[0]["op"] != "startup" {
		t.Errorf("line %v, want level DEBUG and op startup", lines[0])
	}
}

// TestFirstPaintChild is the child of the test above; alone it does nothing.
func TestFirstPaintChild(t *testing.T) {
	if os.Getenv(childEnv) != "1" {
		return
	}
	time.Sleep(childSleep)
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelDebug}))
	sh := newShell(t.TempDir(), "en", nil, log)
	sh.FirstPaint()
	sh.FirstPaint() // a reload of the page must not log again
}

// TestFirstPaintQuietByDefault checks that without --verbose nothing is logged.
func TestFirstPaintQuietByDefault(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	sh := newShell(t.TempDir(), "en", nil, slog.New(slog.NewJSONHandler(&buf, nil)))
	sh.FirstPaint()
	if buf.Len() != 0 {
		t.Errorf("logged at the default level: %s", buf.String())
	}
}
