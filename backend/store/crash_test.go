package store

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"imagedesk/backend/reliability"
)

// Environment of the crash child: the database path and the transaction's tag.
const (
	crashDBEnv  = "IMAGEDESK_STORE_CRASH_DB"
	crashTagEnv = "IMAGEDESK_STORE_CRASH_TAG"
	crashRows   = 40_000
)

// TestMain runs the crash child instead of the tests when
// TestCrashMidTransaction starts this binary with crashDBEnv set.
func TestMain(m *testing.M) {
	if path := os.Getenv(crashDBEnv); path != "" {
		if err := crashChild(path, os.Getenv(crashTagEnv)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// crashChild writes crashRows events tagged with one profile name in a
// single transaction, telling the parent on stdout when it is under way,
// and prints "committed" at the end.
func crashChild(path, tag string) error {
	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		return err
	}
	defer s.Close()

	err = s.inTx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.Prepare(`INSERT INTO history (kind, status, started_at, profile,
			image, error_detail) VALUES ('upload', 'running', 1, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		pad := strings.Repeat("x", 200)
		for i := range crashRows {
			if _, err := stmt.Exec(tag, fmt.Sprint("img", i), pad); err != nil {
				return err
			}
			if i == 2000 {
				fmt.Println("writing")
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Println("committed")
	return nil
}

// TestCrashMidTransaction kills a child process with SIGKILL while it is
// inside a large write transaction, then checks that the database is intact
// and holds all of that transaction or none of it.
func TestCrashMidTransaction(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "crash.db")
	ctx := context.Background()

	rounds := 4
	if reliability.Long() {
		rounds = 16
	}
	survived := map[bool]int{}
	for round := range rounds {
		tag := "crash-" + strconv.Itoa(round)
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), crashDBEnv+"="+path, crashTagEnv+"="+tag)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}

		// Wait until the transaction is under way, then let it run a little
		// longer each round before the kill.
		lines := bufio.NewScanner(stdout)
		started := false
		for lines.Scan() {
			if lines.Text() == "writing" {
				started = true
				break
			}
		}
		if !started {
			cmd.Wait()
			t.Fatalf("round %d: child ended before writing", round)
		}
		time.Sleep(time.Duration(round*15) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		go func() {
			for lines.Scan() {
			}
		}()
		cmd.Wait()

		s, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("round %d: reopening after the kill: %v", round, err)
		}
		checkErr := s.Check(ctx)
		var n int
		err = s.db.QueryRowContext(ctx,
			"SELECT COUNT(*) FROM history WHERE profile = ?", tag).Scan(&n)
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		if checkErr != nil {
			t.Errorf("round %d: %v", round, checkErr)
		}
		if n != 0 && n != crashRows {
			t.Errorf("round %d: %d of %d rows of the killed transaction survived",
				round, n, crashRows)
		}
		t.Logf("round %d: %d rows survived", round, n)
		survived[n == crashRows]++
	}
	reliability.Record(t, reliability.Row{Suite: "fault",
		Case: fmt.Sprintf("app killed (SIGKILL) inside a %d-row history write, %d times",
			crashRows, rounds),
		Where: "store",
		Lost: fmt.Sprintf("nothing committed was lost; integrity check ok every time; "+
			"the killed write was kept whole %d times and dropped whole %d times",
			survived[true], survived[false]),
		Recovery: "nothing to do: the next start opens the database as it was"})
}
