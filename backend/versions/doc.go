// Package versions orders image version names the way people read them and
// folds the tags cosign pushes next to an image (signatures, attestations and
// SBOMs) into the version they belong to.
//
// Natural order compares runs of ASCII digits by their numeric value and
// everything else case-insensitively, so "06" < "100" and "v1.2" < "v1.10".
// Names that only differ in case or in leading zeros are then ordered byte by
// byte, which makes Less a strict total order: sorting is deterministic
// whatever order the server answers in.
package versions
