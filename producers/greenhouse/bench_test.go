package greenhouse

import (
	"context"
	"testing"

	"github.com/hirestream/hirestream/schemas"
)

// BenchmarkNormalize measures Handle on representative deliveries (go test -bench Normalize
// -benchmem); ns/op and allocs/op are per delivery.
func BenchmarkNormalize(b *testing.B) {
	for _, name := range []string{"new_candidate_application", "candidate_stage_change", "hire_candidate", "offer_created", "update_candidate", "unknown_job_created"} {
		b.Run(name, func(b *testing.B) {
			n := primedNormalizer()
			raw := rawDelivery(mustRead(b, name), "", recordedAt)
			b.SetBytes(int64(len(raw.Payload.(*schemas.RawDelivery).Body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := n.Handle(context.Background(), raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerifySignature is the per-request cost the handler pays before anything else.
func BenchmarkVerifySignature(b *testing.B) {
	body := mustRead(b, "new_candidate_application")
	header := Sign(testSecret, body)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := VerifySignature(testSecret, header, body); err != nil {
			b.Fatal(err)
		}
	}
}
