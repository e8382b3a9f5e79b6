package reports

import (
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"
)

// The severities Summarize counts.
const (
	SeverityCritical = "CRITICAL"
	SeverityHigh     = "HIGH"
	SeverityMedium   = "MEDIUM"
	SeverityLow      = "LOW"
	SeverityUnknown  = "UNKNOWN"
)

// Limits that keep Summarize bounded on odd workbooks.
const (
	// headerSearchRows is how many non-empty rows may precede a sheet's header
	// row (a title, say) before the sheet is taken to have no severity column.
	headerSearchRows = 5
	// maxFields caps the key/value pairs read from a summary sheet.
	maxFields = 500
)

// Summary is an overview of a scan report workbook.
type Summary struct {
	// Sheets lists every sheet in workbook order.
	Sheets []SheetSummary
	// Findings counts rows per severity over every sheet (but the summary
	// sheet) that has a severity column; all five severities are present.
	// It is nil when no sheet has such a column.
	Findings map[string]int
	// Fields are the key/value pairs of the "Summary" or "概要" sheet, from
	// its first two columns, in sheet order.
	Fields []Field
}

// SheetSummary describes one sheet.
type SheetSummary struct {
	// Name is the sheet's name.
	Name string
	// Rows counts the rows holding at least one non-empty cell.
	Rows int
}

// Field is one key/value pair of a summary sheet.
type Field struct {
	// Key is the first column's text.
	Key string
	// Value is the second column's text, or "".
	Value string
}

// Summarize reads the workbook at path row by row and returns its sheets, the
// findings per severity and the summary sheet's fields. A column counts as
// the severity column when its header reads like "Severity", "严重程度",
// "等级" or "Level" (case-insensitive); its values are normalised to
// CRITICAL, HIGH, MEDIUM, LOW or UNKNOWN (严重/高/中/低 included), and empty
// cells are not counted.
func Summarize(path string) (Summary, error) {
	if err := checkParts(path); err != nil {
		return Summary{}, fmt.Errorf("summarising %s: %w", path, err)
	}
	wb, err := excelize.OpenFile(path, excelizeOptions)
	if err != nil {
		return Summary{}, fmt.Errorf("summarising %s: %w: %w", path, ErrNotXLSX, err)
	}
	defer wb.Close()

	var s Summary
	for _, name := range wb.GetSheetList() {
		sheet, err := summarizeSheet(wb, name, &s)
		if err != nil {
			return Summary{}, fmt.Errorf("summarising %s: sheet %q: %w", path, name, err)
		}
		s.Sheets = append(s.Sheets, sheet)
	}
	return s, nil
}

// summarizeSheet streams one sheet, counting its rows and adding its findings
// or fields to s.
func summarizeSheet(wb *excelize.File, name string, s *Summary) (SheetSummary, error) {
	rows, err := wb.Rows(name)
	if err != nil {
		return SheetSummary{}, err
	}
	defer rows.Close()

	isSummary := isSummarySheet(name)
	sheet := SheetSummary{Name: name}
	sevCol, seen := -1, 0
	for rows.Next() {
		cells, err := rows.Columns()
		if err != nil {
			return SheetSummary{}, err
		}
		if isBlank(cells) {
			continue
		}
		sheet.Rows++

		switch {
		case isSummary:
			if len(s.Fields) < maxFields && strings.TrimSpace(cells[0]) != "" {
				f := Field{Key: strings.TrimSpace(cells[0])}
				if len(cells) > 1 {
					f.Value = strings.TrimSpace(cells[1])
				}
				s.Fields = append(s.Fields, f)
			}
		case sevCol >= 0:
			if sevCol < len(cells) && strings.TrimSpace(cells[sevCol]) != "" {
				s.Findings[NormalizeSeverity(cells[sevCol])]++
			}
		case seen < headerSearchRows:
			seen++
			if sevCol = severityColumn(cells); sevCol >= 0 && s.Findings == nil {
				s.Findings = map[string]int{SeverityCritical: 0, SeverityHigh: 0,
					SeverityMedium: 0, SeverityLow: 0, SeverityUnknown: 0}
			}
		}
	}
	if err := rows.Error(); err != nil {
		return SheetSummary{}, err
	}
	return sheet, nil
}

// isSummarySheet reports whether a sheet name is the report's summary sheet.
func isSummarySheet(name string) bool {
	n := strings.ToLower(strings.TrimSpace(name))
	return n == "summary" || n == "概要"
}

// isBlank reports whether a row has no non-empty cell.
func isBlank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// severityHeaders are the header texts, lower-cased, that name a severity
// column; a header containing one of them matches.
var severityHeaders = []string{
	"severity", "严重程度", "严重性", "等级", "级别", "level",
}

// severityColumn returns the index of the row's severity header, or -1.
func severityColumn(cells []string) int {
	for i, c := range cells {
		h := strings.ToLower(strings.TrimSpace(c))
		for _, want := range severityHeaders {
			if h != "" && strings.Contains(h, want) {
				return i
			}
		}
	}
	return -1
}

// severityWords maps the upper-cased words reports use to the five severities.
var severityWords = map[string]string{
	"CRITICAL": SeverityCritical,
	"严重":       SeverityCritical,
	"危急":       SeverityCritical,
	"超危":       SeverityCritical,
	"HIGH":     SeverityHigh,
	"高":        SeverityHigh,
	"高危":       SeverityHigh,
	"MEDIUM":   SeverityMedium,
	"MODERATE": SeverityMedium,
	"中":        SeverityMedium,
	"中危":       SeverityMedium,
	"LOW":      SeverityLow,
	"低":        SeverityLow,
	"低危":       SeverityLow,
	"UNKNOWN":  SeverityUnknown,
	"未知":       SeverityUnknown,
}

// NormalizeSeverity maps a severity cell to CRITICAL, HIGH, MEDIUM, LOW or
// UNKNOWN, case-insensitively and accepting 严重/高/中/低 and their 危 forms;
// anything unrecognised is UNKNOWN.
func NormalizeSeverity(cell string) string {
	if s, ok := severityWords[strings.ToUpper(strings.TrimSpace(cell))]; ok {
		return s
	}
	return SeverityUnknown
}
