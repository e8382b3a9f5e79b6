package badinput

import "fmt"

// Recovery says how the user gets past the refusal of a, for the report.
func (a Archive) Recovery() string {
	switch a.Code {
	case "file_missing", "invalid_path":
		return "choose the archive again"
	case "archive_layer_digest":
		return "export the image again and upload it; layers already in the registry are skipped"
	}
	return "export the image again (docker save, skopeo copy) and upload the new file"
}

// LateLoss says what a push refused while its layers were read left behind.
func LateLoss(tr Traffic) string {
	if tr.Committed == 0 {
		return fmt.Sprintf("nothing committed or tagged: %d bytes went to an upload "+
			"session that was cancelled", tr.Bytes)
	}
	return fmt.Sprintf("no tag: %d bytes sent; the bad layer's upload session was "+
		"cancelled, %d intact layer kept as an untagged blob that the next push skips",
		tr.Bytes, tr.Committed)
}
