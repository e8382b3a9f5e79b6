package archive

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
)

const (
	// maxEntries bounds the number of tar entries indexed; an image archive has a
	// few per layer, so this only stops hostile input from eating memory.
	maxEntries = 200_000

	// maxLinkHops bounds how many symbolic or hard links are followed for one name.
	maxLinkHops = 16

	// blockSize is the size of a tar block.
	blockSize = 512
)

// blob is one file of an archive, readable at random offsets.
type blob struct {
	name string
	r    io.ReaderAt
	size int64

	// closer is non-nil when the blob owns an open file (directory sources).
	closer io.Closer
}

// close releases the file the blob holds, if any.
func (b blob) close() error {
	if b.closer == nil {
		return nil
	}
	return b.closer.Close()
}

// source gives access to the files of an archive by cleaned slash-separated names.
type source interface {
	// open returns the named file; errors wrap fs.ErrNotExist or ErrUnsafePath.
	open(name string) (blob, error)

	// has reports whether the named file exists.
	has(name string) bool

	// close releases the source.
	close() error
}

// tarEntry records where a regular file's bytes lie in the tar, or where a link
// points.
type tarEntry struct {
	offset int64
	size   int64

	// link is the cleaned target name of a symbolic or hard link, or "".
	link string
}

// tarSource serves the entries of an uncompressed tar file as section readers.
type tarSource struct {
	f       *os.File
	entries map[string]tarEntry
}

// scanTar reads the tar headers of f once, seeking over entry data, and records
// each regular file and link. It never reads layer bytes except the last byte of
// each entry, which the tar reader reads to detect truncation.
func scanTar(f *os.File, size int64) (*tarSource, error) {
	src := &tarSource{f: f, entries: make(map[string]tarEntry)}
	tr := tar.NewReader(f)
	var end int64 // offset just after the last entry's padded data

	for n := 0; ; n++ {
		if n >= maxEntries {
			return nil, fmt.Errorf("%w: more than %d entries", ErrCorrupt, maxEntries)
		}

		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			if n > 0 && size-end < blockSize {
				return nil, fmt.Errorf("%w: no end-of-archive marker", ErrTruncated)
			}
			return src, nil
		}
		if err != nil {
			return nil, tarError(err, n)
		}

		name, err := cleanName(hdr.Name)
		if err != nil {
			return nil, &Error{Entry: hdr.Name, Err: err}
		}
		off, err := f.Seek(0, io.SeekCurrent)
		if err != nil {
			return nil, fmt.Errorf("finding entry offset: %w", err)
		}
		end = off + (hdr.Size+blockSize-1)/blockSize*blockSize

		if err := src.record(name, hdr, off); err != nil {
			return nil, &Error{Entry: hdr.Name, Err: err}
		}
	}
}

// tarError turns an error of the tar reader into one of the sentinel errors. A
// file whose first header cannot be read is not taken for a tar at all.
func tarError(err error, entriesRead int) error {
	switch {
	case entriesRead == 0:
		return fmt.Errorf("%w: %v", ErrNotArchive, err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: %v", ErrTruncated, err)
	default:
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
}

// record adds one tar header to the index. Directories and special files are
// ignored; sparse files are ignored too, because their bytes are not stored
// contiguously (docker and OCI tools never write them).
func (s *tarSource) record(name string, hdr *tar.Header, off int64) error {
	if name == "" {
		return nil
	}
	switch hdr.Typeflag {
	case tar.TypeSymlink:
		target := hdr.Linkname
		if !strings.HasPrefix(target, "/") {
			target = path.Join(path.Dir(name), target)
		}
		clean, err := cleanName(target)
		if err != nil {
			return fmt.Errorf("link target %q: %w", hdr.Linkname, err)
		}
		s.entries[name] = tarEntry{link: clean}
	case tar.TypeLink:
		clean, err := cleanName(hdr.Linkname)
		if err != nil {
			return fmt.Errorf("link target %q: %w", hdr.Linkname, err)
		}
		s.entries[name] = tarEntry{link: clean}
	default:
		if !hdr.FileInfo().Mode().IsRegular() || isSparse(hdr) {
			return nil
		}
		s.entries[name] = tarEntry{offset: off, size: hdr.Size}
	}
	return nil
}

// isSparse reports whether hdr describes a GNU sparse file in any of its forms.
func isSparse(hdr *tar.Header) bool {
	if hdr.Typeflag == tar.TypeGNUSparse {
		return true
	}
	for k := range hdr.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return true
		}
	}
	return false
}

// cleanName normalises an entry name to a slash-separated relative path without
// "./" prefixes. It returns "" for the archive root and ErrUnsafePath for names
// that are absolute or contain a ".." element.
func cleanName(name string) (string, error) {
	if strings.HasPrefix(name, "/") || strings.HasPrefix(name, `\`) ||
		(len(name) >= 2 && name[1] == ':') {
		return "", fmt.Errorf("%w: %q is absolute", ErrUnsafePath, name)
	}
	for _, el := range strings.FieldsFunc(name, func(r rune) bool {
		return r == '/' || r == '\\'
	}) {
		if el == ".." {
			return "", fmt.Errorf("%w: %q climbs out of the archive", ErrUnsafePath, name)
		}
	}
	clean := path.Clean(name)
	if clean == "." {
		return "", nil
	}
	return clean, nil
}

// resolve follows links from name to a regular file entry.
func (s *tarSource) resolve(name string) (tarEntry, error) {
	cur := name
	for range maxLinkHops {
		e, ok := s.entries[cur]
		if !ok {
			return tarEntry{}, fmt.Errorf("%s: %w", name, fs.ErrNotExist)
		}
		if e.link == "" {
			return e, nil
		}
		cur = e.link
	}
	return tarEntry{}, fmt.Errorf("%w: %s: too many links", ErrCorrupt, name)
}

func (s *tarSource) open(name string) (blob, error) {
	e, err := s.resolve(name)
	if err != nil {
		return blob{}, err
	}
	return blob{name: name, r: io.NewSectionReader(s.f, e.offset, e.size), size: e.size}, nil
}

func (s *tarSource) has(name string) bool {
	_, err := s.resolve(name)
	return err == nil
}

func (s *tarSource) close() error {
	return s.f.Close()
}

// dirSource serves the files of an OCI layout directory. os.Root keeps every
// open inside the directory, whatever links it holds.
type dirSource struct {
	root *os.Root
}

func (d *dirSource) open(name string) (blob, error) {
	if _, err := cleanName(name); err != nil {
		return blob{}, err
	}
	f, err := d.root.Open(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return blob{}, fmt.Errorf("%s: %w", name, fs.ErrNotExist)
		}
		return blob{}, fmt.Errorf("opening %s: %w", name, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return blob{}, fmt.Errorf("reading size of %s: %w", name, err)
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return blob{}, fmt.Errorf("%s: not a regular file: %w", name, fs.ErrNotExist)
	}
	return blob{name: name, r: f, size: st.Size(), closer: f}, nil
}

func (d *dirSource) has(name string) bool {
	st, err := d.root.Stat(name)
	return err == nil && st.Mode().IsRegular()
}

func (d *dirSource) close() error {
	return d.root.Close()
}
