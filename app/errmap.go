package app

import (
	"context"
	"errors"
	"strings"

	"imagedesk/backend/artifact"
	"imagedesk/backend/profile"
	"imagedesk/backend/registry"
	"imagedesk/backend/reports"
	"imagedesk/backend/secrets"
	"imagedesk/backend/signing"
	"imagedesk/backend/store"
)

// More codes, one per failure a user can act on. The window has a sentence for each.
const (
	CodeDNS              = "dns"
	CodeRefused          = "refused"
	CodeTimeout          = "timeout"
	CodeTLS              = "tls"
	CodeNetwork          = "network"
	CodeUnauthorized     = "unauthorized"
	CodeServer           = "server"
	CodeNotJSON          = "not_json"
	CodeAPI              = "api"
	CodeNotFound         = "not_found"
	CodeInvalidProfile   = "invalid_profile"
	CodeDuplicateName    = "duplicate_name"
	CodeNoPassword       = "no_password"
	CodeKeyringNoBus     = "keyring_no_bus"
	CodeKeyringLocked    = "keyring_locked"
	CodeKeyringMissing   = "keyring_missing"
	CodeKeyringFailed    = "keyring_failed"
	CodeSandboxNotActive = "sandbox_not_active"
	CodeInvalidPath      = "invalid_path"
	CodeEmptyPassphrase  = "empty_passphrase"
	CodeNoPassphrase     = "no_passphrase"
	CodeBadPassphrase    = "bad_passphrase"
	CodeBadKey           = "bad_key"
	CodeKeyMismatch      = "key_mismatch"
	CodeNotVerified      = "not_verified"
	CodeNoSpace          = "no_space"
	CodeInvalidFormat    = "invalid_format"
	CodeInvalidReference = "invalid_reference"
	CodeNotWorkbook      = "not_workbook"
)

// codeOf maps an error from the backend to the stable code the window translates.
// Network causes are told apart first, since "the server is down" and "the
// password is wrong" need different actions.
func codeOf(err error) string {
	var ce *CodedError
	var fe *profile.FieldError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &ce):
		return ce.Code
	case errors.Is(err, context.Canceled):
		return CodeCancelled
	case artifact.IsDNS(err):
		return CodeDNS
	case artifact.IsRefused(err):
		return CodeRefused
	case artifact.IsTLS(err):
		return CodeTLS
	case artifact.IsTimeout(err), errors.Is(err, context.DeadlineExceeded):
		return CodeTimeout
	case errors.Is(err, artifact.ErrNetwork):
		return CodeNetwork
	case errors.Is(err, artifact.ErrUnauthorized):
		return CodeUnauthorized
	case errors.Is(err, artifact.ErrServer):
		return CodeServer
	case errors.Is(err, artifact.ErrNotJSON):
		return CodeNotJSON
	case errors.Is(err, reports.ErrNotXLSX):
		return CodeNotWorkbook
	case errors.Is(err, artifact.ErrAPI):
		return CodeAPI
	case errors.Is(err, artifact.ErrNotFound), errors.Is(err, store.ErrNotFound):
		return CodeNotFound
	case errors.As(err, &fe):
		return CodeInvalidProfile
	case errors.Is(err, store.ErrDuplicateName):
		return CodeDuplicateName
	case errors.Is(err, secrets.ErrNotFound):
		return CodeNoPassword
	case errors.Is(err, signing.ErrPassphrase):
		return CodeBadPassphrase
	case errors.Is(err, signing.ErrEmptyPassphrase):
		return CodeEmptyPassphrase
	case errors.Is(err, signing.ErrBadKey):
		return CodeBadKey
	case errors.Is(err, signing.ErrKeyMismatch):
		return CodeKeyMismatch
	case errors.Is(err, signing.ErrNotFound):
		return CodeNotFound
	case errors.Is(err, registry.ErrNoSpace):
		return CodeNoSpace
	}
	if c := keyringCode(err); c != "" {
		return c
	}
	if c := uploadCode(err); c != "" {
		return c
	}
	return CodeInternal
}

// keyringCode names why the OS keyring could not be used, or "".
func keyringCode(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, secrets.ErrNoSessionBus):
		return CodeKeyringNoBus
	case errors.Is(err, secrets.ErrLocked):
		return CodeKeyringLocked
	case errors.Is(err, secrets.ErrNoService), errors.Is(err, secrets.ErrUnsupported):
		return CodeKeyringMissing
	case errors.Is(err, secrets.ErrTimeout), errors.Is(err, secrets.ErrUnavailable):
		return CodeKeyringFailed
	}
	return ""
}

// coded wraps err with its code so that the window gets "code: detail".
func coded(err error) error {
	if err == nil {
		return nil
	}
	var ce *CodedError
	if errors.As(err, &ce) {
		return err
	}
	if fes := profile.FieldErrors(err); len(fes) > 0 {
		// The window reads "field=rule;…" to mark each field it names.
		parts := make([]string, len(fes))
		for i, fe := range fes {
			parts[i] = fe.Field + "=" + string(fe.Rule)
		}
		return &CodedError{Code: CodeInvalidProfile, Detail: strings.Join(parts, ";")}
	}
	return &CodedError{Code: codeOf(err), Err: err}
}
