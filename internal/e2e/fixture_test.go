package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hirestream/hirestream/internal/testkit"
)

// The golden fixture (dashboards/testdata/fixture.txt) rendered into Greenhouse webhooks.

const (
	fixturePath   = "../../dashboards/testdata/fixture.txt"
	webhooksPath  = "../../dashboards/testdata/fixture.webhooks.jsonl"
	expectedDir   = "../../dashboards/testdata/expected/"
	fixtureEpoch  = "2026-03-02T09:00:00Z"
	fixtureOffice = `{"id":22,"name":"Berlin","location":"Berlin, Germany"}`
)

type fxJob struct {
	id, stageBase, deptID int
	title, dept           string
}

var fxJobs = map[string]fxJob{
	"J1": {4410087, 9100440, 310, "Senior Backend Engineer (Go)", "Platform Engineering"},
	"J2": {4410120, 9100540, 320, "Product Designer", "Design"},
	"J3": {4410200, 9100640, 330, "Account Executive", "Sales"},
}

var fxStages = []string{"", "Application Review", "Phone Screen", "Technical Interview", "Onsite", "Offer"}

var fxSources = map[string]struct {
	id   int
	name string
}{
	"ref": {4001, "Employee Referral"}, "li": {4002, "LinkedIn"}, "web": {17, "Jobs page on your website"},
	"agency": {4003, "Northwind Recruiting Agency"}, "sourced": {4004, "LinkedIn (Prospecting)"},
}

var fxFirstNames = []string{"Zoë", "Marcus", "Aoife", "Kenji", "Priya", "Tomás", "Amara", "Lukas", "Sofía", "Noah", "Mei", "Oluwaseun"}

// fxDelivery is one webhook delivery of the fixture.
type fxDelivery struct {
	Line    int             `json:"line"`
	EventID string          `json:"greenhouse_event_id,omitempty"` // "" = no header
	Copies  int             `json:"copies"`
	Body    json.RawMessage `json:"body"`
}

type fxApp struct {
	id, cand, job, source string
	applied               time.Time
	prospect              bool
	offers                map[string]time.Time // offer -> created
}

func fxNum(prefix string, base int64, s string) int64 {
	n, err := strconv.Atoi(strings.TrimPrefix(s, prefix))
	if err != nil || !strings.HasPrefix(s, prefix) {
		panic(fmt.Sprintf("fixture: %q is not %sNN", s, prefix))
	}
	return base + int64(n)
}

func fxAppID(a string) int64  { return fxNum("A", 880100000, a) }
func fxCandID(c string) int64 { return fxNum("C", 610100000, c) }
func fxOfferID(o string) int64 {
	return fxNum("O", 3300000, o)
}

// fxTime parses dN or dN+Hh.
func fxTime(s string) time.Time {
	t0, _ := time.Parse(time.RFC3339, fixtureEpoch)
	day, hours, _ := strings.Cut(strings.TrimPrefix(s, "d"), "+")
	d, err := strconv.Atoi(day)
	if err != nil || !strings.HasPrefix(s, "d") {
		panic(fmt.Sprintf("fixture: bad time %q", s))
	}
	t := t0.AddDate(0, 0, d)
	if hours != "" {
		h, err := strconv.Atoi(strings.TrimSuffix(hours, "h"))
		if err != nil {
			panic(fmt.Sprintf("fixture: bad time %q", s))
		}
		t = t.Add(time.Duration(h) * time.Hour)
	}
	return t
}

func ts(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// renderFixture turns fixture.txt into deliveries.
func renderFixture(t *testing.T) []fxDelivery {
	t.Helper()
	f, err := os.Open(fixturePath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type line struct {
		n      int
		fields []string
	}
	var lines []line
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		lines = append(lines, line{n, strings.Fields(text)})
	}
	apps := map[string]*fxApp{}
	// First pass: declarations, application times, offer creation times.
	for _, l := range lines {
		fs := l.fields
		switch {
		case fs[0] == "app":
			apps[fs[1]] = &fxApp{id: fs[1], cand: fs[2], job: fs[3], source: fs[4], offers: map[string]time.Time{}}
		case len(fs) > 2 && (fs[1] == "apply" || fs[1] == "prospect"):
			apps[fs[0]].applied = fxTime(fs[2])
		case len(fs) > 4 && fs[1] == "offer" && fs[3] == "create":
			apps[fs[0]].offers[fs[2]] = fxTime(fs[4])
		}
	}
	var out []fxDelivery
	for _, l := range lines {
		fs := l.fields
		if fs[0] == "app" {
			continue
		}
		d := fxDelivery{Line: l.n, EventID: fmt.Sprintf("fx-%03d", l.n), Copies: 1}
		var rest []string
		cand := ""
		for _, x := range fs {
			switch {
			case x == "dup":
				d.Copies = 2
			case x == "x3":
				d.Copies = 3
			case x == "noid":
				d.EventID = ""
			case strings.HasPrefix(x, "cand="):
				cand = strings.TrimPrefix(x, "cand=")
			default:
				rest = append(rest, x)
			}
		}
		var body any
		switch rest[0] {
		case "merge":
			var deleted []int64
			for _, a := range rest[4:] {
				if a != "deleted" {
					deleted = append(deleted, fxAppID(a))
				}
			}
			body = fxEnvelope("merge_candidate", map[string]any{"person": fxPerson(rest[1], deleted, rest[3])})
		case "delete-candidate":
			var ids []int64
			for _, a := range rest[2:] {
				ids = append(ids, fxAppID(a))
			}
			body = fxEnvelope("delete_candidate", map[string]any{"person": fxPerson(rest[1], ids, "")})
		default:
			a := apps[rest[0]]
			if a == nil {
				t.Fatalf("fixture line %d: application %s is not declared", l.n, rest[0])
			}
			if cand != "" {
				a.cand = cand
			}
			body = a.render(t, l.n, rest[1:])
		}
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		d.Body = b
		out = append(out, d)
	}
	return out
}

func fxEnvelope(action string, payload any) map[string]any {
	return map[string]any{"action": action, "payload": payload}
}

func fxPerson(c string, deleted []int64, into string) map[string]any {
	id := fxCandID(c)
	p := map[string]any{"id": id, "first_name": fxFirstNames[id%int64(len(fxFirstNames))], "last_name": "Fixture-" + c,
		"created_at": fixtureEpoch, "updated_at": fixtureEpoch, "deleted_application_ids": deleted}
	if deleted == nil {
		p["deleted_application_ids"] = []int64{}
	}
	if into != "" {
		p["new_candidate_id"] = fxCandID(into)
	}
	return p
}

func (a *fxApp) candidate() map[string]any {
	id := fxCandID(a.cand)
	first := fxFirstNames[id%int64(len(fxFirstNames))]
	return map[string]any{"id": id, "first_name": first, "last_name": "Fixture-" + a.cand,
		"email_addresses": []any{map[string]any{"value": strings.ToLower(a.cand) + "@mail.example", "type": "personal"}},
		"recruiter":       nil, "coordinator": nil}
}

func (a *fxApp) jobs() []any {
	j := fxJobs[a.job]
	var office any
	_ = json.Unmarshal([]byte(fixtureOffice), &office)
	return []any{map[string]any{"id": j.id, "name": j.title, "requisition_id": fmt.Sprintf("REQ-%d", j.id),
		"departments": []any{map[string]any{"id": j.deptID, "name": j.dept, "external_id": nil}}, "offices": []any{office}}}
}

func (a *fxApp) stage(n string) map[string]any {
	i, err := strconv.Atoi(n)
	if err != nil || i < 1 || i >= len(fxStages) {
		panic(fmt.Sprintf("fixture: bad stage %q", n))
	}
	return map[string]any{"id": fxJobs[a.job].stageBase + i, "name": fxStages[i], "interviews": []any{}}
}

// application is the application-shaped payload at time at.
func (a *fxApp) application(at time.Time, status string, stage map[string]any) map[string]any {
	var source any
	if s, ok := fxSources[a.source]; ok {
		source = map[string]any{"id": s.id, "public_name": s.name}
	}
	var cs any = stage
	if stage == nil {
		cs = nil
	}
	return map[string]any{"id": fxAppID(a.id), "prospect": a.prospect, "status": status, "applied_at": ts(a.applied),
		"last_activity_at": ts(at), "rejected_at": nil, "source": source, "credited_to": nil, "rejection_reason": nil,
		"current_stage": cs, "custom_fields": map[string]any{}, "candidate": a.candidate(), "jobs": a.jobs()}
}

func (a *fxApp) offer(o, status string, at time.Time) map[string]any {
	j := fxJobs[a.job]
	created, ok := a.offers[o]
	if !ok {
		created = at
	}
	m := map[string]any{"id": fxOfferID(o), "application_id": fxAppID(a.id), "job_id": j.id, "user_id": 5600, "version": 1,
		"offer_status": status, "created_at": ts(created), "updated_at": ts(at), "sent_on": created.Format(time.DateOnly),
		"resolved_at": nil, "start_date": "05/04/2026",
		"custom_fields": map[string]any{"employment_type": map[string]any{"name": "Employment Type", "type": "single_select", "value": "Full-time"}}}
	if status == "Accepted" || status == "Rejected" {
		m["resolved_at"] = ts(at)
	}
	return m
}

func (a *fxApp) render(t *testing.T, n int, args []string) any {
	verb := args[0]
	need := func(k int) {
		if len(args) < k {
			t.Fatalf("fixture line %d: %s needs %d arguments", n, verb, k-1)
		}
	}
	need(2)
	switch verb {
	case "apply":
		need(3)
		return fxEnvelope("new_candidate_application", map[string]any{"application": a.application(fxTime(args[1]), "active", a.stage(args[2]))})
	case "prospect":
		a.prospect = true
		return fxEnvelope("new_prospect_application", map[string]any{"application": a.application(fxTime(args[1]), "active", nil)})
	case "convert":
		need(3)
		a.prospect = false
		return fxEnvelope("application_updated", map[string]any{"application": a.application(fxTime(args[1]), "active", a.stage(args[2]))})
	case "move":
		need(3)
		return fxEnvelope("candidate_stage_change", map[string]any{"application": a.application(fxTime(args[1]), "active", a.stage(args[2]))})
	case "reject":
		need(4)
		at := fxTime(args[1])
		app := a.application(at, "rejected", a.stage(args[2]))
		app["rejected_at"] = ts(at)
		reason := map[string]any{"id": 101, "name": "Insufficient experience", "type": map[string]any{"id": 1, "name": "We rejected them"}}
		if args[3] == "they" {
			reason = map[string]any{"id": 201, "name": "Withdrew", "type": map[string]any{"id": 2, "name": "They rejected us"}}
		}
		app["rejection_reason"] = reason
		return fxEnvelope("reject_candidate", map[string]any{"application": app})
	case "unreject":
		need(3)
		return fxEnvelope("unreject_candidate", map[string]any{"application": a.application(fxTime(args[1]), "active", a.stage(args[2]))})
	case "hire":
		need(3)
		at := fxTime(args[1])
		app := a.application(at, "hired", a.stage("5"))
		j := fxJobs[a.job]
		app["job"] = map[string]any{"id": j.id, "name": j.title}
		created, ok := a.offers[args[2]]
		if !ok {
			t.Fatalf("fixture line %d: offer %s is never created", n, args[2])
		}
		app["offer"] = map[string]any{"id": fxOfferID(args[2]), "version": 1, "created_at": ts(created), "sent_at": created.Format(time.DateOnly),
			"resolved_at": ts(at), "starts_at": "2026-05-04", "custom_fields": map[string]any{}}
		return fxEnvelope("hire_candidate", map[string]any{"application": app})
	case "unhire":
		return fxEnvelope("unhire_candidate", map[string]any{"application": a.application(fxTime(args[1]), "active", a.stage("5"))})
	case "delete":
		at := fxTime(args[1])
		return fxEnvelope("delete_application", map[string]any{"application": map[string]any{"id": fxAppID(a.id),
			"candidate_id": fxCandID(a.cand), "job_id": fxJobs[a.job].id, "created_at": ts(a.applied), "updated_at": ts(at),
			"source_id": fxSources[a.source].id, "prospect": false}})
	case "offer":
		need(4)
		o, what := args[1], args[2]
		var at time.Time
		if len(args) > 3 {
			at = fxTime(args[3])
		}
		switch what {
		case "create":
			return fxEnvelope("offer_created", a.offer(o, "Created", at))
		case "accept":
			return fxEnvelope("offer_updated", a.offer(o, "Accepted", at))
		case "decline":
			return fxEnvelope("offer_updated", a.offer(o, "Rejected", at))
		case "delete":
			m := a.offer(o, "Deprecated", at)
			return fxEnvelope("offer_deleted", map[string]any{"offer": m})
		}
	}
	t.Fatalf("fixture line %d: unknown %q", n, strings.Join(args, " "))
	return nil
}

// fixtureDeliveries renders the fixture and checks (or, with -update, rewrites) the committed
// webhook bodies, so what is posted is exactly what is in testdata.
func fixtureDeliveries(t *testing.T) []fxDelivery {
	t.Helper()
	ds := renderFixture(t)
	var buf bytes.Buffer
	for _, d := range ds {
		b, _ := json.Marshal(d)
		buf.Write(b)
		buf.WriteByte('\n')
	}
	if *testkit.Update {
		if err := os.WriteFile(webhooksPath, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(webhooksPath)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/e2e -run Golden -update)", err)
	}
	if !bytes.Equal(got, buf.Bytes()) {
		t.Fatalf("%s is stale: fixture.txt renders differently (run with -update and review the diff)", webhooksPath)
	}
	return ds
}
