//go:build tools

// This file pins modules that the project's packages start to use one by one,
// so that go mod tidy keeps them while those packages are being written.
package main

import (
	_ "github.com/distribution/distribution/v3/registry/handlers"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/filesystem"
	_ "github.com/google/go-containerregistry/pkg/v1/remote"
	_ "github.com/sigstore/cosign/v2/pkg/cosign"
	_ "github.com/wailsapp/wails/v2"
	_ "github.com/xuri/excelize/v2"
	_ "github.com/zalando/go-keyring"
	_ "golang.org/x/crypto/bcrypt"
	_ "modernc.org/sqlite"
)
