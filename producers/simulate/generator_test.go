package simulate

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
)

var testStart = time.Date(2026, 1, 5, 9, 30, 0, 0, time.UTC)

func collect(t *testing.T, cfg Config) []Delivery {
	t.Helper()
	g := New(cfg)
	var out []Delivery
	for {
		d, ok := g.Next()
		if !ok {
			return out
		}
		out = append(out, d)
		if len(out) > 100*max(cfg.Candidates, 1)+1000 {
			t.Fatalf("generator does not terminate")
		}
	}
}

// funnel400 is the shared 400-candidate run of the shape tests.
func funnel400(t *testing.T) []Delivery {
	t.Helper()
	return collect(t, Config{Seed: 7, Candidates: 400, Start: testStart})
}

func TestDeterministicForSameSeed(t *testing.T) {
	cfg := Config{Seed: 42, Candidates: 150, Start: testStart, DuplicateRate: 0.03, OutOfOrderRate: 0.03}
	a, b := collect(t, cfg), collect(t, cfg)
	if len(a) != len(b) {
		t.Fatalf("lengths differ: %d vs %d", len(a), len(b))
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Action != y.Action || x.EventID != y.EventID || !x.OccurredAt.Equal(y.OccurredAt) ||
			x.CandidateID != y.CandidateID || x.ApplicationID != y.ApplicationID || !bytes.Equal(x.Body, y.Body) {
			t.Fatalf("delivery %d differs:\n%s %s\n%s %s", i, x.Action, x.Body, y.Action, y.Body)
		}
	}
	if got := New(cfg).Total(); got != len(a) {
		t.Errorf("Total() = %d, Next yielded %d", got, len(a))
	}

	cfg.Seed = 43
	c := collect(t, cfg)
	if len(c) == len(a) && bytes.Equal(c[0].Body, a[0].Body) {
		t.Errorf("seed 43 produced the same output as seed 42")
	}
	if c[0].EventID == a[0].EventID {
		t.Errorf("event ids do not depend on the seed")
	}
}

func TestEventIDsUniqueWithoutDuplicates(t *testing.T) {
	ds := funnel400(t)
	seen := map[string]bool{}
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	for _, d := range ds {
		if seen[d.EventID] {
			t.Fatalf("event id %s repeated", d.EventID)
		}
		seen[d.EventID] = true
		if !uuid.MatchString(d.EventID) {
			t.Fatalf("event id %q is not UUID-shaped", d.EventID)
		}
	}
}

// Small decoding structs: only the documented paths the pipeline relies on.
type tEnvelope struct {
	Action  string          `json:"action"`
	Payload json.RawMessage `json:"payload"`
}

type tCustomField struct {
	Name  string          `json:"name"`
	Type  string          `json:"type"`
	Value json.RawMessage `json:"value"`
}

type tCurrency struct {
	Amount int64  `json:"amount"`
	Unit   string `json:"unit"`
}

type tApplication struct {
	ID             int64   `json:"id"`
	Status         string  `json:"status"`
	Prospect       bool    `json:"prospect"`
	AppliedAt      string  `json:"applied_at"`
	LastActivityAt string  `json:"last_activity_at"`
	RejectedAt     *string `json:"rejected_at"`
	Source         *struct {
		ID         int64  `json:"id"`
		Name       string `json:"name"`
		PublicName string `json:"public_name"`
	} `json:"source"`
	CreditedTo *struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"credited_to"`
	RejectionReason *struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
		Type struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"type"`
	} `json:"rejection_reason"`
	CurrentStage *struct {
		ID         int64  `json:"id"`
		Name       string `json:"name"`
		Interviews []struct {
			ID     int64  `json:"id"`
			Name   string `json:"name"`
			Status string `json:"status"`
		} `json:"interviews"`
	} `json:"current_stage"`
	Candidate struct {
		ID             int64  `json:"id"`
		FirstName      string `json:"first_name"`
		LastName       string `json:"last_name"`
		EmailAddresses []struct {
			Value string `json:"value"`
			Type  string `json:"type"`
		} `json:"email_addresses"`
	} `json:"candidate"`
	Jobs []struct {
		ID            int64   `json:"id"`
		Name          string  `json:"name"`
		RequisitionID *string `json:"requisition_id"`
		Departments   []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"departments"`
		Offices []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"offices"`
		HiringTeam *struct {
			HiringManagers []struct {
				UserID int64 `json:"user_id"`
			} `json:"hiring_managers"`
		} `json:"hiring_team"`
	} `json:"jobs"`
	Job   *struct{ ID int64 } `json:"job"`
	Offer *struct {
		ID           int64                   `json:"id"`
		Version      int                     `json:"version"`
		CreatedAt    string                  `json:"created_at"`
		SentAt       *string                 `json:"sent_at"`
		ResolvedAt   *string                 `json:"resolved_at"`
		StartsAt     string                  `json:"starts_at"`
		CustomFields map[string]tCustomField `json:"custom_fields"`
	} `json:"offer"`
}

type tOffer struct {
	ID            int64                   `json:"id"`
	ApplicationID int64                   `json:"application_id"`
	JobID         int64                   `json:"job_id"`
	UserID        int64                   `json:"user_id"`
	Version       int                     `json:"version"`
	SentOn        *string                 `json:"sent_on"`
	ResolvedAt    *string                 `json:"resolved_at"`
	StartDate     string                  `json:"start_date"`
	OfferStatus   string                  `json:"offer_status"`
	CustomFields  map[string]tCustomField `json:"custom_fields"`
	Application   json.RawMessage         `json:"application"` // must be absent: the payload is the offer
}

type tPerson struct {
	ID                    int64   `json:"id"`
	FirstName             string  `json:"first_name"`
	DeletedApplicationIDs []int64 `json:"deleted_application_ids"`
	NewCandidateID        *int64  `json:"new_candidate_id"`
}

var (
	usDateRe  = regexp.MustCompile(`^\d{2}/\d{2}/\d{4}$`)
	isoDateRe = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

func salaryOf(t *testing.T, cf map[string]tCustomField) tCurrency {
	t.Helper()
	f, ok := cf["base_salary"]
	if !ok || f.Type != "currency" {
		t.Fatalf("custom_fields.base_salary missing or not a currency field: %+v", cf)
	}
	var c tCurrency
	if err := json.Unmarshal(f.Value, &c); err != nil {
		t.Fatalf("base_salary value: %v", err)
	}
	switch c.Unit {
	case "USD", "EUR", "GBP", "CAD":
	default:
		t.Fatalf("base_salary unit %q", c.Unit)
	}
	if c.Amount < 20000 || c.Amount > 300000 {
		t.Fatalf("base_salary amount %d out of any band", c.Amount)
	}
	return c
}

func parseTS(t *testing.T, what, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil || !strings.HasSuffix(s, "Z") {
		t.Fatalf("%s %q is not an ISO-8601 UTC timestamp: %v", what, s, err)
	}
	return v
}

func TestPayloadShapes(t *testing.T) {
	stageOK := map[string]bool{}
	for _, s := range stageNames {
		stageOK[s] = true
	}
	publicNameActions := map[string]bool{ActionRejectCandidate: true, ActionUnrejectCandidate: true, ActionHireCandidate: true}
	lastOffer := map[int64]tOffer{}     // application -> last offer_created
	deprecated := map[int64]tOffer{}    // application -> last deprecated version
	sourceIDs := map[string]int64{}     // name -> id, must be stable
	candidateOfApp := map[int64]int64{} // application -> candidate
	var referrals, referralsCredited, others, othersCredited int

	for i, d := range funnel400(t) {
		if !json.Valid(d.Body) {
			t.Fatalf("delivery %d (%s) is not valid JSON", i, d.Action)
		}
		var env tEnvelope
		dec := json.NewDecoder(bytes.NewReader(d.Body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&env); err != nil {
			t.Fatalf("delivery %d: envelope: %v", i, err)
		}
		if env.Action != d.Action {
			t.Fatalf("delivery %d: body action %q, Delivery.Action %q", i, env.Action, d.Action)
		}
		switch d.Action {
		case ActionNewCandidateApplication, ActionApplicationUpdated, ActionCandidateStageChange,
			ActionRejectCandidate, ActionUnrejectCandidate, ActionHireCandidate:
			var p struct {
				Application tApplication `json:"application"`
			}
			if err := json.Unmarshal(env.Payload, &p); err != nil {
				t.Fatalf("%s: %v", d.Action, err)
			}
			a := p.Application
			if a.ID == 0 || a.ID != d.ApplicationID || a.Candidate.ID == 0 || a.Candidate.ID != d.CandidateID {
				t.Fatalf("%s: application.id %d / candidate.id %d, delivery says %d / %d", d.Action, a.ID, a.Candidate.ID, d.ApplicationID, d.CandidateID)
			}
			candidateOfApp[a.ID] = a.Candidate.ID
			if len(a.Jobs) != 1 || a.Jobs[0].ID == 0 || a.Jobs[0].RequisitionID == nil ||
				len(a.Jobs[0].Departments) != 1 || len(a.Jobs[0].Offices) != 1 {
				t.Fatalf("%s: jobs[] incomplete: %+v", d.Action, a.Jobs)
			}
			if a.CurrentStage == nil || !stageOK[a.CurrentStage.Name] || a.CurrentStage.ID == 0 {
				t.Fatalf("%s: current_stage %+v", d.Action, a.CurrentStage)
			}
			if got := parseTS(t, "last_activity_at", a.LastActivityAt); !got.Equal(d.OccurredAt) {
				t.Fatalf("%s: last_activity_at %s, OccurredAt %s", d.Action, a.LastActivityAt, d.OccurredAt)
			}
			if parseTS(t, "applied_at", a.AppliedAt).After(d.OccurredAt) {
				t.Fatalf("%s: applied_at after the event", d.Action)
			}
			if a.Source == nil || a.Source.ID == 0 {
				t.Fatalf("%s: source missing", d.Action)
			}
			name := a.Source.Name
			if publicNameActions[d.Action] {
				if a.Source.PublicName == "" || a.Source.Name != "" {
					t.Fatalf("%s: want source.public_name only, got %+v", d.Action, a.Source)
				}
				name = a.Source.PublicName
			} else if a.Source.Name == "" || a.Source.PublicName != "" {
				t.Fatalf("%s: want source.name only, got %+v", d.Action, a.Source)
			}
			if id, ok := sourceIDs[name]; ok && id != a.Source.ID {
				t.Fatalf("source %q has ids %d and %d", name, id, a.Source.ID)
			}
			sourceIDs[name] = a.Source.ID
			for _, e := range a.Candidate.EmailAddresses {
				if !strings.HasSuffix(e.Value, ".example") {
					t.Fatalf("candidate email %q is not under .example", e.Value)
				}
			}
			switch d.Action {
			case ActionNewCandidateApplication:
				if a.Status != "active" || a.CurrentStage.Name != "Application Review" || a.AppliedAt != a.LastActivityAt {
					t.Fatalf("new application: %+v", a)
				}
				if a.Jobs[0].HiringTeam == nil || len(a.Jobs[0].HiringTeam.HiringManagers) == 0 {
					t.Fatalf("new application without hiring_team.hiring_managers")
				}
				if name == "Employee Referral" {
					referrals++
					if a.CreditedTo != nil && a.CreditedTo.Name != "" {
						referralsCredited++
					}
				} else {
					others++
					if a.CreditedTo != nil {
						othersCredited++
					}
				}
			case ActionRejectCandidate:
				if a.Status != "rejected" || a.RejectedAt == nil || *a.RejectedAt != a.LastActivityAt ||
					a.RejectionReason == nil || a.RejectionReason.Name == "" || a.RejectionReason.Type.Name == "" {
					t.Fatalf("reject: status %q rejected_at %v reason %+v", a.Status, a.RejectedAt, a.RejectionReason)
				}
			case ActionUnrejectCandidate:
				if a.Status != "active" || a.RejectedAt != nil || a.RejectionReason != nil {
					t.Fatalf("unreject: %+v", a)
				}
			case ActionHireCandidate:
				o := a.Offer
				if a.Status != "hired" || o == nil || a.Job == nil || a.Job.ID != a.Jobs[0].ID {
					t.Fatalf("hire: status %q offer %+v job %+v", a.Status, o, a.Job)
				}
				if !isoDateRe.MatchString(o.StartsAt) || o.SentAt == nil || !isoDateRe.MatchString(*o.SentAt) || o.ResolvedAt == nil {
					t.Fatalf("hire offer dates: %+v", o)
				}
				parseTS(t, "offer.created_at", o.CreatedAt)
				salaryOf(t, o.CustomFields)
				last, ok := lastOffer[a.ID]
				if !ok || last.ID != o.ID || last.Version != o.Version {
					t.Fatalf("hire offer %d v%d, last offer_created %+v", o.ID, o.Version, last)
				}
			}
		case ActionOfferCreated, ActionOfferApproved, ActionOfferUpdated:
			var o tOffer
			if err := json.Unmarshal(env.Payload, &o); err != nil {
				t.Fatalf("%s: %v", d.Action, err)
			}
			if o.Application != nil {
				t.Fatalf("%s: offer payload must be flat", d.Action)
			}
			if o.ID == 0 || o.ApplicationID != d.ApplicationID || o.JobID == 0 || o.UserID == 0 || o.Version < 1 {
				t.Fatalf("%s: %+v", d.Action, o)
			}
			if !usDateRe.MatchString(o.StartDate) {
				t.Fatalf("%s: start_date %q is not MM/DD/YYYY", d.Action, o.StartDate)
			}
			start, err := time.Parse(usDateLayout, o.StartDate)
			if err != nil || start.Weekday() != time.Monday || start.Before(d.OccurredAt) {
				t.Fatalf("%s: start_date %q (%v) should be a Monday after the offer", d.Action, o.StartDate, err)
			}
			sal := salaryOf(t, o.CustomFields)
			if et := o.CustomFields["employment_type"]; et.Type != "single_select" || len(et.Value) < 3 {
				t.Fatalf("%s: employment_type %+v", d.Action, et)
			}
			if o.SentOn != nil && !isoDateRe.MatchString(*o.SentOn) {
				t.Fatalf("%s: sent_on %q", d.Action, *o.SentOn)
			}
			switch d.Action {
			case ActionOfferCreated:
				if o.OfferStatus != "Created" || o.ResolvedAt != nil {
					t.Fatalf("offer_created: %+v", o)
				}
				if dep, ok := deprecated[o.ApplicationID]; ok {
					if o.Version != dep.Version+1 || o.ID == dep.ID || sal.Amount <= salaryOf(t, dep.CustomFields).Amount {
						t.Fatalf("offer v%d (id %d, %d) after deprecated v%d (id %d): want next version, new id, higher salary",
							o.Version, o.ID, sal.Amount, dep.Version, dep.ID)
					}
					delete(deprecated, o.ApplicationID)
				} else if o.Version != 1 {
					t.Fatalf("offer_created v%d without a deprecated predecessor", o.Version)
				}
				lastOffer[o.ApplicationID] = o
			case ActionOfferUpdated:
				switch o.OfferStatus {
				case "Created":
					if o.SentOn == nil {
						t.Fatalf("offer_updated (sent) without sent_on")
					}
				case "Deprecated":
					deprecated[o.ApplicationID] = o
					fallthrough
				case "Accepted", "Rejected":
					if o.ResolvedAt == nil || !parseTS(t, "resolved_at", *o.ResolvedAt).Equal(d.OccurredAt) {
						t.Fatalf("offer_updated %s: resolved_at %v, OccurredAt %s", o.OfferStatus, o.ResolvedAt, d.OccurredAt)
					}
				default:
					t.Fatalf("offer_updated status %q", o.OfferStatus)
				}
			}
		case ActionOfferDeleted:
			var p struct {
				Offer struct {
					ID             int64 `json:"id"`
					ApplicationID  int64 `json:"application_id"`
					OfferingUserID int64 `json:"offering_user_id"`
					Version        int   `json:"version"`
				} `json:"offer"`
			}
			if err := json.Unmarshal(env.Payload, &p); err != nil || p.Offer.ID == 0 || p.Offer.ApplicationID != d.ApplicationID || p.Offer.OfferingUserID == 0 {
				t.Fatalf("offer_deleted: nested payload.offer expected: %s (%v)", env.Payload, err)
			}
		case ActionUpdateCandidate:
			var p struct {
				Candidate struct {
					ID        int64  `json:"id"`
					UpdatedAt string `json:"updated_at"`
				} `json:"candidate"`
			}
			if err := json.Unmarshal(env.Payload, &p); err != nil || p.Candidate.ID != d.CandidateID ||
				!parseTS(t, "updated_at", p.Candidate.UpdatedAt).Equal(d.OccurredAt) {
				t.Fatalf("update_candidate: %s (%v)", env.Payload, err)
			}
		case ActionMergeCandidate:
			var p struct{ Person tPerson }
			if err := json.Unmarshal(env.Payload, &p); err != nil || p.Person.ID != d.CandidateID ||
				p.Person.NewCandidateID == nil || *p.Person.NewCandidateID == p.Person.ID {
				t.Fatalf("merge_candidate: %s (%v)", env.Payload, err)
			}
			if candidateOfApp[d.ApplicationID] != d.CandidateID {
				t.Fatalf("merge_candidate: application %d belonged to %d, not the merged %d", d.ApplicationID, candidateOfApp[d.ApplicationID], d.CandidateID)
			}
		case ActionDeleteCandidate:
			var p struct{ Person tPerson }
			if err := json.Unmarshal(env.Payload, &p); err != nil || p.Person.ID != d.CandidateID || p.Person.NewCandidateID != nil ||
				len(p.Person.DeletedApplicationIDs) == 0 || p.Person.DeletedApplicationIDs[0] != d.ApplicationID {
				t.Fatalf("delete_candidate: %s (%v)", env.Payload, err)
			}
		case ActionJobPostUpdated:
			var p struct {
				ID    int64 `json:"id"`
				JobID int64 `json:"job_id"`
			}
			if err := json.Unmarshal(env.Payload, &p); err != nil || p.ID == 0 || p.JobID == 0 || d.CandidateID != 0 {
				t.Fatalf("job_post_updated: %s (%v)", env.Payload, err)
			}
		default:
			t.Fatalf("unexpected action %q", d.Action)
		}
	}
	if len(sourceIDs) != len(sources) {
		t.Errorf("sources seen: %v, want all %d", sourceIDs, len(sources))
	}
	if referrals == 0 || referralsCredited != referrals || othersCredited != 0 {
		t.Errorf("credited_to: %d/%d referrals credited, %d/%d others credited", referralsCredited, referrals, othersCredited, others)
	}
}

func TestATSTimeMonotonic(t *testing.T) {
	ds := funnel400(t)
	last := map[int64]time.Time{}
	var prev time.Time
	for i, d := range ds {
		if d.OccurredAt.Before(testStart) {
			t.Fatalf("delivery %d occurs before the start", i)
		}
		if d.OccurredAt.Before(prev) {
			t.Fatalf("delivery %d (%s) at %s is before its predecessor at %s", i, d.Action, d.OccurredAt, prev)
		}
		prev = d.OccurredAt
		if d.CandidateID == 0 {
			continue
		}
		if d.OccurredAt.Before(last[d.CandidateID]) {
			t.Fatalf("candidate %d goes back in time at delivery %d", d.CandidateID, i)
		}
		last[d.CandidateID] = d.OccurredAt
	}
	if span := prev.Sub(testStart); span < 30*day {
		t.Errorf("400 candidates span only %s of ATS time; want weeks", span)
	}
}

func TestFunnelCoversEveryActionAndConvertsPlausibly(t *testing.T) {
	ds := funnel400(t)
	counts := map[string]int{}
	stageOf := map[int64]string{}
	sourceOf := map[int64]string{}
	reachedPhone := map[int64]bool{}
	backward := 0
	reasons := map[string]bool{}
	rank := map[string]int{}
	for i, s := range stageNames {
		rank[s] = i
	}
	for _, d := range ds {
		counts[d.Action]++
		switch d.Action {
		case ActionNewCandidateApplication, ActionCandidateStageChange, ActionRejectCandidate:
			var p struct{ Application tApplication }
			if err := json.Unmarshal(mustPayload(t, d), &p); err != nil {
				t.Fatal(err)
			}
			a := p.Application
			if d.Action == ActionNewCandidateApplication {
				sourceOf[a.ID] = a.Source.Name
			}
			if d.Action == ActionRejectCandidate {
				reasons[a.RejectionReason.Name] = true
			}
			if d.Action == ActionCandidateStageChange {
				if rank[a.CurrentStage.Name] < rank[stageOf[a.ID]] {
					backward++
				}
				if a.CurrentStage.Name == "Phone Screen" {
					reachedPhone[a.ID] = true
				}
			}
			stageOf[a.ID] = a.CurrentStage.Name
		}
	}
	for _, a := range Actions {
		if counts[a] == 0 {
			t.Errorf("action %s never emitted over 400 candidates (counts %v)", a, counts)
		}
	}
	apps, hires := counts[ActionNewCandidateApplication], counts[ActionHireCandidate]
	if apps != 400 {
		t.Errorf("applications = %d, want 400", apps)
	}
	if rate := float64(hires) / float64(apps); rate < 0.02 || rate > 0.10 {
		t.Errorf("hire rate %.3f (%d/%d) outside 2-10%%", rate, hires, apps)
	}
	if backward == 0 {
		t.Errorf("no backward stage move")
	}
	if len(reasons) < 6 {
		t.Errorf("only %d distinct rejection reasons: %v", len(reasons), reasons)
	}
	passRate := func(src string) float64 {
		n, p := 0, 0
		for id, s := range sourceOf {
			if s == src {
				n++
				if reachedPhone[id] {
					p++
				}
			}
		}
		return float64(p) / float64(max(n, 1))
	}
	if ref, ind := passRate("Employee Referral"), passRate("Indeed"); ref <= 1.5*ind {
		t.Errorf("referrals should pass review far more often than Indeed: %.2f vs %.2f", ref, ind)
	}
	t.Logf("counts %v; hires %d/%d; backward moves %d", counts, hires, apps, backward)
}

func mustPayload(t *testing.T, d Delivery) json.RawMessage {
	t.Helper()
	var env tEnvelope
	if err := json.Unmarshal(d.Body, &env); err != nil {
		t.Fatal(err)
	}
	return env.Payload
}

func TestBodiesEscapeNonASCII(t *testing.T) {
	nonASCIINames := 0
	for _, d := range funnel400(t) {
		for _, c := range d.Body {
			if c >= 0x80 {
				t.Fatalf("%s body has a raw non-ASCII byte: %.200s", d.Action, d.Body)
			}
			if c == '<' || c == '>' {
				t.Fatalf("%s body has an unescaped HTML character", d.Action)
			}
		}
		if d.Action == ActionNewCandidateApplication {
			var p struct{ Application tApplication }
			if err := json.Unmarshal(mustPayload(t, d), &p); err != nil {
				t.Fatal(err)
			}
			c := p.Application.Candidate
			if strings.IndexFunc(c.FirstName+c.LastName, func(r rune) bool { return r >= 0x80 }) >= 0 {
				nonASCIINames++
			}
		}
	}
	if nonASCIINames < 40 {
		t.Errorf("only %d of 400 candidates have non-ASCII names", nonASCIINames)
	}
}

func TestEscapeNonASCII(t *testing.T) {
	in := map[string]string{"a": "Zoë Ngata-Øvergaard", "b": "李 <b>&", "c": "𠮷野", "d": "plain"}
	raw, _ := json.Marshal(in)
	got := EscapeNonASCII(raw)
	want := `{"a":"Zo\u00eb Ngata-\u00d8vergaard","b":"\u674e \u003cb\u003e\u0026","c":"\ud842\udfb7\u91ce","d":"plain"}`
	if string(got) != want {
		t.Fatalf("EscapeNonASCII:\n got %s\nwant %s", got, want)
	}
	var back map[string]string
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	for k, v := range in {
		if back[k] != v {
			t.Errorf("round trip %s: %q != %q", k, back[k], v)
		}
	}
	if ascii := []byte(`{"a":1}`); &EscapeNonASCII(ascii)[0] != &ascii[0] {
		t.Errorf("ASCII input should be returned as is")
	}
}

func TestDuplicatesAndOutOfOrder(t *testing.T) {
	cfg := Config{Seed: 11, Candidates: 300, Start: testStart}
	base := collect(t, cfg)
	cfg.DuplicateRate, cfg.OutOfOrderRate = 0.05, 0.05
	faulty := collect(t, cfg)
	if got := New(cfg).Total(); got != len(faulty) {
		t.Errorf("Total() = %d, Next yielded %d", got, len(faulty))
	}

	byID := map[string]Delivery{}
	for _, d := range base {
		byID[d.EventID] = d
	}
	seen := map[string]int{}
	inversions := 0
	for i, d := range faulty {
		orig, ok := byID[d.EventID]
		if !ok || !bytes.Equal(orig.Body, d.Body) || orig.Action != d.Action {
			t.Fatalf("delivery %d (event %s) is not one of the fault-free deliveries", i, d.EventID)
		}
		seen[d.EventID]++
		if i > 0 && d.OccurredAt.Before(faulty[i-1].OccurredAt) {
			inversions++
		}
	}
	if len(seen) != len(base) {
		t.Errorf("%d distinct deliveries, want all %d", len(seen), len(base))
	}
	dups := len(faulty) - len(base)
	if want := len(base) / 20; dups < want/2 || dups > want*2 {
		t.Errorf("%d redeliveries for %d deliveries at rate 0.05", dups, len(base))
	}
	if inversions == 0 {
		t.Errorf("no out-of-order deliveries at rate 0.05")
	}
}

func TestDefaultsAndOfferTiming(t *testing.T) {
	g := New(Config{Seed: 1})
	cfg := g.Config()
	if cfg.Candidates != defaultCandidates || cfg.ArrivalWindow != defaultArrivalWindow {
		t.Errorf("defaults not applied: %+v", cfg)
	}
	if ago := time.Since(cfg.Start); ago < 59*day || ago > 61*day {
		t.Errorf("default start %s is not ~60 days ago", cfg.Start)
	}
	d, ok := g.Next()
	if !ok || d.OccurredAt.Before(cfg.Start) {
		t.Fatalf("first delivery %+v", d)
	}
}

// BenchmarkGenerate measures generation (decisions, JSON, escaping) per
// delivery; b.ReportMetric adds bytes per delivery.
func BenchmarkGenerate(b *testing.B) {
	var n, size int
	for b.Loop() {
		g := New(Config{Seed: uint64(n), Candidates: 100, Start: testStart})
		for {
			d, ok := g.Next()
			if !ok {
				break
			}
			n++
			size += len(d.Body)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/delivery")
	b.ReportMetric(float64(size)/float64(n), "B/delivery")
}
