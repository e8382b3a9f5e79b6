// Package faultproxy is an HTTP proxy that breaks chosen requests on their way
// to a real server: it answers with an error status or an HTML page, answers
// late, stops a body half-way and hangs, or cuts the connection. The fault
// tests put it between ImageDesk and the sandbox or a registry.
//
// Only tests use this package. It listens on 127.0.0.1 only.
package faultproxy
