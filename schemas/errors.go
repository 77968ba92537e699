package schemas

import "errors"

// ErrPermanent marks an error that retrying cannot fix: undecodable bytes, a payload that fails
// validation, an HRIS 4xx. The runtime sends such a message to the DLQ at once instead of
// retrying it. Every other error is treated as transient.
//
// It lives here, in the contract package, so producers and processors can classify their
// errors without importing the Kafka runtime.
var ErrPermanent = errors.New("permanent")

type permanentError struct{ err error }

func (e permanentError) Error() string   { return e.err.Error() }
func (e permanentError) Unwrap() []error { return []error{e.err, ErrPermanent} }

// Permanent wraps err so that errors.Is(err, ErrPermanent) holds; nil stays nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether err, or anything it wraps, was marked with Permanent.
func IsPermanent(err error) bool { return errors.Is(err, ErrPermanent) }
