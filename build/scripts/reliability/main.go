// Command reliability turns the rows the fault and bad-input tests wrote (JSON
// lines, see package backend/reliability) into docs/RELIABILITY.md.
//
//	go run ./build/scripts/reliability -in rows.jsonl -out docs/RELIABILITY.md \
//	    -command "make faults" -machine "..."
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"imagedesk/backend/reliability"
)

func main() {
	in := flag.String("in", "", "rows file (JSON lines)")
	out := flag.String("out", "docs/RELIABILITY.md", "report to write")
	command := flag.String("command", "make faults", "command that produced the rows")
	machine := flag.String("machine", "", "machine the run was on")
	flag.Parse()
	rows, err := read(*in)
	rows = merge(rows)
	if err == nil && len(rows) == 0 {
		err = fmt.Errorf("%s holds no rows", *in)
	}
	if err == nil {
		err = write(*out, rows, *command, *machine)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "reliability:", err)
		os.Exit(1)
	}
}

func read(path string) ([]reliability.Row, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rows []reliability.Row
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r reliability.Row
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		rows = append(rows, r)
	}
	return rows, sc.Err()
}

var sections = []struct{ suite, title, intro string }{
	{"fault", "Faults", "Each fault was caused for real: a process killed, a proxy " +
		"between ImageDesk and the sandbox or Debian's docker-registry answering " +
		"late, wrongly or not at all, a file size limit on the download."},
	{"archive", "Malformed archives", "Each file was offered to the window's " +
		"inspection and to `imagedesk push`, with the registry behind a proxy that " +
		"counts requests."},
	{"form", "Malformed form values", "Each value was typed into the upload " +
		"form's checks and given to `imagedesk push`, with the registry behind a " +
		"proxy that counts requests."},
}

// gaps are the faults this run does not cause, kept here by hand.
var gaps = []string{
	"The window's own download task (Download.To) under faults: the command line's pull " +
		"is driven instead; both call the same registry.Pull, but map errors in their own code.",
	"The window process killed: the command line is killed instead; both open the same " +
		"store, which marks running rows interrupted at start, and resume through the same " +
		"method.",
	"A layer whose bytes do not match its digest is found only while it is sent: refusing " +
		"it before any byte would mean reading every layer twice.",
	"Windows and macOS: every case ran on Linux only.",
}

func write(path string, rows []reliability.Row, command, machine string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Reliability\n\n")
	fmt.Fprintf(&b, "What ImageDesk does when the network, the server, the disk or the "+
		"input goes wrong. Generated from one run of the fault and bad-input tests; "+
		"every row is a case a test caused and checked, not a claim.\n\n")
	fmt.Fprintf(&b, "- Command: `%s`\n- Date: %s\n", command, time.Now().UTC().Format("2006-01-02"))
	if machine != "" {
		fmt.Fprintf(&b, "- Machine: %s\n", machine)
	}
	lost := 0
	for _, r := range rows {
		if !strings.HasPrefix(r.Lost, "nothing") {
			lost++
		}
	}
	fmt.Fprintf(&b, "- Cases: %d; cases whose \"Lost\" cell is not \"nothing\": %d "+
		"(read those rows)\n\n", len(rows), lost)
	fmt.Fprintf(&b, "\"User sees\" is the sentence the window shows (English, then "+
		"Chinese); the command line prints the code, the same sentence in the user's "+
		"language and the detail, and exits non-zero. An empty cell means the fault was "+
		"absorbed by retries and the user saw only success. \"Where\" names the path the "+
		"test drove: the window's bound methods, the command line, or both.\n")

	for _, s := range sections {
		var rs []reliability.Row
		for _, r := range rows {
			if r.Suite == s.suite {
				rs = append(rs, r)
			}
		}
		if len(rs) == 0 {
			continue
		}
		sort.SliceStable(rs, func(i, j int) bool { return rs[i].Case < rs[j].Case })
		fmt.Fprintf(&b, "\n## %s (%d)\n\n%s\n\n", s.title, len(rs), s.intro)
		fmt.Fprintf(&b, "| Case | Where | User sees | Lost | Recovery |\n|---|---|---|---|---|\n")
		for _, r := range rs {
			sees := ""
			if r.Key != "" {
				sees = fmt.Sprintf("%s<br>%s<br>`%s`", r.English, r.Chinese, r.Key)
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", cell(r.Case), cell(r.Where),
				cell(sees), cell(r.Lost), cell(r.Recovery))
		}
	}
	fmt.Fprintf(&b, "\n## Not covered by this run\n\n")
	for _, g := range gaps {
		fmt.Fprintf(&b, "- %s\n", g)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// merge joins the rows of one case checked in several places (the window and
// the command line) into one row naming every place.
func merge(rows []reliability.Row) []reliability.Row {
	var out []reliability.Row
	at := map[string]int{}
	for _, r := range rows {
		k := r.Suite + "\x00" + r.Case + "\x00" + r.Key
		i, ok := at[k]
		if !ok {
			at[k] = len(out)
			out = append(out, r)
			continue
		}
		m := &out[i]
		for _, w := range strings.Split(r.Where, ", ") {
			if !slices.Contains(strings.Split(m.Where, ", "), w) {
				m.Where += ", " + w
			}
		}
		if r.Lost != m.Lost && !strings.Contains(m.Lost, r.Lost) {
			m.Lost += "; " + r.Where + ": " + r.Lost
		}
		if r.Recovery != m.Recovery && !strings.Contains(m.Recovery, r.Recovery) {
			m.Recovery += "; " + r.Where + ": " + r.Recovery
		}
	}
	return out
}

// cell escapes a table cell.
func cell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", "\\|"), "\n", " ")
}
