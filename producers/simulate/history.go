package simulate

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hirestream/hirestream/schemas"
)

// History generates a large, realistic recruiting history directly as canonical events (what
// the Greenhouse normalizer would have produced), for benchmarks and for filling a demo: many
// jobs across departments and offices, many sources and recruiters, log-normal stage durations,
// per-stage pass/reject/withdraw rates that depend on the source, backward moves, unrejects,
// offers (approved, deleted and redrafted, declined, accepted then hired), prospects, candidate
// merges and deletions, and at-least-once duplicates. Every application's events are generated
// together and in time order; the same HistoryConfig gives the same events, ids included.
type History struct {
	cfg     HistoryConfig
	rng     *rand.Rand
	jobs    []histJob
	sources []histSource
	appSeq  int64
	candSeq int64
	offSeq  int64
	perApp  float64
}

// HistoryConfig configures History. Zero fields take the defaults noted.
type HistoryConfig struct {
	// Events is roughly how many events to generate (it stops after the application that
	// reaches it). Default: 1,000,000.
	Events int
	// Seed makes the run reproducible. Default: 1.
	Seed uint64
	// End is the ATS time "now": applications arrive over Days before it, and whatever would
	// happen after it has not happened yet (open stints). Default: the wall clock, truncated
	// to the day.
	End time.Time
	// Days is the span applications arrive over. Default: 365.
	Days int
	// Jobs is the number of open jobs. Default: 240.
	Jobs int
	// DuplicateRate is the share of events delivered twice (same event id). Default: 0.01.
	DuplicateRate float64
}

type histJob struct {
	id, dept, deptID, title, office, officeID, recruiter, manager string
	stages                                                        []string
	stageIDs                                                      []string
}

type histSource struct {
	name, id, channel string
	weight            int
	pass, accept      float64
}

var (
	histDepartments = []struct {
		name   string
		titles []string
		eng    bool
	}{
		{"Platform Engineering", []string{"Senior Backend Engineer (Go)", "Site Reliability Engineer", "Staff Engineer, Infrastructure", "Platform Engineer"}, true},
		{"Product Engineering", []string{"Frontend Engineer (React)", "Mobile Engineer (iOS)", "Full-Stack Engineer", "Engineering Manager, Payments"}, true},
		{"Data", []string{"Data Engineer", "Analytics Engineer", "Machine Learning Engineer", "Data Scientist"}, true},
		{"Design", []string{"Product Designer", "Senior UX Researcher", "Brand Designer"}, false},
		{"Sales", []string{"Account Executive, Mid-Market", "Sales Development Representative", "Enterprise Account Executive", "Sales Engineer"}, false},
		{"Customer Success", []string{"Customer Success Manager", "Support Engineer", "Implementation Specialist"}, false},
		{"Marketing", []string{"Product Marketing Manager", "Content Marketing Lead", "Growth Marketer"}, false},
		{"Finance", []string{"Senior Financial Analyst", "Revenue Accountant", "FP&A Manager"}, false},
		{"People", []string{"People Partner", "Technical Recruiter", "Recruiting Coordinator"}, false},
		{"Operations", []string{"Business Operations Analyst", "Program Manager", "Workplace Manager"}, false},
	}
	histOffices = []string{"Berlin", "London", "New York", "San Francisco", "Remote (EU)", "Remote (US)", "Singapore", "Toronto"}
	// Names map to channels exactly as the Greenhouse normalizer's source rules do.
	histSources = []histSource{
		{"Jobs page on your website", "17", "careers_site", 26, 1.0, 0.84},
		{"LinkedIn", "27", "job_board", 16, 0.9, 0.80},
		{"Indeed", "29", "job_board", 12, 0.6, 0.78},
		{"Glassdoor", "30", "job_board", 4, 0.7, 0.80},
		{"Hacker News", "33", "job_board", 2, 1.1, 0.82},
		{"Employee Referral", "13", "referral", 12, 2.0, 0.92},
		{"LinkedIn (Prospecting)", "16", "sourced", 8, 1.8, 0.75},
		{"Outbound sourcing", "18", "sourced", 3, 1.6, 0.74},
		{"Northwind Recruiting Agency", "31", "agency", 4, 1.7, 0.82},
		{"Contoso Staffing", "32", "agency", 2, 1.4, 0.80},
		{"Internal Applicant", "9", "internal", 3, 2.2, 0.95},
		{"Career Fair", "36", "event", 4, 0.8, 0.80},
		{"Podcast", "40", "other", 1, 1.0, 0.85},
		{"", "", "unknown", 3, 0.9, 0.80},
	}
	// Per stage of the plan (the last one is Offer): pass rate, withdraw rate, median days.
	histStagePass     = []float64{0.30, 0.60, 0.55, 0.50, 0.90}
	histStageWithdraw = []float64{0.03, 0.06, 0.06, 0.07, 0.03}
	histStageMedian   = []float64{2.5, 4, 6, 7, 3}
)

// NewHistory builds the reference data (jobs, sources) for cfg.
func NewHistory(cfg HistoryConfig) *History {
	if cfg.Events <= 0 {
		cfg.Events = 1_000_000
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	if cfg.End.IsZero() {
		cfg.End = time.Now().UTC().Truncate(24 * time.Hour)
	}
	cfg.End = cfg.End.UTC().Truncate(time.Second)
	if cfg.Days <= 0 {
		cfg.Days = 365
	}
	if cfg.Jobs <= 0 {
		cfg.Jobs = 240
	}
	if cfg.DuplicateRate < 0 {
		cfg.DuplicateRate = 0
	} else if cfg.DuplicateRate == 0 {
		cfg.DuplicateRate = 0.01
	}
	h := &History{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 0x686973746f7279)), sources: histSources}
	for i := range cfg.Jobs {
		d := histDepartments[i%len(histDepartments)]
		j := histJob{
			id: strconv.Itoa(6_000_000 + i*7), dept: d.name, deptID: strconv.Itoa(400 + i%len(histDepartments)),
			title: d.titles[(i/len(histDepartments))%len(d.titles)], office: histOffices[(i*3)%len(histOffices)],
			officeID: strconv.Itoa(50 + (i*3)%len(histOffices)), recruiter: strconv.Itoa(7000 + i%40), manager: strconv.Itoa(7100 + i%90),
		}
		j.stages = []string{"Application Review", "Phone Screen", "Skills Assessment", "Onsite", "Reference Check", "Offer"}
		if d.eng {
			j.stages[2] = "Technical Interview"
		}
		if i%3 == 2 { // a third of the plans have no reference check
			j.stages = append(j.stages[:4], "Offer")
		}
		for k := range j.stages {
			j.stageIDs = append(j.stageIDs, strconv.Itoa(9_500_000+i*10+k))
		}
		h.jobs = append(h.jobs, j)
	}
	// Calibrate the events per application so arrivals spread over the whole window.
	probe := &History{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed^0x5eed, 1)), jobs: h.jobs, sources: h.sources, perApp: 1}
	n, apps := 0, 4000
	for i := range apps {
		n += len(probe.application(float64(i) / float64(apps)))
	}
	h.perApp = float64(n) / float64(apps)
	return h
}

// Config returns the configuration with defaults filled in.
func (h *History) Config() HistoryConfig { return h.cfg }

func (h *History) days(d float64) time.Duration { return time.Duration(d * 24 * float64(time.Hour)) }

func (h *History) lognormal(medianDays, sigma float64) time.Duration {
	d := medianDays * math.Exp(sigma*h.rng.NormFloat64())
	return h.days(min(max(d, 0.05), medianDays*6)).Truncate(time.Second)
}

func (h *History) pickSource() histSource {
	total := 0
	for _, s := range h.sources {
		total += s.weight
	}
	n := h.rng.IntN(total)
	for _, s := range h.sources {
		if n < s.weight {
			return s
		}
		n -= s.weight
	}
	return h.sources[0]
}

// appBuilder accumulates one application's events.
type appBuilder struct {
	h          *History
	job        histJob
	src        histSource
	app, cand  string
	applied    time.Time
	stage      int
	prospect   bool
	evs        []schemas.Event
	seq        int
	rejectType string
}

func (b *appBuilder) emit(t schemas.EventType, at time.Time, status string, mutate func(*schemas.ApplicationEvent)) {
	applied := b.applied
	p := &schemas.ApplicationEvent{Status: status, Prospect: b.prospect, SourceChannel: b.src.channel, SourceName: b.src.name,
		SourceID: b.src.id, AppliedAt: &applied,
		Job: &schemas.Job{JobID: b.job.id, Title: b.job.title, DepartmentID: b.job.deptID, Department: b.job.dept,
			OfficeID: b.job.officeID, Office: b.job.office, HiringManagerID: b.job.manager, RecruiterID: b.job.recruiter}}
	if b.stage >= 0 && !b.prospect {
		name := b.job.stages[b.stage]
		p.StageTo, p.StageToID = &name, b.job.stageIDs[b.stage]
	}
	if mutate != nil {
		mutate(p)
	}
	b.seq++
	b.evs = append(b.evs, schemas.Event{
		ID: schemas.DeriveID("simulate-history", strconv.FormatUint(b.h.cfg.Seed, 10), b.app, strconv.Itoa(b.seq)), Type: t,
		OccurredAt: at, RecordedAt: at.Add(time.Duration(1+b.h.rng.IntN(30)) * time.Second), SourceSystem: "greenhouse",
		CandidateID: b.cand, ApplicationID: b.app, JobID: b.job.id, Payload: p,
	})
}

func (b *appBuilder) offer(t schemas.EventType, at time.Time, id string, version int32, status string) {
	b.emit(t, at, "", func(p *schemas.ApplicationEvent) {
		p.StageTo, p.StageToID, p.SourceChannel, p.SourceName, p.SourceID, p.AppliedAt = nil, "", "", "", "", nil
		p.Offer = &schemas.Offer{OfferID: id, Version: version, Status: status, Department: b.job.dept,
			EmploymentType: "Full-time", Salary: &schemas.Money{AmountMinor: int64(60_000+b.h.rng.IntN(140_000)) * 100, Currency: "USD", PayPeriod: "year"}}
	})
}

// application generates the events of one application arriving at fraction pos of the window.
func (h *History) application(pos float64) []schemas.Event {
	h.appSeq++
	start := h.cfg.End.Add(-time.Duration(h.cfg.Days) * 24 * time.Hour)
	span := time.Duration(h.cfg.Days)*24*time.Hour - time.Hour
	applied := start.Add(time.Duration(min(pos, 1) * float64(span))).Add(time.Duration(h.rng.IntN(3600)) * time.Second).Truncate(time.Second)
	src := h.pickSource()
	b := &appBuilder{h: h, job: h.jobs[h.rng.IntN(len(h.jobs))], src: src, applied: applied,
		app: strconv.FormatInt(7_000_000_000+h.appSeq, 10), cand: strconv.FormatInt(8_000_000_000+h.appSeq, 10)}
	end := h.cfg.End
	t := applied
	if src.channel == "sourced" && h.rng.Float64() < 0.3 {
		b.prospect, b.stage = true, -1
		b.emit(schemas.TypeApplicationReceived, t, "active", nil)
		t = t.Add(h.lognormal(5, 0.8))
		if h.rng.Float64() < 0.4 || !t.Before(end) {
			return b.finish(end)
		}
		b.prospect, b.stage = false, 0
		b.emit(schemas.TypeApplicationUpdated, t, "active", nil)
	} else {
		b.emit(schemas.TypeApplicationReceived, t, "active", nil)
	}
	offerStage := len(b.job.stages) - 1
	unrejected, movedBack := false, false
	for b.stage < offerStage {
		i := min(b.stage, len(histStagePass)-1)
		if b.stage == offerStage-1 {
			i = len(histStagePass) - 1 // the stage before Offer behaves like a reference check
		}
		prev := t
		t = t.Add(h.lognormal(histStageMedian[i], 0.6))
		if !t.Before(end) {
			return b.finish(end)
		}
		if b.stage == 1 && h.rng.Float64() < 0.3 { // notice period / visa recorded mid-stage
			b.emit(schemas.TypeApplicationUpdated, prev.Add(t.Sub(prev)/2).Truncate(time.Second), "active", nil)
		}
		pass := min(0.95, histStagePass[i]*src.pass)
		if b.stage > 0 {
			pass = min(0.95, histStagePass[i]*(1+(src.pass-1)/3))
		}
		switch u := h.rng.Float64(); {
		case u < histStageWithdraw[i]:
			var goesOn bool
			if t, goesOn = b.reject(t, "They rejected us", &unrejected); !goesOn {
				return b.finish(end)
			}
		case u < histStageWithdraw[i]+pass:
			if b.stage == 3 && !movedBack && h.rng.Float64() < 0.05 {
				movedBack = true
				b.stage--
				b.emit(schemas.TypeStageChanged, t, "active", nil)
				continue
			}
			b.stage++
			b.emit(schemas.TypeStageChanged, t, "active", nil)
		default:
			var goesOn bool
			if t, goesOn = b.reject(t, "We rejected them", &unrejected); !goesOn {
				return b.finish(end)
			}
		}
	}
	// Offer stage.
	h.offSeq++
	offerID, version := strconv.FormatInt(4_000_000+h.offSeq, 10), int32(1)
	t = t.Add(h.days(0.1 + h.rng.Float64()*0.8)).Truncate(time.Second)
	if !t.Before(end) {
		return b.finish(end)
	}
	b.offer(schemas.TypeOfferCreated, t, offerID, version, "Created")
	if h.rng.Float64() < 0.1 {
		t = t.Add(time.Duration(20+h.rng.IntN(200)) * time.Minute)
		b.offer(schemas.TypeOfferDeleted, t, offerID, version, "Deprecated")
		h.offSeq++
		offerID = strconv.FormatInt(4_000_000+h.offSeq, 10)
		t = t.Add(time.Duration(5+h.rng.IntN(30)) * time.Minute)
		b.offer(schemas.TypeOfferCreated, t, offerID, version, "Created")
	}
	if h.rng.Float64() < 0.6 {
		t = t.Add(h.lognormal(1, 0.5))
		b.offer(schemas.TypeOfferApproved, t, offerID, version, "Created")
	}
	t = t.Add(h.lognormal(2.5, 0.6))
	if !t.Before(end) {
		return b.finish(end)
	}
	if h.rng.Float64() < src.accept {
		b.offer(schemas.TypeOfferAccepted, t, offerID, version, "Accepted")
		t = t.Add(time.Duration(2+h.rng.IntN(20)) * time.Second)
		b.emit(schemas.TypeCandidateHired, t, "hired", func(p *schemas.ApplicationEvent) {
			p.Offer = &schemas.Offer{OfferID: offerID, Version: version, Status: "Accepted", Department: b.job.dept}
		})
	} else {
		b.offer(schemas.TypeOfferDeclined, t, offerID, version, "Rejected")
		b.reject(t.Add(h.days(0.2)), "They rejected us", &unrejected)
	}
	return b.finish(end)
}

// reject emits a rejection and maybe an unreject; it reports whether the application goes on,
// and from when.
func (b *appBuilder) reject(t time.Time, kind string, unrejected *bool) (time.Time, bool) {
	b.emit(schemas.TypeRejected, t, "rejected", func(p *schemas.ApplicationEvent) {
		p.RejectionType = kind
		p.RejectionReason = map[string]string{"They rejected us": "Withdrew", "We rejected them": "Not a fit"}[kind]
	})
	if *unrejected || kind != "We rejected them" || b.h.rng.Float64() >= 0.025 {
		return t, false
	}
	*unrejected = true
	u := t.Add(b.h.days(0.2 + b.h.rng.Float64()*3)).Truncate(time.Second)
	if !u.Before(b.h.cfg.End) {
		return t, false
	}
	b.emit(schemas.TypeUnrejected, u, "active", nil)
	return u, true
}

// finish adds candidate-level endings (deletions, duplicate profiles merged away) and
// at-least-once duplicates.
func (b *appBuilder) finish(end time.Time) []schemas.Event {
	h := b.h
	last := b.evs[len(b.evs)-1].OccurredAt
	switch r := h.rng.Float64(); {
	case r < 0.01: // the candidate asks to be deleted
		at := last.Add(h.days(3 + h.rng.Float64()*17)).Truncate(time.Second)
		if at.Before(end) {
			b.evs = append(b.evs, schemas.Event{ID: schemas.DeriveID("simulate-history", b.app, "deleted"), Type: schemas.TypeCandidateDeleted,
				OccurredAt: at, RecordedAt: at, SourceSystem: "greenhouse", CandidateID: b.cand,
				Payload: &schemas.CandidateEvent{ApplicationIDs: []string{b.app}}})
		}
	case r < 0.02: // a duplicate profile applied to the same job and is merged into this one
		h.appSeq++
		dupApp, dupCand := strconv.FormatInt(7_000_000_000+h.appSeq, 10), strconv.FormatInt(8_000_000_000+h.appSeq, 10)
		at := b.applied.Add(time.Duration(1+h.rng.IntN(48)) * time.Hour)
		merged := at.Add(h.days(0.5 + h.rng.Float64()*3)).Truncate(time.Second)
		if merged.Before(end) {
			d := &appBuilder{h: h, job: b.job, src: b.src, app: dupApp, cand: dupCand, applied: at, seq: 0}
			d.emit(schemas.TypeApplicationReceived, at, "active", nil)
			b.evs = append(b.evs, d.evs...)
			b.evs = append(b.evs, schemas.Event{ID: schemas.DeriveID("simulate-history", dupApp, "merged"), Type: schemas.TypeCandidateMerged,
				OccurredAt: merged, RecordedAt: merged, SourceSystem: "greenhouse", CandidateID: dupCand,
				Payload: &schemas.CandidateEvent{MergedIntoCandidateID: b.cand, ApplicationIDs: []string{dupApp}}})
		}
	}
	// Whatever would happen at or after End has not happened yet.
	kept := b.evs[:0]
	for _, ev := range b.evs {
		if ev.OccurredAt.Before(end) {
			kept = append(kept, ev)
		}
	}
	b.evs = kept
	out := b.evs
	for _, ev := range b.evs {
		if h.rng.Float64() < h.cfg.DuplicateRate {
			out = append(out, ev)
		}
	}
	return out
}

// Publisher is what History writes to: the Kafka producer of the canonical topic.
type Publisher interface {
	Publish(ctx context.Context, evs ...schemas.Event) error
}

// HistoryStats sums up a Run.
type HistoryStats struct {
	Events, Applications int64
	Elapsed              time.Duration
}

// Run generates the history and publishes it in batches with workers parallel publishers,
// printing a progress line to progress about once a second (nil: no output).
func (h *History) Run(ctx context.Context, pub Publisher, workers int, progress io.Writer) (HistoryStats, error) {
	workers = max(workers, 1)
	const batch = 5000
	estApps := float64(h.cfg.Events) / h.perApp
	batches := make(chan []schemas.Event, workers*2)
	var sent atomic.Int64
	var firstErr error
	var mu sync.Mutex
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for evs := range batches {
				if err := pub.Publish(ctx, evs...); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
						cancel()
					}
					mu.Unlock()
					continue
				}
				sent.Add(int64(len(evs)))
			}
		}()
	}
	began, last := time.Now(), time.Now()
	report := func(final bool) {
		if progress == nil {
			return
		}
		n := sent.Load()
		el := time.Since(began)
		rate := float64(n) / max(el.Seconds(), 1e-9)
		eta := time.Duration(0)
		if rate > 0 && !final {
			eta = time.Duration(float64(int64(h.cfg.Events)-n) / rate * float64(time.Second)).Round(time.Second)
		}
		fmt.Fprintf(progress, "simulate --history: %d/%d events (%.1f%%) %d applications, %.0f events/s, eta %s\n",
			n, h.cfg.Events, 100*float64(n)/float64(h.cfg.Events), h.appSeq, rate, max(eta, 0))
	}
	var buf []schemas.Event
	var total int64
	apps := 0
	for total < int64(h.cfg.Events) && ctx.Err() == nil {
		evs := h.application(min(float64(apps)/estApps, 1))
		apps++
		buf = append(buf, evs...)
		total += int64(len(evs))
		if len(buf) >= batch {
			select {
			case batches <- buf:
			case <-ctx.Done():
			}
			buf = nil
		}
		if time.Since(last) >= time.Second {
			last = time.Now()
			report(false)
		}
	}
	if len(buf) > 0 && ctx.Err() == nil {
		batches <- buf
	}
	close(batches)
	wg.Wait()
	report(true)
	st := HistoryStats{Events: sent.Load(), Applications: h.appSeq, Elapsed: time.Since(began)}
	if firstErr != nil {
		return st, firstErr
	}
	return st, ctx.Err()
}
