package reports

import (
	"archive/zip"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Limits applied when excelize unpacks a workbook, so that a hostile report
// cannot exhaust memory or disk.
const (
	unzipSizeLimit    = 1 << 30
	unzipXMLSizeLimit = 16 << 20
)

// excelizeOptions are the options every workbook is opened with.
var excelizeOptions = excelize.Options{
	UnzipSizeLimit:    unzipSizeLimit,
	UnzipXMLSizeLimit: unzipXMLSizeLimit,
}

// checkXLSX returns nil when path is a zip archive holding the parts every
// .xlsx has and excelize can open it, and an error matching ErrNotXLSX
// otherwise.
func checkXLSX(path string) error {
	if err := checkParts(path); err != nil {
		return err
	}
	wb, err := excelize.OpenFile(path, excelizeOptions)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNotXLSX, err)
	}
	if err := wb.Close(); err != nil {
		return fmt.Errorf("closing workbook: %w", err)
	}
	return nil
}

// checkParts returns nil when path is a zip archive holding the parts every
// .xlsx has, and an error matching ErrNotXLSX otherwise.
func checkParts(path string) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNotXLSX, err)
	}
	need := map[string]bool{"[Content_Types].xml": false, "xl/workbook.xml": false}
	for _, f := range zr.File {
		if _, ok := need[f.Name]; ok {
			need[f.Name] = true
		}
	}
	zr.Close()
	for name, found := range need {
		if !found {
			return fmt.Errorf("%w: no %s", ErrNotXLSX, name)
		}
	}
	return nil
}

// looksLikeHTML reports whether the file at path starts like an HTML page.
func looksLikeHTML(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	return strings.HasPrefix(http.DetectContentType(head[:n]), "text/html")
}
