package greenhouse

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
)

// SignatureHeader is the request header Greenhouse puts the body's HMAC in.
const SignatureHeader = "Signature"

// Errors VerifySignature returns. They say what was wrong with the header, never anything about
// the expected digest or the secret, so they are safe to send back to the caller.
var (
	// ErrMissingSignature: the request carried no Signature header (or an empty one).
	ErrMissingSignature = errors.New("missing Signature header")
	// ErrMalformedSignature: the header is not "<algorithm> <hex digest>" with a 32-byte digest
	// (for example the "sha256=<hex>" form other ATSes use).
	ErrMalformedSignature = errors.New(`malformed Signature header: want "sha256 <64 hex digits>"`)
	// ErrUnsupportedAlgorithm: the header names an algorithm other than sha256.
	ErrUnsupportedAlgorithm = errors.New("unsupported signature algorithm: want sha256")
	// ErrSignatureMismatch: the digest is well formed but is not the HMAC of this body.
	ErrSignatureMismatch = errors.New("signature does not match the body")
	// ErrNoSecret: the receiver has no secret configured; it fails closed.
	ErrNoSecret = errors.New("no webhook secret configured")
)

// Sign returns the Signature header value Greenhouse would send for body: "sha256 " followed by
// the lower-case hex HMAC-SHA256 of body under secret. The simulator and the tests use it.
func Sign(secret, body []byte) string {
	return "sha256 " + hex.EncodeToString(mac(secret, body))
}

// VerifySignature checks a Signature header against the exact raw request body.
//
// The header is "sha256 <hex>": the algorithm, ONE space, then the digest (Greenhouse's format;
// "sha256=<hex>" is rejected as malformed). The algorithm name is matched case-insensitively and
// the hex digest may be upper- or lower-case: the comparison is made on the decoded bytes with
// hmac.Equal, so letter case carries no information an attacker could use. Surrounding
// whitespace is ignored; anything else is not.
//
// body must be the bytes as received: Greenhouse escapes non-ASCII (\u00eb, \u003c) before
// signing, so re-serialising the JSON breaks verification.
func VerifySignature(secret []byte, header string, body []byte) error {
	if len(secret) == 0 {
		return ErrNoSecret
	}
	header = strings.TrimSpace(header)
	if header == "" {
		return ErrMissingSignature
	}
	alg, digest, ok := strings.Cut(header, " ")
	if !ok || alg == "" || digest == "" || strings.ContainsAny(digest, " \t") {
		return ErrMalformedSignature
	}
	if !strings.EqualFold(alg, "sha256") {
		return ErrUnsupportedAlgorithm
	}
	got, err := hex.DecodeString(digest)
	if err != nil || len(got) != sha256.Size {
		return ErrMalformedSignature
	}
	if !hmac.Equal(got, mac(secret, body)) {
		return ErrSignatureMismatch
	}
	return nil
}

func mac(secret, body []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write(body)
	return h.Sum(nil)
}
