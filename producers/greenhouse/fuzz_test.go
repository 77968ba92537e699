package greenhouse

import (
	"context"
	"errors"
	"math/big"
	"regexp"
	"strings"
	"testing"

	"github.com/hirestream/hirestream/schemas"
)

// FuzzNormalize feeds arbitrary bodies to the normaliser as if they had passed the handler:
// it must never panic, every event it returns must have an id and a type and encode with the
// Avro contract, and an error must be permanent (bytes that cannot be read stay unreadable).
func FuzzNormalize(f *testing.F) {
	for _, name := range goldenCases(f) {
		f.Add(mustRead(f, name), name == "hire_candidate")
	}
	f.Add([]byte(`{"action":"offer_updated","payload":{"id":1,"offer_status":"Accepted","custom_fields":{"s":{"type":"currency","value":{"amount":"1e400","unit":"usd"}}}}}`), false)
	f.Add([]byte(`{"action":"hire_candidate","payload":{"application":{"id":"7","offer":{"id":2,"start_date":"2/30/2026","custom_fields":[]}}}}`), true)
	f.Add([]byte(`{"action":"candidate_stage_change","payload":{"application":{"id":-1,"current_stage":{"id":1e3}}}}`), false)
	f.Add([]byte(`{"action":"x","payload":null}`), false)
	f.Add([]byte(`not json`), false)

	codec := schemas.MustCodec()
	n := primedNormalizer() // shared across inputs: the state must survive anything too
	f.Fuzz(func(t *testing.T, body []byte, withHeader bool) {
		hdr := ""
		if withHeader {
			hdr = "fuzz-delivery"
		}
		evs, err := n.Handle(context.Background(), rawDelivery(body, hdr, recordedAt))
		if err != nil {
			if !errors.Is(err, schemas.ErrPermanent) {
				t.Fatalf("error is not permanent: %v", err)
			}
			return
		}
		for _, ev := range evs {
			if ev.ID == "" || ev.Type == "" {
				t.Fatalf("event without id or type: %+v", ev)
			}
			if _, err := codec.Encode(ev); err != nil {
				t.Fatalf("event does not encode: %v", err)
			}
			n.Observe(ev)
		}
	})
}

// FuzzVerifySignature: never panics; a header Sign produced always verifies; any header that
// verifies is, up to hex case and surrounding space, the one Sign produces.
func FuzzVerifySignature(f *testing.F) {
	f.Add([]byte("whsec"), "sha256 00", []byte(escapedBody))
	f.Add([]byte("whsec"), Sign([]byte("whsec"), []byte(escapedBody)), []byte(escapedBody))
	f.Add([]byte("k"), "sha256=abcd", []byte("{}"))
	f.Add([]byte(""), "", []byte(""))
	f.Add([]byte("k"), "SHA256  "+strings.Repeat("A", 64), []byte("x"))
	f.Fuzz(func(t *testing.T, secret []byte, header string, body []byte) {
		err := VerifySignature(secret, header, body)
		if len(secret) == 0 {
			if !errors.Is(err, ErrNoSecret) {
				t.Fatalf("empty secret: %v", err)
			}
			return
		}
		want := Sign(secret, body)
		if err == nil && !strings.EqualFold(strings.TrimSpace(header), want) {
			t.Fatalf("header %q verified but Sign gives %q", header, want)
		}
		if err := VerifySignature(secret, want, body); err != nil {
			t.Fatalf("Sign's own header fails: %v", err)
		}
	})
}

// decimalRE is the syntax parseMinor promises to read.
var decimalRE = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]{1,3})?$`)

// FuzzParseMinor checks parseMinor against exact rational arithmetic: whenever it answers, the
// answer is exact; whenever the amount is a whole number of minor units that fits an int64,
// it answers.
func FuzzParseMinor(f *testing.F) {
	for _, s := range []string{"98000", "10000.0", "103000.5", "1.03e5", "-0.01", ".5", "92233720368547758.07", "1e-3"} {
		f.Add(s, uint8(2))
	}
	f.Fuzz(func(t *testing.T, s string, e uint8) {
		exp := int(e % 5)
		got, err := parseMinor(s, exp)
		want, exact := exactMinor(s, exp)
		switch {
		case err == nil && (!exact || got != want):
			t.Fatalf("parseMinor(%q, %d) = %d, exact answer %d (exists: %v)", s, exp, got, want, exact)
		case err != nil && exact && decimalRE.MatchString(s):
			t.Fatalf("parseMinor(%q, %d) failed (%v), exact answer is %d", s, exp, err, want)
		}
	})
}

func exactMinor(s string, exp int) (int64, bool) {
	if !decimalRE.MatchString(s) {
		return 0, false
	}
	r, ok := new(big.Rat).SetString(strings.TrimPrefix(s, "+"))
	if !ok {
		return 0, false
	}
	r.Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(exp)), nil)))
	if !r.IsInt() || !r.Num().IsInt64() {
		return 0, false
	}
	return r.Num().Int64(), true
}
