package main

import (
	"encoding/json"
	"path"
	"sort"
	"strings"
)

// breaker changes the files of an archive to break it in one way, and reports
// whether it found what it changes.
type breaker func([]file) ([]file, bool)

// breaks are the -break modes applied to the finished list of files. The modes
// missing-layer and digest are applied while the files are laid out.
var breaks = map[string]breaker{
	// no-manifest drops manifest.json (of a docker archive).
	"no-manifest": dropFiles(named("manifest.json")),
	// manifest-json makes manifest.json something that is not JSON.
	"manifest-json": replaceBody(named("manifest.json"), "{not json"),
	// manifest-empty makes manifest.json a list of no image.
	"manifest-empty": replaceBody(named("manifest.json"), "[]"),
	// config-missing drops the image configs of a docker archive.
	"config-missing": dropFiles(isDockerConfig),
	// config-json makes the image configs of a docker archive not JSON.
	"config-json": replaceBody(isDockerConfig, "[1, 2"),
	// layer-count drops the first layer from each image of manifest.json, so
	// that it lists fewer layers than the config's diff_ids.
	"layer-count": dropFirstLayer,
	// index-json makes the OCI index.json not JSON.
	"index-json": replaceBody(named("index.json"), "<html>"),
	// traversal adds an entry that climbs out of the archive, at the end.
	"traversal": addFile(false, file{name: "../evil.txt", body: []byte("x")}),
	// absolute adds an entry with an absolute path, at the start.
	"absolute": addFile(true, file{name: "/tmp/evil.txt", body: []byte("x")}),
	// symlink adds a symbolic link that points out of the archive.
	"symlink": addFile(false, file{name: "extra/link", link: "../../outside.txt"}),
}

// knownBreak reports whether mode is a -break mode.
func knownBreak(mode string) bool {
	_, ok := breaks[mode]
	return ok || mode == "missing-layer" || mode == "digest"
}

// breakModes lists the -break modes for the usage text and errors.
func breakModes() string {
	modes := []string{"missing-layer", "digest"}
	for m := range breaks {
		modes = append(modes, m)
	}
	sort.Strings(modes)
	return strings.Join(modes, ", ")
}

func named(name string) func(file) bool {
	return func(f file) bool { return f.name == name }
}

// isDockerConfig matches the config files of a classic docker archive: JSON
// files at the top other than manifest.json.
func isDockerConfig(f file) bool {
	return path.Dir(f.name) == "." && strings.HasSuffix(f.name, ".json") &&
		f.name != "manifest.json" && f.name != "index.json"
}

func dropFiles(match func(file) bool) breaker {
	return func(files []file) ([]file, bool) {
		var out []file
		for _, f := range files {
			if !match(f) {
				out = append(out, f)
			}
		}
		return out, len(out) < len(files)
	}
}

func replaceBody(match func(file) bool, body string) breaker {
	return func(files []file) ([]file, bool) {
		changed := false
		for i := range files {
			if match(files[i]) {
				files[i].body, changed = []byte(body), true
			}
		}
		return files, changed
	}
}

func addFile(first bool, f file) breaker {
	return func(files []file) ([]file, bool) {
		if first {
			return append([]file{f}, files...), true
		}
		return append(files, f), true
	}
}

func dropFirstLayer(files []file) ([]file, bool) {
	for i, f := range files {
		if f.name != "manifest.json" {
			continue
		}
		var m []map[string]any
		if err := json.Unmarshal(f.body, &m); err != nil {
			return files, false
		}
		for _, im := range m {
			if ls, ok := im["Layers"].([]any); ok && len(ls) > 0 {
				im["Layers"] = ls[1:]
			}
		}
		files[i].body, _ = json.Marshal(m)
		return files, true
	}
	return files, false
}
