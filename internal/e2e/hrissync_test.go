package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/hirestream/hirestream/internal/config"
	"github.com/hirestream/hirestream/internal/emulate/bamboohr"
	slackemu "github.com/hirestream/hirestream/internal/emulate/slack"
	smtpemu "github.com/hirestream/hirestream/internal/emulate/smtp"
	"github.com/hirestream/hirestream/internal/pipeline"
	"github.com/hirestream/hirestream/internal/stream"
	"github.com/hirestream/hirestream/internal/testkit"
	"github.com/hirestream/hirestream/processors/alert"
	"github.com/hirestream/hirestream/processors/hrissync"
	"github.com/hirestream/hirestream/producers/greenhouse"
	"github.com/hirestream/hirestream/schemas"
	chsink "github.com/hirestream/hirestream/sinks/clickhouse"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
)

// The HRIS sync end to end: signed Greenhouse webhooks → ingest → Kafka → normalizer →
// hris-sync (example mapping deploy/hris/mapping.json) → the BambooHR emulator on a real port
// (seeded from deploy/hris/bamboohr-seed.json) → outcomes on Kafka → hris_syncs in ClickHouse,
// and alerts → alert-notifier → a real SMTP receiver and a real Slack-webhook receiver.

// hrisJob is a job of the synthetic Greenhouse tenant (producers/simulate/refdata.go) with what
// BambooHR must show for it, written out by hand from the example mapping's tables.
type hrisJob struct {
	id                   int64
	name                 string
	deptID               int64
	dept                 string
	officeID             int64
	office, location     string
	manager              int64  // Greenhouse hiring-manager user id
	currency, employment string // as the offer states them
	// BambooHR
	wantDept, wantLocation, wantManager, wantEmployment string
}

var hrisJobs = []hrisJob{
	{4410087, "Senior Backend Engineer (Go)", 310, "Platform Engineering", 22, "Berlin", "Berlin, Germany", 5701, "EUR", "Full-time", "Engineering - Platform", "DE - Berlin", "101", "Full-Time"},
	{4410139, "Staff Software Engineer, Data", 301, "Engineering", 24, "New York", "New York, NY, United States", 5703, "USD", "Full-time", "Engineering", "US - New York", "103", "Full-Time"},
	{4410214, "Sales Development Representative", 320, "Sales", 23, "London", "London, United Kingdom", 5708, "GBP", "Full-time", "Sales", "UK - London", "108", "Full-Time"},
	{4410158, "Mobile Engineer (iOS)", 301, "Engineering", 26, "Toronto", "Toronto, ON, Canada", 5705, "CAD", "Contract", "Engineering", "CA - Toronto", "105", "Contractor"},
	{4410262, "People Partner", 360, "People", 22, "Berlin", "Berlin, Germany", 5712, "EUR", "Part-time", "People", "DE - Berlin", "112", "Part-Time"},
	{4410247, "Product Marketing Manager", 340, "Marketing", 25, "Remote - US", "United States", 5710, "USD", "Full-time", "Marketing", "US - Remote", "110", "Full-Time"},
}

// hrisHire is one synthetic hire and what BambooHR must hold for it.
type hrisHire struct {
	cand, app, offer int64
	first, last      string // as Greenhouse has them
	job              hrisJob
	salary           int64 // major units, annual
	start            time.Time
	// BambooHR
	wantFirst, wantLast, wantEmail string
}

// startDate is a Monday at least 30 days ahead whose day of month is above 12, so reading
// MM/DD/YYYY as DD/MM/YYYY could not go unnoticed.
func startDate(n int) time.Time {
	d := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 30+7*n)
	for d.Weekday() != time.Monday || d.Day() <= 12 {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// namedHires are hand-written hires covering names with diacritics, all caps, all lower case,
// extra spaces and non-Latin scripts.
func namedHires() []hrisHire {
	people := []struct{ first, last, wantFirst, wantLast, local string }{
		{"Zoë", "Ngata-Øvergaard", "Zoë", "Ngata-Øvergaard", "zoe.ngataovergaard"},
		{"JÜRGEN", "MÜLLER", "Jürgen", "Müller", "jurgen.muller"},
		{"siobhán", "ó briain", "Siobhán", "Ó Briain", "siobhan.obriain"},
		{"  María   José ", "Núñez", "María José", "Núñez", "mariajose.nunez"},
		{"美咲", "田中", "美咲", "田中", ""},
		{"Łukasz", "Wróbel", "Łukasz", "Wróbel", "lukasz.wrobel"},
	}
	var out []hrisHire
	for i, p := range people {
		h := hrisHire{cand: 710000001 + int64(i), app: 810000001 + int64(i), offer: 3900001 + int64(i),
			first: p.first, last: p.last, job: hrisJobs[i%len(hrisJobs)], salary: 98000 + 1500*int64(i), start: startDate(i),
			wantFirst: p.wantFirst, wantLast: p.wantLast, wantEmail: p.local + "@acme.example"}
		if p.local == "" {
			h.wantEmail = fmt.Sprintf("hire.%d@acme.example", h.cand)
		}
		out = append(out, h)
	}
	return out
}

// numberedHires are n plain hires with unique names and work emails.
func numberedHires(n int, base int64) []hrisHire {
	var out []hrisHire
	for i := range n {
		last := fmt.Sprintf("Rivera%03d", i)
		h := hrisHire{cand: base + int64(i), app: base + 100000 + int64(i), offer: base/10 + int64(i),
			first: "Alex", last: last, job: hrisJobs[i%len(hrisJobs)], salary: 85000 + 500*int64(i%40), start: startDate(i % 3),
			wantFirst: "Alex", wantLast: last, wantEmail: "alex." + strings.ToLower(last) + "@acme.example"}
		out = append(out, h)
	}
	return out
}

func (h hrisHire) jobJSON(team bool) map[string]any {
	j := map[string]any{"id": h.job.id, "name": h.job.name, "requisition_id": "REQ-" + strconv.FormatInt(h.job.id, 10),
		"departments": []any{map[string]any{"id": h.job.deptID, "name": h.job.dept, "external_id": nil}},
		"offices":     []any{map[string]any{"id": h.job.officeID, "name": h.job.office, "location": h.job.location, "external_id": nil}}}
	if team {
		j["hiring_team"] = map[string]any{"hiring_managers": []any{map[string]any{"user_id": h.job.manager, "employee_id": nil}},
			"recruiters": []any{map[string]any{"user_id": 5600, "employee_id": nil}}, "sourcers": []any{}, "coordinators": []any{}}
	}
	return j
}

func (h hrisHire) candidateJSON() map[string]any {
	return map[string]any{"id": h.cand, "first_name": h.first, "last_name": h.last,
		"email_addresses": []any{map[string]any{"value": fmt.Sprintf("c%d@mail.example", h.cand), "type": "personal"}}}
}

var hsBase = time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC)

func hsTS(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (h hrisHire) applicationBody() []byte {
	at := hsBase.Add(time.Duration(h.cand%1000) * time.Minute)
	return mustJSON(map[string]any{"action": "new_candidate_application", "payload": map[string]any{"application": map[string]any{
		"id": h.app, "prospect": false, "status": "active", "applied_at": hsTS(at), "last_activity_at": hsTS(at),
		"source":        map[string]any{"id": 17, "name": "Jobs page on your website"},
		"current_stage": map[string]any{"id": 9100440, "name": "Application Review", "interviews": []any{}},
		"candidate":     h.candidateJSON(), "jobs": []any{h.jobJSON(true)}}}})
}

// offerBody is offer_created (status Created) or offer_updated (Accepted), with the start date
// as Greenhouse offers carry it: MM/DD/YYYY.
func (h hrisHire) offerBody(action, status string, salary int64, at time.Time) []byte {
	p := map[string]any{"id": h.offer, "application_id": h.app, "job_id": h.job.id, "user_id": 5600, "version": 1,
		"created_at": hsTS(hsBase), "updated_at": hsTS(at), "sent_on": hsBase.Format("2006-01-02"), "resolved_at": nil,
		"start_date": h.start.Format("01/02/2006"), "notes": nil, "offer_status": status,
		"custom_fields": map[string]any{
			"base_salary":     map[string]any{"name": "Base Salary", "type": "currency", "value": map[string]any{"amount": salary, "unit": h.job.currency}, "frequency": "annually"},
			"employment_type": map[string]any{"name": "Employment Type", "type": "single_select", "value": h.job.employment},
		}}
	if status == "Accepted" {
		p["resolved_at"] = hsTS(at)
	}
	return mustJSON(map[string]any{"action": action, "payload": p})
}

func (h hrisHire) hireBody(at time.Time) []byte {
	app := map[string]any{"id": h.app, "prospect": false, "status": "hired", "applied_at": hsTS(hsBase), "last_activity_at": hsTS(at),
		"current_stage": map[string]any{"id": 9100445, "name": "Offer", "interviews": []any{}},
		"candidate":     h.candidateJSON(), "jobs": []any{h.jobJSON(false)},
		"offer": map[string]any{"id": h.offer, "version": 1, "created_at": hsTS(hsBase), "sent_at": hsBase.Format("2006-01-02"),
			"resolved_at": hsTS(at), "starts_at": h.start.Format("2006-01-02"),
			"custom_fields": map[string]any{
				"base_salary":     map[string]any{"name": "Base Salary", "type": "currency", "value": map[string]any{"amount": h.salary, "unit": h.job.currency}, "frequency": "annually"},
				"employment_type": map[string]any{"name": "Employment Type", "type": "single_select", "value": h.job.employment},
			}}}
	return mustJSON(map[string]any{"action": "hire_candidate", "payload": map[string]any{"application": app}})
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// hrisStack is one isolated pipeline with the HRIS sync, its emulator and alert receivers.
type hrisStack struct {
	tb      testing.TB
	pe      pipeline.Env
	conn    driver.Conn
	db      string
	ingest  string
	emu     *bamboohr.Server
	emuURL  string
	mail    *smtpemu.Server
	slack   *slackemu.Receiver
	mapping *hrissync.Mapping
	owners  *alert.Owners
	mailer  *alert.Mailer
	// clientTimeout bounds one BambooHR request.
	clientTimeout time.Duration

	mu      sync.Mutex
	wg      sync.WaitGroup
	cancels []context.CancelFunc
	seq     int
}

type tbWriter struct{ tb testing.TB }

func (w tbWriter) Write(p []byte) (int, error) {
	w.tb.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func newHRISStack(tb testing.TB, retry config.Retry) *hrisStack {
	brokers := testkit.Brokers(tb)
	conn, db := testkit.Database(tb, testkit.ClickHouseAddr(tb))
	prefix := testkit.Topics(tb, brokers)
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	if testing.Verbose() && strings.Contains(strings.ToLower(tb.Name()), "debug") {
		log = slog.New(slog.NewJSONHandler(tbWriter{tb}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	s := &hrisStack{tb: tb, conn: conn, db: db, clientTimeout: 2 * time.Second, pe: pipeline.Env{
		Brokers: brokers, Prefix: prefix, Codec: schemas.MustCodec(), Metrics: stream.NewMetrics(prometheus.NewRegistry()),
		Log: log, Retry: retry,
	}}
	pub := s.pe.Producer()
	ingest := httptest.NewServer(greenhouse.NewHandler(greenhouse.HandlerConfig{Secret: []byte(secret), MaxBodyBytes: 1 << 20, Now: time.Now}, pub, log))
	s.ingest = ingest.URL

	seed, err := bamboohr.LoadSeed("../../deploy/hris/bamboohr-seed.json")
	if err != nil {
		tb.Fatal(err)
	}
	s.emu = bamboohr.New(bamboohr.Config{Lists: seed.Lists, Seed: 42})
	seed.Apply(s.emu)
	emuSrv := httptest.NewServer(s.emu)
	s.emuURL = emuSrv.URL
	if s.mapping, err = hrissync.LoadMapping("../../deploy/hris/mapping.json"); err != nil {
		tb.Fatal(err)
	}

	s.mail = smtpemu.New()
	mailAddr, err := s.mail.Listen("127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s.slack = slackemu.New()
	slackSrv := httptest.NewServer(s.slack)
	owners := fmt.Sprintf(`{"automations": {"hris-sync": {"owner": "Dana Whitfield (People Ops)",
		"slack_webhook_url": %q, "email": "dana.whitfield@acme.example"}}}`, slackSrv.URL+"/services/T000/B000/e2e")
	if s.owners, err = alert.ParseOwners("owners.json", []byte(owners), nil); err != nil {
		tb.Fatal(err)
	}
	if s.mailer, err = alert.NewMailer(alert.SMTPConfig{Addr: mailAddr, From: "hirestream@acme.example", Timeout: 5 * time.Second}); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		s.stopAll()
		ingest.Close()
		pub.Close()
		emuSrv.Close()
		slackSrv.Close()
		s.mail.Close()
	})
	return s
}

func (s *hrisStack) start(name string, fn func(ctx context.Context) error) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(done)
		if err := fn(ctx); err != nil && ctx.Err() == nil {
			s.tb.Errorf("%s stopped: %v", name, err)
		}
	}()
	s.mu.Lock()
	s.cancels = append(s.cancels, cancel)
	s.mu.Unlock()
	return func() { cancel(); <-done }
}

func (s *hrisStack) stopAll() {
	s.mu.Lock()
	cs := s.cancels
	s.mu.Unlock()
	for _, c := range cs {
		c()
	}
	s.wg.Wait()
}

func (s *hrisStack) client() *hrissync.BambooHR {
	c, err := hrissync.NewBambooHR(hrissync.BambooHRConfig{URL: s.emuURL, CompanyDomain: "acme", APIKey: "emulator-key",
		KeyField: s.mapping.KeyField, Timeout: s.clientTimeout, ReadBackoff: 10 * time.Millisecond})
	if err != nil {
		s.tb.Fatal(err)
	}
	return c
}

func (s *hrisStack) processor() *hrissync.Processor {
	p, err := hrissync.New(hrissync.Config{Mapping: s.mapping, HRIS: s.client(), Owner: "Dana Whitfield (People Ops)",
		MaxAttempts: s.pe.Retry.MaxAttempts, MaxElapsed: s.pe.Retry.MaxElapsed, RetryAfterMax: 200 * time.Millisecond, Log: s.pe.Log})
	if err != nil {
		s.tb.Fatal(err)
	}
	return p
}

// startHRISSync runs a hris-sync instance wired as cmd/hirestream wires it.
func (s *hrisStack) startHRISSync() func() {
	p := s.processor()
	return s.start("hris-sync", func(ctx context.Context) error { return pipeline.RunHRISSync(ctx, s.pe, p) })
}

func (s *hrisStack) startNormalizer() func() {
	return s.start("normalizer", func(ctx context.Context) error {
		return pipeline.RunNormalizer(ctx, s.pe, greenhouse.NewNormalizer(greenhouse.Options{}))
	})
}

func (s *hrisStack) startAlerts() func() {
	p, err := alert.New(alert.Config{Owners: s.owners, Slack: alert.NewSlack(5 * time.Second), Mailer: s.mailer, Log: s.pe.Log})
	if err != nil {
		s.tb.Fatal(err)
	}
	return s.start("alert-notifier", func(ctx context.Context) error { return pipeline.RunAlerts(ctx, s.pe, p) })
}

func (s *hrisStack) startHRISSink() func() {
	w := chsink.NewHRISSyncWriter(s.conn, s.db)
	return s.start("hris sink", func(ctx context.Context) error {
		return pipeline.RunHRISSyncSink(ctx, s.pe, w, 500, 200*time.Millisecond)
	})
}

// post sends one signed delivery with a unique Greenhouse-Event-ID.
func (s *hrisStack) post(body []byte) {
	s.tb.Helper()
	s.mu.Lock()
	s.seq++
	id := fmt.Sprintf("e2e-hris-%s-%d", strings.TrimSuffix(s.pe.Prefix, "."), s.seq)
	s.mu.Unlock()
	req, _ := http.NewRequest(http.MethodPost, s.ingest+"/webhooks/greenhouse", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Signature", sign(body, secret))
	req.Header.Set("Greenhouse-Event-ID", id)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.tb.Fatalf("post webhook: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		s.tb.Fatalf("webhook answered %d %s", resp.StatusCode, b)
	}
}

// postHire sends the whole Greenhouse story of a hire: application, offer created, offer
// accepted, candidate hired.
func (s *hrisStack) postHire(h hrisHire) {
	at := hsBase.Add(24 * time.Hour)
	s.post(h.applicationBody())
	s.post(h.offerBody("offer_created", "Created", h.salary, at))
	s.post(h.offerBody("offer_updated", "Accepted", h.salary, at.Add(time.Hour)))
	s.post(h.hireBody(at.Add(time.Hour + 10*time.Second)))
}

// topicEvents decodes every event on topic.
func (s *hrisStack) topicEvents(topic string) []schemas.Event {
	s.tb.Helper()
	var out []schemas.Event
	_, err := pipeline.ReadTopic(context.Background(), s.pe.Brokers, s.pe.Topic(topic), time.Time{}, nil, func(m kafka.Message) error {
		ev, err := s.pe.Codec.Decode(m.Value)
		if err != nil {
			return err
		}
		out = append(out, ev)
		return nil
	})
	if err != nil {
		s.tb.Fatal(err)
	}
	return out
}

// syncs returns the distinct hris.sync_* outcomes, by candidate, in log order.
func (s *hrisStack) syncs() map[string][]schemas.Event {
	seen := map[string]bool{}
	out := map[string][]schemas.Event{}
	for _, ev := range s.topicEvents(schemas.TopicHRISSync) {
		if !seen[ev.ID] {
			seen[ev.ID] = true
			out[ev.CandidateID] = append(out[ev.CandidateID], ev)
		}
	}
	return out
}

// waitSynced waits until every hire has n distinct sync outcomes and the last one succeeded.
func (s *hrisStack) waitSynced(hires []hrisHire, n int, timeout time.Duration) map[string][]schemas.Event {
	s.tb.Helper()
	var got map[string][]schemas.Event
	testkit.Eventually(s.tb, timeout, func() (bool, string) {
		got = s.syncs()
		done := 0
		for _, h := range hires {
			evs := got[strconv.FormatInt(h.cand, 10)]
			if len(evs) >= n && evs[len(evs)-1].Type == schemas.TypeHRISSyncSucceeded {
				done++
			}
		}
		return done == len(hires), fmt.Sprintf("%d of %d hires synced %d times, last verified; emulator stats %+v", done, len(hires), n, s.emu.Stats())
	})
	return got
}

// hires returns the emulator's employees that carry an ATS candidate id, by that id.
func (s *hrisStack) employees() map[string][]bamboohr.Employee {
	out := map[string][]bamboohr.Employee{}
	for _, e := range s.emu.Employees() {
		if k := e.Fields["customAtsCandidateId"]; k != "" {
			out[k] = append(out[k], e)
		}
	}
	return out
}

// checkEmployee compares every field of the hire's employee with the hand-written expectation.
func checkEmployee(tb testing.TB, e bamboohr.Employee, h hrisHire, salary int64) {
	tb.Helper()
	iso := h.start.Format("2006-01-02")
	want := map[string]string{
		"firstName": h.wantFirst, "lastName": h.wantLast, "workEmail": h.wantEmail, "hireDate": iso,
		"employmentHistoryStatus": h.job.wantEmployment, "customAtsCandidateId": strconv.FormatInt(h.cand, 10), "status": "Active",
	}
	for k, v := range want {
		if e.Fields[k] != v {
			tb.Errorf("candidate %d: %s = %q, want %q", h.cand, k, e.Fields[k], v)
		}
	}
	if len(e.Fields) != len(want) {
		tb.Errorf("candidate %d: employee has fields %v, want exactly %d", h.cand, e.Fields, len(want))
	}
	if len(e.JobInfo) != 1 || len(e.Compensation) != 1 {
		tb.Fatalf("candidate %d: %d jobInfo and %d compensation rows, want 1 and 1", h.cand, len(e.JobInfo), len(e.Compensation))
	}
	wantJob := map[string]string{"date": iso, "jobTitle": h.job.name, "department": h.job.wantDept, "location": h.job.wantLocation,
		"reportsTo": h.job.wantManager}
	wantComp := map[string]string{"startDate": iso, "rate.value": fmt.Sprintf("%d.00", salary), "rate.currency": h.job.currency,
		"type": "Salary", "paidPer": "Year"}
	for name, pair := range map[string][2]map[string]string{"jobInfo": {wantJob, e.JobInfo[0]}, "compensation": {wantComp, e.Compensation[0]}} {
		for k, v := range pair[0] {
			if pair[1][k] != v {
				tb.Errorf("candidate %d: %s.%s = %q, want %q", h.cand, name, k, pair[1][k], v)
			}
		}
		if len(pair[1]) != len(pair[0])+1 { // + the row id
			tb.Errorf("candidate %d: %s row %v has unexpected columns", h.cand, name, pair[1])
		}
	}
}

func (s *hrisStack) errorRate() []string {
	s.tb.Helper()
	rows, err := s.conn.Query(context.Background(), strings.ReplaceAll(chsink.HRISSyncErrorRateSQL, "{db}", s.db))
	if err != nil {
		s.tb.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var day time.Time
		var target string
		var syncs, failed uint64
		var rate float64
		if err := rows.Scan(&day, &target, &syncs, &failed, &rate); err != nil {
			s.tb.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s %d/%d", target, failed, syncs))
	}
	return out
}

func hrisRetry() config.Retry {
	return config.Retry{MaxAttempts: 5, Initial: 50 * time.Millisecond, Max: time.Second, MaxElapsed: 30 * time.Second}
}

// TestHRISSync_HiresVerifiedFieldByField: six hires from signed webhooks end as six employees
// with every field as the offer, job and mapping say (the MM/DD/YYYY start date as the right
// ISO date, names re-cased, lookups applied); a corrected salary re-syncs with before/after.
func TestHRISSync_HiresVerifiedFieldByField(t *testing.T) {
	s := newHRISStack(t, hrisRetry())
	s.startNormalizer()
	s.startHRISSync()
	s.startHRISSink()
	hires := namedHires()
	for _, h := range hires {
		s.postHire(h)
	}
	// Two triggers per hire (offer accepted, candidate hired): the first creates, the second
	// verifies the same employee.
	got := s.waitSynced(hires, 2, 90*time.Second)
	emps := s.employees()
	if len(emps) != len(hires) {
		t.Fatalf("%d employees for %d hires", len(emps), len(hires))
	}
	for _, h := range hires {
		key := strconv.FormatInt(h.cand, 10)
		if len(emps[key]) != 1 {
			t.Fatalf("candidate %s has %d employees", key, len(emps[key]))
		}
		checkEmployee(t, emps[key][0], h, h.salary)
		first := got[key][0].Payload.(*schemas.HRISSync)
		if first.Target != "bamboohr" || first.EmployeeID != strconv.Itoa(emps[key][0].ID) || len(first.Diff) != 0 || first.LatencyMS <= 0 {
			t.Errorf("candidate %s: first outcome %+v", key, first)
		}
	}
	if st := s.emu.Stats(); st.Creates != len(hires) {
		t.Fatalf("emulator saw %d creates for %d hires", st.Creates, len(hires))
	}
	// The MM/DD/YYYY case, spelt out: Greenhouse said 01/19/2027-style, BambooHR holds 2027-01-19.
	h := hires[0]
	if raw := h.start.Format("01/02/2006"); !strings.Contains(string(h.offerBody("offer_updated", "Accepted", h.salary, hsBase)), raw) ||
		emps[strconv.FormatInt(h.cand, 10)][0].Fields["hireDate"] != h.start.Format("2006-01-02") {
		t.Fatalf("start date %s did not arrive as %s", raw, h.start.Format("2006-01-02"))
	}

	// The recruiter corrects the accepted offer's salary in Greenhouse: the employee follows.
	fixed := h.salary + 1500
	s.post(h.offerBody("offer_updated", "Accepted", fixed, hsBase.Add(48*time.Hour)))
	got = s.waitSynced(hires[:1], 3, 60*time.Second)
	key := strconv.FormatInt(h.cand, 10)
	re := got[key][2].Payload.(*schemas.HRISSync)
	wantDiff := schemas.FieldDiff{Field: "compensation.rate", Expected: fmt.Sprintf("%d.00 %s", fixed, h.job.currency), Actual: fmt.Sprintf("%d.00 %s", h.salary, h.job.currency)}
	if len(re.Diff) != 1 || re.Diff[0] != wantDiff {
		t.Fatalf("re-sync diff %+v, want %+v", re.Diff, wantDiff)
	}
	emps = s.employees()
	if len(emps[key]) != 1 {
		t.Fatalf("%d employees after the correction", len(emps[key]))
	}
	checkEmployee(t, emps[key][0], h, fixed)

	// hris_syncs holds every outcome: 13 syncs, none failed; the re-sync's before/after too.
	testkit.Eventually(t, 30*time.Second, func() (bool, string) {
		r := s.errorRate()
		return len(r) == 1 && r[0] == "bamboohr 0/13", fmt.Sprintf("error rate rows %v", r)
	})
	var exp, act []string
	if err := s.conn.QueryRow(context.Background(), "SELECT diff_expected, diff_actual FROM "+s.db+".hris_syncs FINAL WHERE candidate_id = '"+key+
		"' AND notEmpty(diff_field)").Scan(&exp, &act); err != nil {
		t.Fatal(err)
	}
	if len(exp) != 1 || exp[0] != wantDiff.Expected || act[0] != wantDiff.Actual {
		t.Fatalf("hris_syncs before/after: %v %v", exp, act)
	}

	// Replaying the HRIS sync topic into an empty database (twice) gives the same numbers.
	conn2, db2 := testkit.Database(t, testkit.ClickHouseAddr(t))
	for range 2 {
		if _, err := pipeline.ReplayHRISSyncs(context.Background(), s.pe, chsink.NewHRISSyncWriter(conn2, db2), time.Time{}, 5, io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	replayed := &hrisStack{tb: t, conn: conn2, db: db2}
	if r := replayed.errorRate(); len(r) != 1 || r[0] != "bamboohr 0/13" {
		t.Fatalf("replayed error rate %v", r)
	}
}

// TestHRISSync_FiftyHiresUnderFaults: with 30% of BambooHR requests failing with 5xx and 10%
// timing out after the request was applied (plus a few writes applied but answered 500), 50
// hires end as exactly 50 employees, no duplicates, every field right. Three sync instances
// share the work, as a scaled deployment would.
func TestHRISSync_FiftyHiresUnderFaults(t *testing.T) {
	s := newHRISStack(t, config.Retry{MaxAttempts: 40, Initial: 20 * time.Millisecond, Max: 200 * time.Millisecond, MaxElapsed: 2 * time.Minute})
	s.clientTimeout = 300 * time.Millisecond
	s.emu.SetFaults(bamboohr.Faults{ErrorRate: 0.3, TimeoutRate: 0.1, Timeout: bamboohr.Duration(2 * time.Second), CommitThenErrorRate: 0.05})
	s.startNormalizer()
	for range 3 {
		s.startHRISSync()
	}
	hires := numberedHires(50, 720000000)
	for _, h := range hires {
		s.postHire(h)
	}
	s.waitSynced(hires, 2, 4*time.Minute)
	emps := s.employees()
	dups := 0
	for _, es := range emps {
		dups += len(es) - 1
	}
	if len(emps) != 50 || dups != 0 {
		t.Fatalf("%d candidates in BambooHR, %d duplicates; want 50 and 0", len(emps), dups)
	}
	for _, h := range hires {
		checkEmployee(t, emps[strconv.FormatInt(h.cand, 10)][0], h, h.salary)
	}
	st := s.emu.Stats()
	if st.Creates != 50 {
		t.Fatalf("%d employee creates happened, want 50", st.Creates)
	}
	if st.Faults["error"] == 0 || st.Faults["timeout"] == 0 || st.Faults["commit_then_error"] == 0 {
		t.Fatalf("faults were not injected: %+v", st.Faults)
	}
	t.Logf("emulator: %d requests, faults %v, statuses %v", st.Requests, st.Faults, st.ByStatus)
}

// TestHRISSync_SilentChangeCaughtAlertedAndCounted: BambooHR stores a salary of 103000 as
// 130000 and answers success. The read-back catches it: hris.sync_failed with the field diff,
// a Slack message and an email to the named owner (real receivers), and a failure in
// hris_syncs. The hire event re-applies the offer's value (ATS-owned), recorded with
// before/after.
func TestHRISSync_SilentChangeCaughtAlertedAndCounted(t *testing.T) {
	s := newHRISStack(t, hrisRetry())
	s.emu.SetFaults(bamboohr.Faults{SilentChange: &bamboohr.SilentChange{Field: "rate", Count: 1}})
	s.startNormalizer()
	s.startHRISSync()
	s.startAlerts()
	s.startHRISSink()
	h := namedHires()[1] // Jürgen Müller, New York, USD
	h.salary = 103000
	s.postHire(h)
	key := strconv.FormatInt(h.cand, 10)
	got := s.waitSynced([]hrisHire{h}, 2, 60*time.Second)
	failed := got[key][0]
	fs := failed.Payload.(*schemas.HRISSync)
	want := schemas.FieldDiff{Field: "compensation.rate", Expected: "103000.00 USD", Actual: "130000.00 USD"}
	if failed.Type != schemas.TypeHRISSyncFailed || len(fs.Diff) != 1 || fs.Diff[0] != want || fs.Attempts != 1 {
		t.Fatalf("first outcome %s %+v; want a failed read-back with %+v, not retried", failed.Type, fs, want)
	}
	fixed := got[key][1].Payload.(*schemas.HRISSync)
	if len(fixed.Diff) != 1 || fixed.Diff[0] != (schemas.FieldDiff{Field: "compensation.rate", Expected: "103000.00 USD", Actual: "130000.00 USD"}) {
		t.Fatalf("re-sync by the hire event: %+v", fixed.Diff)
	}
	if e := s.employees()[key]; len(e) != 1 || e[0].Compensation[0]["rate.value"] != "103000.00" {
		t.Fatalf("employee after the hire event: %+v", e)
	}

	// The owner hears about it within the test's minute, on both channels.
	testkit.Eventually(t, 60*time.Second, func() (bool, string) {
		return len(s.mail.Messages()) == 1 && len(s.slack.Messages()) == 1,
			fmt.Sprintf("%d mails, %d slack posts", len(s.mail.Messages()), len(s.slack.Messages()))
	})
	mail, post := s.mail.Messages()[0], s.slack.Messages()[0]
	for _, text := range []string{mail.Body, string(post.Raw)} {
		// The candidate as the ATS names them, so the owner finds them in Greenhouse.
		for _, want := range []string{"JÜRGEN MÜLLER", "candidate " + key, "application " + strconv.FormatInt(h.app, 10),
			"offer " + strconv.FormatInt(h.offer, 10) + " v1", "compensation.rate", "does not match the accepted offer", "Open employee"} {
			if !strings.Contains(text, want) {
				t.Errorf("alert lacks %q:\n%s", want, text)
			}
		}
		if strings.Contains(text, "130000") || strings.Contains(text, "103000") || strings.Contains(text, "mail.example") {
			t.Errorf("alert carries the salary or the candidate's email:\n%s", text)
		}
	}
	if mail.To[0] != "dana.whitfield@acme.example" || !strings.Contains(mail.Body, "Hello Dana Whitfield (People Ops)") {
		t.Errorf("mail to %v:\n%s", mail.To, mail.Body)
	}
	var alerts []schemas.Event
	for _, a := range s.topicEvents(schemas.TopicAlerts) {
		if !slices.ContainsFunc(alerts, func(x schemas.Event) bool { return x.ID == a.ID }) {
			alerts = append(alerts, a) // a redelivered trigger re-publishes the same alert id
		}
	}
	if len(alerts) != 1 || alerts[0].CausationID != failed.CausationID || alerts[0].Payload.(*schemas.Alert).Owner != "Dana Whitfield (People Ops)" {
		t.Fatalf("alerts topic: %+v", alerts)
	}

	// The failure is counted: one of two syncs of the day failed for bamboohr.
	testkit.Eventually(t, 30*time.Second, func() (bool, string) {
		r := s.errorRate()
		return len(r) == 1 && r[0] == "bamboohr 1/2", fmt.Sprintf("error rate rows %v", r)
	})
	var errText string
	var fields, actual []string
	if err := s.conn.QueryRow(context.Background(), "SELECT error, diff_field, diff_actual FROM "+s.db+
		".hris_syncs FINAL WHERE event_type = 'hris.sync_failed'").Scan(&errText, &fields, &actual); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errText, "read-back verification failed") || !slices.Equal(fields, []string{"compensation.rate"}) || actual[0] != "130000.00 USD" {
		t.Fatalf("hris_syncs failure row: %q %v %v", errText, fields, actual)
	}
}

// TestHRISSync_KilledMidStreamNoDuplicate: the sync processor runs in its own process (this
// test binary again, see TestHRISSyncHelperProcess) and is SIGKILLed while it works through 20
// hires against a slow BambooHR — mid-request, mid-batch, with whatever it had not committed —
// then a fresh processor starts from the committed offsets and the log: 20 employees, none twice.
func TestHRISSync_KilledMidStreamNoDuplicate(t *testing.T) {
	s := newHRISStack(t, hrisRetry())
	s.emu.SetFaults(bamboohr.Faults{SlowRate: 1, Slow: bamboohr.Duration(25 * time.Millisecond)})
	s.startNormalizer()
	hires := numberedHires(20, 730000000)
	for _, h := range hires {
		s.postHire(h)
	}
	var out bytes.Buffer
	cmd := exec.Command(os.Args[0], "-test.run=^TestHRISSyncHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "HIRESTREAM_HRIS_HELPER=1", "HRIS_HELPER_PREFIX="+s.pe.Prefix, "HRIS_HELPER_BAMBOOHR_URL="+s.emuURL)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	testkit.Eventually(t, 90*time.Second, func() (bool, string) {
		select {
		case err := <-exited:
			t.Fatalf("the hris-sync process exited before it was killed (%v):\n%s", err, out.String())
		default:
		}
		n := len(s.employees())
		return n >= 5, fmt.Sprintf("%d employees", n)
	})
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-exited
	before := len(s.employees())
	if before >= len(hires) {
		t.Fatalf("the processor finished all %d hires before it was killed; nothing was tested", before)
	}
	t.Logf("SIGKILLed after %d of %d employees (%d creates, %d requests)", before, len(hires), s.emu.Stats().Creates, s.emu.Stats().Requests)
	s.startHRISSync()
	s.waitSynced(hires, 2, 2*time.Minute)
	emps := s.employees()
	for _, h := range hires {
		es := emps[strconv.FormatInt(h.cand, 10)]
		if len(es) != 1 {
			t.Fatalf("candidate %d has %d employees after the restart", h.cand, len(es))
		}
		checkEmployee(t, es[0], h, h.salary)
	}
	if st := s.emu.Stats(); st.Creates != len(hires) {
		t.Fatalf("%d creates for %d hires", st.Creates, len(hires))
	}
}

// TestHRISSyncHelperProcess is not a test on its own: TestHRISSync_KilledMidStreamNoDuplicate
// runs the test binary again with HIRESTREAM_HRIS_HELPER=1 to get a hris-sync processor in a
// process it can SIGKILL. It is wired as pipeline.RunHRISSync wires it, except for a short
// consumer-group session, so the group notices the dead member in seconds instead of 30 s.
func TestHRISSyncHelperProcess(t *testing.T) {
	if os.Getenv("HIRESTREAM_HRIS_HELPER") != "1" {
		return
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	pe := pipeline.Env{Brokers: strings.Split(os.Getenv(testkit.EnvKafka), ","), Prefix: os.Getenv("HRIS_HELPER_PREFIX"),
		Codec: schemas.MustCodec(), Metrics: stream.NewMetrics(prometheus.NewRegistry()), Log: log, Retry: hrisRetry()}
	m, err := hrissync.LoadMapping("../../deploy/hris/mapping.json")
	if err != nil {
		t.Fatal(err)
	}
	c, err := hrissync.NewBambooHR(hrissync.BambooHRConfig{URL: os.Getenv("HRIS_HELPER_BAMBOOHR_URL"), CompanyDomain: "acme",
		APIKey: "emulator-key", KeyField: m.KeyField, Timeout: 2 * time.Second, ReadBackoff: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	p, err := hrissync.New(hrissync.Config{Mapping: m, HRIS: c, MaxAttempts: pe.Retry.MaxAttempts, MaxElapsed: pe.Retry.MaxElapsed, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := pipeline.Rebuild(ctx, pe, schemas.TopicCandidateEvents, p); err != nil {
		t.Fatal(err)
	}
	pub := pe.Producer()
	reader := kafka.NewReader(kafka.ReaderConfig{Brokers: pe.Brokers, GroupID: pe.Group(p.Name()), Topic: pe.Topic(schemas.TopicCandidateEvents),
		MinBytes: 1, MaxBytes: 10 << 20, MaxWait: time.Second, StartOffset: kafka.FirstOffset, CommitInterval: 0,
		SessionTimeout: 6 * time.Second, RebalanceTimeout: 6 * time.Second, HeartbeatInterval: time.Second})
	err = stream.NewConsumer(p, reader, pub, pe.Codec, pe.Retry, pe.Metrics, log).Run(ctx) // until SIGKILL
	t.Fatalf("consumer returned: %v", err)
}

// BenchmarkHRISSync measures the sync against the emulator (no faults), through the whole
// pipeline (signed webhook → ingest → Kafka → normalizer → hris-sync → BambooHR emulator,
// verified by reading back): b.N hires are set up (application, offer created), then their
// offer-accepted webhooks are posted, and it prints hires/s verified and the latency from each
// offer-accepted webhook to its verified employee (the outcome's time), p50 and p99.
//
//   - burst: all accepted webhooks at once (16 posters): throughput; latency includes queueing;
//
//   - paced: 20 accepted webhooks a second, one poster: latency at a steady rate below capacity.
//
//     go test ./internal/e2e -run '^$' -bench HRISSync -benchtime 500x
func BenchmarkHRISSync(b *testing.B) {
	b.Run("burst", func(b *testing.B) { benchHRISSync(b, 0) })
	b.Run("paced-20-per-s", func(b *testing.B) { benchHRISSync(b, 20) })
}

func benchHRISSync(b *testing.B, rate float64) {
	s := newHRISStack(b, config.Retry{MaxAttempts: 5, Initial: 50 * time.Millisecond, Max: time.Second, MaxElapsed: 30 * time.Second})
	s.startNormalizer()
	hires := numberedHires(b.N, 740000000+int64(time.Now().UnixNano()%1000)*1000)
	for _, h := range hires {
		s.post(h.applicationBody())
		s.post(h.offerBody("offer_created", "Created", h.salary, hsBase))
	}
	// Let the normalizer catch up, and the processor rebuild its projection, before timing.
	testkit.Eventually(b, 2*time.Minute, func() (bool, string) {
		n := int64(0)
		rs, _ := stream.Ranges(context.Background(), s.pe.Brokers, s.pe.Topic(schemas.TopicCandidateEvents), time.Time{})
		for _, r := range rs {
			n += r.End - r.Start
		}
		return n >= int64(2*len(hires)), fmt.Sprintf("%d canonical events", n)
	})
	s.startHRISSync()
	time.Sleep(2 * time.Second) // group join and projection rebuild are not what we measure
	posted := make([]time.Time, len(hires))
	accepted := func(i int) {
		posted[i] = time.Now()
		s.post(hires[i].offerBody("offer_updated", "Accepted", hires[i].salary, hsBase.Add(time.Hour)))
	}
	b.ResetTimer()
	start := time.Now()
	if rate > 0 {
		tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
		for i := range hires {
			accepted(i)
			<-tick.C
		}
		tick.Stop()
	} else if _, _, _, err := measure(len(hires), func(i int) error { accepted(i); return nil }); err != nil {
		b.Fatal(err)
	}
	got := s.waitSynced(hires, 1, 10*time.Minute)
	b.StopTimer()
	var lat []time.Duration
	var last time.Time
	for i, h := range hires {
		ev := got[strconv.FormatInt(h.cand, 10)][0]
		if ev.Type != schemas.TypeHRISSyncSucceeded {
			b.Fatalf("candidate %d: %s", h.cand, ev.Type)
		}
		lat = append(lat, ev.OccurredAt.Sub(posted[i]))
		if ev.OccurredAt.After(last) {
			last = ev.OccurredAt
		}
	}
	slices.Sort(lat)
	took := last.Sub(start)
	perSec := float64(len(hires)) / took.Seconds()
	p50, p99 := lat[len(lat)/2], lat[(len(lat)*99)/100]
	b.ReportMetric(perSec, "hires/s")
	b.ReportMetric(float64(p50.Milliseconds()), "p50-ms")
	b.ReportMetric(float64(p99.Milliseconds()), "p99-ms")
	st := s.emu.Stats()
	mode := "burst"
	if rate > 0 {
		mode = fmt.Sprintf("paced %.0f/s", rate)
	}
	fmt.Printf("HRIS sync (%s): %d hires verified in %s = %.1f hires/s; offer-accepted webhook → verified employee p50 %s, p99 %s; %d BambooHR requests (%.1f per hire)\n",
		mode, len(hires), took.Round(time.Millisecond), perSec, p50.Round(time.Millisecond), p99.Round(time.Millisecond), st.Requests, float64(st.Requests)/float64(len(hires)))
}
