package app

import (
	"context"
	_ "embed"
	"io/fs"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	"github.com/wailsapp/wails/v2/pkg/options/mac"
	"github.com/wailsapp/wails/v2/pkg/options/windows"
	"github.com/wailsapp/wails/v2/pkg/runtime"
)

//go:embed icon.png
var icon []byte

// runWindow starts Wails with our services bound and blocks until the window closes.
func runWindow(a *App, assets fs.FS) error {
	return wails.Run(&options.App{
		Title:            "ImageDesk",
		Width:            1240,
		Height:           820,
		MinWidth:         960,
		MinHeight:        640,
		BackgroundColour: &options.RGBA{R: 246, G: 247, B: 249, A: 255},
		AssetServer:      &assetserver.Options{Assets: assets},
		OnStartup:        a.startup,
		OnShutdown:       a.shutdown,
		Bind:             a.services(),
		DragAndDrop:      &options.DragAndDrop{EnableFileDrop: true},
		Linux: &linux.Options{
			Icon:             icon,
			ProgramName:      "imagedesk",
			WebviewGpuPolicy: linux.WebviewGpuPolicyOnDemand,
		},
		Mac: &mac.Options{
			About: &mac.AboutInfo{Title: "ImageDesk", Message: Version, Icon: icon},
		},
		Windows: &windows.Options{Theme: windows.SystemDefault},
	})
}

// startup receives the window's context; events can be emitted from here on.
func (a *App) startup(ctx context.Context) {
	a.wctx = ctx
	a.Tasks.setEmitter(func(name string, data any) { runtime.EventsEmit(ctx, name, data) })
	a.Upload.setEmitter(func(name string, data any) { runtime.EventsEmit(ctx, name, data) })
	// A drop is inspected off the UI thread; the window learns the outcome by event.
	runtime.OnFileDrop(ctx, func(_, _ int, paths []string) { go a.Upload.Dropped(paths) })
	a.log.Info("window started", "op", "startup", "version", Version)
}

// shutdown runs after the window closed.
func (a *App) shutdown(context.Context) {
	a.log.Info("window closed", "op", "shutdown")
}
