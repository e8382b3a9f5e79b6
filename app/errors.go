package app

import "fmt"

// Error codes are the stable names the window translates into a sentence
// (locale key "error.<code>"). Raw Go error text is never shown as the message.
const (
	CodeInternal       = "internal"
	CodeInvalidSetting = "invalid_setting"
	CodeTaskNotFound   = "task_not_found"
	CodeCancelled      = "cancelled"
)

// CodedError carries a stable code for the window and a detail for the log and the
// "details" disclosure. Detail never contains a secret.
type CodedError struct {
	Code   string
	Detail string
	Err    error
}

// Error renders the error as "code: detail" so that the window, which only gets the
// string over the Wails bridge, can split the code off.
func (e *CodedError) Error() string {
	switch {
	case e.Detail != "" && e.Err != nil:
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Detail, e.Err)
	case e.Detail != "":
		return e.Code + ": " + e.Detail
	case e.Err != nil:
		return fmt.Sprintf("%s: %v", e.Code, e.Err)
	}
	return e.Code
}

// Unwrap returns the underlying error.
func (e *CodedError) Unwrap() error { return e.Err }
