package versions

// This package has no failure modes of its own: its functions accept any
// string and never return errors. The file exists so that every backend
// package keeps its errors in the same place should one ever be needed.
