package reports

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSummarize(t *testing.T) {
	t.Parallel()
	names := []string{"Summary", "Layers", "Packages", "Findings"}
	sheets := map[string][][]any{
		"Summary": {
			{"Image", "basic/aa:aa03"},
			{"Scanner", "trivy 0.50"},
			{},
			{"Total", 7},
			{"Severity", "Count"}, // a header in the summary sheet counts nothing
			{"CRITICAL", 1},
		},
		"Layers": {
			{"Digest", "Size"},
			{"sha256:aaa", 1024},
			{"sha256:bbb", 2048},
		},
		"Packages": {
			{"Name", "Version", "License"},
			{"openssl", "3.0.2", "Apache-2.0"},
		},
		"Findings": {
			{"CVE", "Package", "Severity", "Title"},
			{"CVE-1", "openssl", "CRITICAL"},
			{"CVE-2", "openssl", "high"},
			{"CVE-3", "zlib", " High "},
			{"CVE-4", "zlib", "严重"},
			{"CVE-5", "bash", "中"},
			{"CVE-6", "bash", "低"},
			{"CVE-7", "bash", "negligible"},
			{"CVE-8", "bash", ""},
			{},
			{"CVE-9", "curl", "Moderate"},
		},
	}
	path := writeWorkbook(t, t.TempDir(), names, sheets)

	got, err := Summarize(path)
	if err != nil {
		t.Fatalf("Summarize: %v", err)
	}
	want := Summary{
		Sheets: []SheetSummary{
			{Name: "Summary", Rows: 5},
			{Name: "Layers", Rows: 3},
			{Name: "Packages", Rows: 2},
			{Name: "Findings", Rows: 10},
		},
		Findings: map[string]int{SeverityCritical: 2, SeverityHigh: 2, SeverityMedium: 2,
			SeverityLow: 1, SeverityUnknown: 1},
		Fields: []Field{
			{Key: "Image", Value: "basic/aa:aa03"},
			{Key: "Scanner", Value: "trivy 0.50"},
			{Key: "Total", Value: "7"},
			{Key: "Severity", Value: "Count"},
			{Key: "CRITICAL", Value: "1"},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("summary mismatch (-want +got):\n%s", diff)
	}
}

func TestSummarizeChineseReport(t *testing.T) {
	t.Parallel()
	names := []string{"概要", "漏洞列表"}
	sheets := map[string][][]any{
		"概要": {{"镜像", "basic/数据库:V1"}, {"漏洞总数", 3}},
		"漏洞列表": {
			{"镜像漏洞清单"}, // a title row above the header
			{"编号", "组件", "严重程度"},
			{"CVE-1", "glibc", "高危"},
			{"CVE-2", "glibc", "高"},
			{"CVE-3", "glibc", "未知"},
		},
	}
	got, err := Summarize(writeWorkbook(t, t.TempDir(), names, sheets))
	if err != nil {
		t.Fatalf("Summarize: %v", err)
	}
	want := Summary{
		Sheets: []SheetSummary{{Name: "概要", Rows: 2}, {Name: "漏洞列表", Rows: 5}},
		Findings: map[string]int{SeverityCritical: 0, SeverityHigh: 2, SeverityMedium: 0,
			SeverityLow: 0, SeverityUnknown: 1},
		Fields: []Field{
			{Key: "镜像", Value: "basic/数据库:V1"},
			{Key: "漏洞总数", Value: "3"},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("summary mismatch (-want +got):\n%s", diff)
	}
}

func TestSummarizeWithoutFindings(t *testing.T) {
	t.Parallel()
	path := writeWorkbook(t, t.TempDir(), []string{"Layers"},
		map[string][][]any{"Layers": {{"Digest"}, {"sha256:aaa"}}})
	got, err := Summarize(path)
	if err != nil {
		t.Fatal(err)
	}
	want := Summary{Sheets: []SheetSummary{{Name: "Layers", Rows: 2}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("summary mismatch (-want +got):\n%s", diff)
	}
}

func TestSummarizeRejectsNonWorkbooks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bogus := filepath.Join(dir, "bogus.xlsx")
	if err := os.WriteFile(bogus, []byte("<html>error</html>"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{bogus, filepath.Join(dir, "missing.xlsx")} {
		if _, err := Summarize(p); !errors.Is(err, ErrNotXLSX) {
			t.Errorf("Summarize(%q) error = %v, want ErrNotXLSX", p, err)
		}
	}
}

func TestNormalizeSeverity(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"CRITICAL": SeverityCritical, "critical": SeverityCritical, "严重": SeverityCritical,
		"High": SeverityHigh, "高危": SeverityHigh, " medium ": SeverityMedium,
		"中危": SeverityMedium, "low": SeverityLow, "低": SeverityLow,
		"unknown": SeverityUnknown, "whatever": SeverityUnknown, "": SeverityUnknown,
	}
	for in, want := range tests {
		if got := NormalizeSeverity(in); got != want {
			t.Errorf("NormalizeSeverity(%q) = %q, want %q", in, got, want)
		}
	}
}
