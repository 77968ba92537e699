package hrissync

import (
	"errors"
	"os"
	"testing"
)

// FuzzParseMapping: any bytes give a mapping or a *ConfigError with a line inside the input,
// never a panic.
func FuzzParseMapping(f *testing.F) {
	example, err := os.ReadFile("../../deploy/hris/mapping.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	f.Add([]byte(minimal))
	f.Add([]byte(`{"fields": [{"hris": "a", "transform": {"type": "date", "formats": ["YYYYMMDD"]}}]}`))
	f.Add([]byte("{\n\"target\": \"rest\", \"rest\": {\"url\": \"http://x\"}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseMapping("m.json", data)
		if err == nil {
			if m == nil || len(m.Fields) == 0 || m.Field(m.SalaryField) == nil {
				t.Fatalf("accepted a mapping without fields or salary field: %+v", m)
			}
			return
		}
		lines := 1
		for _, b := range data {
			if b == '\n' {
				lines++
			}
		}
		var ce *ConfigError
		for _, e := range unwrapAll(err) {
			if errors.As(e, &ce) && (ce.Line < 0 || ce.Line > lines) {
				t.Fatalf("error line %d outside the input (%d lines): %v", ce.Line, lines, e)
			}
		}
	})
}

func unwrapAll(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
