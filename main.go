// Command imagedesk is the ImageDesk desktop client and its command line: with no
// command it opens the window, with one it runs headless.
package main

import (
	"embed"
	"io/fs"
	"os"

	"imagedesk/app/cli"
)

//go:embed all:frontend/dist
var dist embed.FS

// catalogs are the window's translations; the command line uses them for errors.
//
//go:embed frontend/src/i18n/*.json
var catalogs embed.FS

func main() {
	assets, err := fs.Sub(dist, "frontend/dist")
	if err != nil {
		panic(err)
	}
	msgs, err := fs.Sub(catalogs, "frontend/src/i18n")
	if err != nil {
		panic(err)
	}
	home, _ := os.UserHomeDir()
	os.Exit(cli.Run(os.Args[1:], cli.Options{
		Assets:   assets,
		Catalogs: msgs,
		Getenv:   os.Getenv,
		Home:     home,
		Stdin:    os.Stdin,
		Stdout:   os.Stdout,
		Stderr:   os.Stderr,
	}))
}
