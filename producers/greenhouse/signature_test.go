package greenhouse

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

var testSecret = []byte("whsec-7f3b9c1e2d")

// escapedBody is signed the way Greenhouse sends it: non-ASCII and <> escaped as \uXXXX.
const escapedBody = `{"action":"update_candidate","payload":{"candidate":{"id":610033452,"first_name":"Zo\u00eb","last_name":"Ngata-\u00d8vergaard","title":"\u003cb\u003eStaff\u003c/b\u003e"}}}`

func TestSign_KnownVector(t *testing.T) {
	t.Parallel()
	// HMAC-SHA256(key="key", "The quick brown fox jumps over the lazy dog") from RFC 4231 era
	// test suites (also Wikipedia's HMAC article).
	got := Sign([]byte("key"), []byte("The quick brown fox jumps over the lazy dog"))
	want := "sha256 f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
	if got != want {
		t.Fatalf("Sign = %q, want %q", got, want)
	}
}

func TestVerifySignature(t *testing.T) {
	t.Parallel()
	body := []byte(escapedBody)
	good := Sign(testSecret, body)
	digest := strings.TrimPrefix(good, "sha256 ")

	tests := []struct {
		name   string
		secret []byte
		header string
		body   []byte
		want   error
	}{
		{"valid", testSecret, good, body, nil},
		{"surrounding whitespace ignored", testSecret, "  " + good + "\t", body, nil},
		// Decision: hex is compared as bytes, so upper-case hex is accepted; the algorithm name
		// is case-insensitive too.
		{"upper-case hex accepted", testSecret, "sha256 " + strings.ToUpper(digest), body, nil},
		{"upper-case algorithm accepted", testSecret, "SHA256 " + digest, body, nil},
		{"missing header", testSecret, "", body, ErrMissingSignature},
		{"blank header", testSecret, "   ", body, ErrMissingSignature},
		{"sha256= form (Ashby's) rejected", testSecret, "sha256=" + digest, body, ErrMalformedSignature},
		{"digest without algorithm", testSecret, digest, body, ErrMalformedSignature},
		{"two spaces", testSecret, "sha256  " + digest, body, ErrMalformedSignature},
		{"trailing garbage", testSecret, good + " x", body, ErrMalformedSignature},
		{"not hex", testSecret, "sha256 " + strings.Repeat("zz", 32), body, ErrMalformedSignature},
		{"short digest", testSecret, "sha256 " + digest[:62], body, ErrMalformedSignature},
		{"odd length digest", testSecret, "sha256 " + digest[:63], body, ErrMalformedSignature},
		{"sha1", testSecret, "sha1 " + digest[:40], body, ErrUnsupportedAlgorithm},
		{"sha512", testSecret, "sha512 " + digest, body, ErrUnsupportedAlgorithm},
		{"wrong secret", []byte("whsec-other"), good, body, ErrSignatureMismatch},
		{"secret prefix is not the secret", testSecret[:len(testSecret)-1], good, body, ErrSignatureMismatch},
		{"body changed by one byte", testSecret, good, append(bytes.Clone(body[:len(body)-1]), ' '), ErrSignatureMismatch},
		{"empty body signed elsewhere", testSecret, good, nil, ErrSignatureMismatch},
		{"no secret configured fails closed", nil, Sign(nil, body), body, ErrNoSecret},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if err := VerifySignature(tc.secret, tc.header, tc.body); !errors.Is(err, tc.want) {
				t.Fatalf("VerifySignature = %v, want %v", err, tc.want)
			}
		})
	}
}

// The signature covers the bytes Greenhouse sent. Decoding and re-encoding the same JSON
// (which Go does with raw UTF-8 for ë and \u003c for <) produces other bytes and must fail.
func TestVerifySignature_RawBytesNotReserialized(t *testing.T) {
	t.Parallel()
	body := []byte(escapedBody)
	header := Sign(testSecret, body)
	if err := VerifySignature(testSecret, header, body); err != nil {
		t.Fatalf("raw bytes: %v", err)
	}

	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	reencoded, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(reencoded, body) {
		t.Fatal("test is vacuous: re-encoding gave the same bytes")
	}
	if !bytes.Contains(reencoded, []byte("Zoë")) {
		t.Fatalf("re-encoded body should carry raw UTF-8: %s", reencoded)
	}
	if err := VerifySignature(testSecret, header, reencoded); !errors.Is(err, ErrSignatureMismatch) {
		t.Fatalf("re-serialised body: got %v, want ErrSignatureMismatch", err)
	}
}

func TestVerifySignature_ErrorsDoNotLeakDigest(t *testing.T) {
	t.Parallel()
	body := []byte(escapedBody)
	want := hex.EncodeToString(hmacOf(testSecret, body))
	err := VerifySignature(testSecret, "sha256 "+strings.Repeat("00", 32), body)
	if err == nil || strings.Contains(err.Error(), want) || strings.Contains(err.Error(), string(testSecret)) {
		t.Fatalf("error %q must not contain the expected digest or the secret", err)
	}
}

func hmacOf(secret, body []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write(body)
	return h.Sum(nil)
}
