// Package app is ImageDesk's face to the user: the services bound to the Wails
// window, the task centre they share, and the start-up that wires them to the
// backend packages. It validates input, calls backend/, maps errors to stable codes
// and emits throttled progress events; the work itself lives in backend/.
package app
