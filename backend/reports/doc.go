// Package reports fetches the .xlsx scan reports the artifact repository
// generates for every uploaded image, keeps them in a local cache, tells a
// report that is not generated yet apart from real failures, summarises a
// report's sheets and severity counts, and opens a cached report with the
// operating system's default application.
//
// A download goes to a temporary file next to the cache entry, is checked to
// be a real workbook, and only then renamed over the entry, so a cut-off or
// bogus download never replaces a good cached report.
//
// The package never logs by itself: pass WithLogger to NewFetcher.
package reports
