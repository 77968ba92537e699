// Package simulate generates realistic, deterministic Greenhouse webhook
// traffic for a stream of synthetic candidates moving through a hiring
// funnel, and posts it, signed, to a hirestream webhook receiver.
//
// A Generator runs a discrete-event simulation on a simulated ATS clock that
// starts at Config.Start (default: 60 days ago), so one run produces weeks of
// history in seconds. Every candidate is a small state machine whose next
// step sits in a priority queue ordered by ATS time; deliveries therefore come
// out in ATS-time order across candidates. All randomness comes from PCG
// streams seeded by Config.Seed: the same Config yields byte-identical
// deliveries, event ids included.
//
// Payload shapes follow Greenhouse's documented webhooks (see
// /work/shared/research/ats-webhooks.md §1): an {"action","payload"} envelope,
// application-shaped payloads for application events, flat offer payloads
// (nested for offer_deleted), payload.person for delete/merge, integer ids,
// ISO-8601 UTC timestamps, non-ASCII escaped as \uXXXX in the signed body.
package simulate

import (
	"bytes"
	"container/heap"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"
)

// Greenhouse webhook actions the generator emits.
const (
	ActionNewCandidateApplication = "new_candidate_application"
	ActionApplicationUpdated      = "application_updated"
	ActionCandidateStageChange    = "candidate_stage_change"
	ActionRejectCandidate         = "reject_candidate"
	ActionUnrejectCandidate       = "unreject_candidate"
	ActionHireCandidate           = "hire_candidate"
	ActionUpdateCandidate         = "update_candidate"
	ActionMergeCandidate          = "merge_candidate"
	ActionDeleteCandidate         = "delete_candidate"
	ActionOfferCreated            = "offer_created"
	ActionOfferApproved           = "offer_approved"
	ActionOfferUpdated            = "offer_updated"
	ActionOfferDeleted            = "offer_deleted"
	// ActionJobPostUpdated is not a candidate event: receivers must accept
	// and store it like any other action they do not interpret.
	ActionJobPostUpdated = "job_post_updated"
)

// Actions lists every action the generator can emit.
var Actions = []string{
	ActionNewCandidateApplication, ActionApplicationUpdated, ActionCandidateStageChange,
	ActionRejectCandidate, ActionUnrejectCandidate, ActionHireCandidate, ActionUpdateCandidate,
	ActionMergeCandidate, ActionDeleteCandidate, ActionOfferCreated, ActionOfferApproved,
	ActionOfferUpdated, ActionOfferDeleted, ActionJobPostUpdated,
}

// Delivery is one webhook delivery as Greenhouse would send it.
type Delivery struct {
	Action string
	// Body is the exact request body (signed as is).
	Body []byte
	// EventID is the Greenhouse-Event-ID header value: unique per delivery,
	// derived from (Seed, Start, sequence number). A redelivery (see
	// Config.DuplicateRate) repeats the id of the delivery it repeats.
	EventID string
	// OccurredAt is the ATS time of the change (the body's last_activity_at,
	// rejected_at, resolved_at, ... where it has one).
	OccurredAt time.Time
	// CandidateID and ApplicationID identify the subject (0 when none, e.g.
	// job_post_updated). For offer events ApplicationID is the offer's
	// application and CandidateID its candidate, though the body carries no
	// candidate id.
	CandidateID, ApplicationID int64
}

// Config configures a Generator. The zero value of every field but Seed has
// a usable default.
type Config struct {
	Seed uint64
	// Candidates is the number of candidates that apply (default 200). Each
	// one produces a new_candidate_application and the rest of its funnel.
	Candidates int
	// Start is the ATS time of the simulation start (default: 60 days before
	// now, which makes the output depend on the wall clock: set Start for
	// reproducible output). Truncated to the second.
	Start time.Time
	// ArrivalWindow is the span over which applications arrive (default 20
	// days). Funnels take up to ~6 weeks more, so with the defaults a few
	// late events land after the wall-clock "now".
	ArrivalWindow time.Duration
	// DuplicateRate is the probability that a delivery is delivered again,
	// verbatim and with the same event id, 1-20 deliveries later
	// (at-least-once redelivery).
	DuplicateRate float64
	// OutOfOrderRate is the probability that a delivery is swapped with the
	// one after it.
	OutOfOrderRate float64
}

const (
	defaultCandidates    = 200
	defaultStartAgo      = 60 * day
	defaultArrivalWindow = 20 * day
)

// Generator produces deliveries. It is not safe for concurrent use.
type Generator struct {
	cfg    Config
	dry    bool // decide only, do not build bodies (Total)
	rng    *rand.Rand
	faults *rand.Rand

	queue   stepQueue
	seq     uint64
	now     time.Time
	arrived int
	people  []*person
	emitted uint64

	nextCandidate, nextApplication, nextOffer int64

	ready []Delivery // base deliveries produced by the last step
	held  []Delivery // out-of-order: delivery held back behind its successor
	dups  []pendingDup
	total int
}

type pendingDup struct {
	d     Delivery
	after int
}

// New returns a Generator for cfg (defaults filled in).
func New(cfg Config) *Generator { return newGenerator(cfg, false) }

func newGenerator(cfg Config, dry bool) *Generator {
	if cfg.Candidates <= 0 {
		cfg.Candidates = defaultCandidates
	}
	if cfg.Start.IsZero() {
		cfg.Start = time.Now().Add(-defaultStartAgo)
	}
	cfg.Start = cfg.Start.UTC().Truncate(time.Second)
	if cfg.ArrivalWindow <= 0 {
		cfg.ArrivalWindow = defaultArrivalWindow
	}
	g := &Generator{
		cfg:    cfg,
		dry:    dry,
		rng:    rand.New(rand.NewPCG(cfg.Seed, 0x68697265_73747265)), // "hirestre"
		faults: rand.New(rand.NewPCG(cfg.Seed, 0x6661756c_74730000)), // "faults"
		now:    cfg.Start,
		total:  -1,
	}
	g.nextCandidate = 4_000_000_000 + g.rng.Int64N(1_000_000_000)
	g.nextApplication = 5_000_000_000 + g.rng.Int64N(1_000_000_000)
	g.nextOffer = 3_000_000 + g.rng.Int64N(4_000_000)

	g.push(cfg.Start.Add(g.arrivalGap()), g.arrive)
	posts := max(1, cfg.Candidates/jobPostUpdateEvery)
	for range posts {
		j := jobs[g.rng.IntN(len(jobs))]
		at := g.business(j.Office, cfg.Start.Add(time.Duration(g.rng.Int64N(int64(cfg.ArrivalWindow/time.Second)))*time.Second))
		g.push(at, func(t time.Time) {
			g.emit(t, ActionJobPostUpdated, 0, 0, func() any { return jobPostJSONFor(j, t, true) })
		})
	}
	return g
}

// Config returns the generator's configuration with defaults filled in.
func (g *Generator) Config() Config { return g.cfg }

// Next returns the next delivery, or false once every candidate has finished.
func (g *Generator) Next() (Delivery, bool) {
	for i, p := range g.dups {
		if p.after <= 0 {
			g.dups = append(g.dups[:i], g.dups[i+1:]...)
			return p.d, true
		}
	}
	d, ok := g.takeBase()
	if !ok {
		if len(g.dups) > 0 {
			p := g.dups[0]
			g.dups = g.dups[1:]
			return p.d, true
		}
		return Delivery{}, false
	}
	for i := range g.dups {
		g.dups[i].after--
	}
	if g.cfg.DuplicateRate > 0 && g.faults.Float64() < g.cfg.DuplicateRate {
		dup := d
		dup.Body = bytes.Clone(d.Body)
		g.dups = append(g.dups, pendingDup{d: dup, after: 1 + g.faults.IntN(20)})
	}
	return d, true
}

// Total returns the number of deliveries (duplicates included) this
// generator emits over its whole life. It replays the simulation without
// building bodies; the result is cached.
func (g *Generator) Total() int {
	if g.total < 0 {
		c := newGenerator(g.cfg, true)
		n := 0
		for {
			if _, ok := c.Next(); !ok {
				break
			}
			n++
		}
		g.total = n
	}
	return g.total
}

func (g *Generator) takeBase() (Delivery, bool) {
	if len(g.held) > 0 {
		d := g.held[0]
		g.held = g.held[1:]
		return d, true
	}
	d, ok := g.nextBase()
	if ok && g.cfg.OutOfOrderRate > 0 && g.faults.Float64() < g.cfg.OutOfOrderRate {
		if d2, ok2 := g.nextBase(); ok2 {
			g.held = append(g.held, d)
			return d2, true
		}
	}
	return d, ok
}

func (g *Generator) nextBase() (Delivery, bool) {
	for len(g.ready) == 0 {
		if g.queue.Len() == 0 {
			return Delivery{}, false
		}
		s := heap.Pop(&g.queue).(*step)
		g.now = s.at
		s.run(s.at)
	}
	d := g.ready[0]
	g.ready = g.ready[1:]
	return d, true
}

func (g *Generator) emit(at time.Time, action string, candidateID, applicationID int64, build func() any) {
	d := Delivery{Action: action, EventID: g.eventID(g.emitted), OccurredAt: at,
		CandidateID: candidateID, ApplicationID: applicationID}
	g.emitted++
	if !g.dry {
		d.Body = marshalBody(action, build())
	}
	g.ready = append(g.ready, d)
}

func (g *Generator) eventID(n uint64) string {
	var buf [32 + 24]byte
	copy(buf[:], "hirestream/simulate/event-id")
	binary.BigEndian.PutUint64(buf[32:], g.cfg.Seed)
	binary.BigEndian.PutUint64(buf[40:], uint64(g.cfg.Start.Unix()))
	binary.BigEndian.PutUint64(buf[48:], n)
	h := sha256.Sum256(buf[:])
	h[6] = h[6]&0x0f | 0x40 // UUID version 4 layout
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// ---- priority queue of steps ----

type step struct {
	at  time.Time
	seq uint64
	run func(time.Time)
}

type stepQueue []*step

func (q stepQueue) Len() int { return len(q) }
func (q stepQueue) Less(i, j int) bool {
	if !q[i].at.Equal(q[j].at) {
		return q[i].at.Before(q[j].at)
	}
	return q[i].seq < q[j].seq
}
func (q stepQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *stepQueue) Push(x any)   { *q = append(*q, x.(*step)) }
func (q *stepQueue) Pop() any {
	old := *q
	s := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return s
}

// push schedules run at ATS time at (never before the current time, so the
// output stays in ATS-time order).
func (g *Generator) push(at time.Time, run func(time.Time)) {
	if at.Before(g.now) {
		at = g.now
	}
	g.seq++
	heap.Push(&g.queue, &step{at: at.Truncate(time.Second), seq: g.seq, run: run})
}

// ---- randomness helpers ----

func (g *Generator) f() float64 { return g.rng.Float64() }

// dur returns a uniform duration in [lo, hi], whole seconds.
func (g *Generator) dur(lo, hi time.Duration) time.Duration {
	s := int64(lo / time.Second)
	span := int64((hi - lo) / time.Second)
	if span > 0 {
		s += g.rng.Int64N(span + 1)
	}
	return time.Duration(s) * time.Second
}

func (g *Generator) lognormal(median time.Duration, sigma float64, lo, hi time.Duration) time.Duration {
	d := time.Duration(float64(median) * math.Exp(sigma*g.rng.NormFloat64()))
	return min(max(d, lo), hi).Truncate(time.Second)
}

func (g *Generator) arrivalGap() time.Duration {
	mean := float64(g.cfg.ArrivalWindow) / float64(g.cfg.Candidates)
	return time.Duration(g.rng.ExpFloat64() * mean).Truncate(time.Second)
}

func pick[T any](g *Generator, xs []T) T { return xs[g.rng.IntN(len(xs))] }

func pickWeighted[T any](g *Generator, xs []weighted[T]) T {
	total := 0
	for _, x := range xs {
		total += x.W
	}
	n := g.rng.IntN(total)
	for _, x := range xs {
		if n < x.W {
			return x.V
		}
		n -= x.W
	}
	return xs[len(xs)-1].V
}

// business moves t to working hours (Mon-Fri 08:00-18:00) of office o: the
// time a recruiter or hiring manager acts. t itself is returned when it is
// already inside working hours.
func (g *Generator) business(o *office, t time.Time) time.Time {
	off := time.Duration(o.UTCOffset) * time.Hour
	local := t.UTC().Add(off)
	h, wd := local.Hour(), local.Weekday()
	weekend := wd == time.Saturday || wd == time.Sunday
	if !weekend && h >= 8 && h < 18 {
		return t
	}
	d := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	if h >= 8 {
		d = d.AddDate(0, 0, 1)
	}
	for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		d = d.AddDate(0, 0, 1)
	}
	return d.Add(8*time.Hour + g.dur(0, 150*time.Minute)).Add(-off)
}

// ---- simulation state ----

type person struct {
	ID                 int64
	First, Last        string
	Title, Company     *string
	CreatedAt          time.Time
	UpdatedAt          time.Time
	Emails             []string
	Phones             []string
	LinkedIn           string
	School             string
	Degree, Discipline string
	GradYear           int
	EmployedSinceMonth int
	EmployedSinceYear  int
	HasResume          bool
	ResumeName         string
	DesiredLevel       string
	Pronouns           string
	Tags               []string
	Recruiter          *user
	Coordinator        *user
	Apps               []*application

	Duplicate     bool // a duplicate profile that will be merged away
	MergeTarget   bool // another profile is (being) merged into this one
	DeletePlanned bool
}

const (
	progressNew       = iota // interviews to be scheduled
	progressScheduled        // interviews scheduled
	progressDone             // interviews complete
)

type application struct {
	ID            int64
	Person        *person
	Job           *job
	Source        *source
	Referrer      *user // credited_to
	AppliedAt     time.Time
	Stage         int
	Progress      int
	Status        string // active, rejected, hired
	RejectedAt    time.Time
	Reason        *rejectionReason
	RejectionNote string
	Unrejected    bool
	BackMoves     int
	Boost         float64
	VisaKnown     bool
	NeedsVisa     bool
	NoticePeriod  string
	HeardFrom     string
	Offer         *offer
	OfferDeleted  bool
}

type offer struct {
	ID             int64
	Version        int
	UserID         int64
	CreatedAt      time.Time
	SentAt         time.Time
	ResolvedAt     time.Time
	StartDate      time.Time
	Salary         int64
	SigningBonus   int64
	Currency       string
	EmploymentType string
	Status         string // Created, Accepted, Rejected, Deprecated
	Notes          string
}

func (g *Generator) newCandidateID() int64 {
	g.nextCandidate += 1 + g.rng.Int64N(40)
	return g.nextCandidate
}

func (g *Generator) newApplicationID() int64 {
	g.nextApplication += 1 + g.rng.Int64N(60)
	return g.nextApplication
}

func (g *Generator) newOfferID() int64 {
	g.nextOffer += 1 + g.rng.Int64N(25)
	return g.nextOffer
}

// ---- the funnel ----

func (g *Generator) arrive(at time.Time) {
	g.arrived++
	if g.arrived < g.cfg.Candidates {
		g.push(at.Add(g.arrivalGap()), g.arrive)
	}
	jw := make([]weighted[*job], len(jobs))
	for i, j := range jobs {
		jw[i] = weighted[*job]{j, j.Weight}
	}
	j := pickWeighted(g, jw)
	sw := make([]weighted[*source], len(sources))
	for i, s := range sources {
		sw[i] = weighted[*source]{s, s.Weight}
	}
	src := pickWeighted(g, sw)

	var orig *person
	if g.f() < duplicateRate {
		orig = g.pickMergeTarget()
	}
	p := g.newPerson(at, j, orig)
	a := &application{
		ID: g.newApplicationID(), Person: p, Job: j, Source: src, AppliedAt: at,
		Stage: stageReview, Status: "active", Boost: 1,
	}
	if src.Referral {
		a.Referrer = pick(g, referrers)
	}
	if src.ID == 17 && g.f() < 0.5 {
		a.HeardFrom = pick(g, []string{"Meetup", "Podcast", "A friend", "Engineering blog", "Conference talk", "Newsletter"})
	}
	p.Apps = append(p.Apps, a)
	if orig == nil {
		g.people = append(g.people, p)
	}
	g.emit(at, ActionNewCandidateApplication, p.ID, a.ID, func() any { return g.applicationJSON(a, at, false, true) })

	switch {
	case orig != nil:
		g.push(g.business(j.Office, at.Add(g.dur(4*time.Hour, 4*day))), func(t time.Time) { g.merge(a, orig, t) })
	case src.AutoRejectable && g.f() < autoRejectRate:
		a.VisaKnown, a.NeedsVisa = true, true
		g.push(at.Add(g.dur(3*time.Minute, 40*time.Minute)), func(t time.Time) {
			a.Progress = progressDone
			g.reject(a, t, rrLocation, "Auto-rejected: application question (visa sponsorship)")
		})
	default:
		g.planStage(a, at)
	}
}

func (g *Generator) newPerson(at time.Time, j *job, orig *person) *person {
	p := &person{ID: g.newCandidateID(), CreatedAt: at, UpdatedAt: at, Recruiter: j.Recruiter}
	if orig != nil {
		// A duplicate profile of the same human: same name, often the same
		// email, later merged into orig.
		p.Duplicate = true
		p.First, p.Last = orig.First, orig.Last
		p.Emails = []string{orig.Emails[0]}
		if g.f() < 0.4 {
			p.Emails = []string{g.email(p.First, p.Last)}
		}
		p.Title, p.Company = orig.Title, orig.Company
		p.Pronouns = orig.Pronouns
		return p
	}
	ng := make([]weighted[int], len(nameGroups))
	for i := range nameGroups {
		ng[i] = weighted[int]{i, nameGroupWeights[i]}
	}
	grp := nameGroups[pickWeighted(g, ng)]
	p.First, p.Last = pick(g, grp[0]), pick(g, grp[1])
	p.Emails = []string{g.email(p.First, p.Last)}
	if g.f() < 0.8 {
		p.Phones = []string{fmt.Sprintf(j.Office.PhoneFmt, g.rng.IntN(100))}
	}
	if g.f() < 0.85 {
		p.Title, p.Company = strp(pick(g, currentTitles)), strp(pick(g, currentCompanies))
		p.EmployedSinceMonth, p.EmployedSinceYear = 1+g.rng.IntN(12), at.Year()-1-g.rng.IntN(6)
	}
	if g.f() < 0.6 {
		p.LinkedIn = fmt.Sprintf("linkedin.example/in/%s-%d", asciiFold(p.First+p.Last, "candidate"), 1000+g.rng.IntN(9000))
	}
	if g.f() < 0.7 {
		p.School, p.Degree, p.Discipline = pick(g, schools), pick(g, degrees), pick(g, disciplines)
		p.GradYear = at.Year() - 2 - g.rng.IntN(15)
	}
	if g.f() < 0.9 {
		p.HasResume = true
		p.ResumeName = pick(g, []string{"resume.pdf", "CV.pdf", "cv_2026.pdf", "Resume (1).docx"})
	}
	p.Pronouns = pick(g, []string{"", "", "she/her", "he/him", "they/them"})
	return p
}

func (g *Generator) email(first, last string) string {
	f, l := asciiFold(first, ""), asciiFold(last, "")
	var local string
	switch {
	case f == "" && l == "":
		local = fmt.Sprintf("candidate%d", 10000+g.rng.IntN(90000))
	case f == "" || l == "":
		local = f + l + fmt.Sprint(10+g.rng.IntN(90))
	default:
		switch g.rng.IntN(4) {
		case 0:
			local = f + "." + l
		case 1:
			local = f[:1] + l
		case 2:
			local = f + "." + l + fmt.Sprint(g.rng.IntN(100))
		default:
			local = f + "_" + l[:1]
		}
	}
	return local + "@" + pick(g, candidateDomains)
}

var foldMap = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'ā': "a", 'ą': "a", 'ă': "a", 'ạ': "a",
	'æ': "ae", 'ç': "c", 'ć': "c", 'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'ē': "e", 'ę': "e", 'ễ': "e",
	'ì': "i", 'í': "i", 'î': "i", 'ï': "i", 'ı': "i", 'ñ': "n", 'ń': "n", 'ò': "o", 'ó': "o", 'ô': "o",
	'õ': "o", 'ö': "o", 'ø': "o", 'ő': "o", 'œ': "oe", 'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ū': "u",
	'ű': "u", 'ý': "y", 'ÿ': "y", 'ß': "ss", 'ł': "l", 'ś': "s", 'ź': "z", 'ż': "z", 'ğ': "g",
	'đ': "d", 'ư': "u", 'ơ': "o", 'ả': "a", 'ầ': "a", 'ấ': "a", 'ş': "s",
}

// asciiFold lowercases s and folds common Latin diacritics to ASCII,
// dropping everything else that is not a letter or digit.
func asciiFold(s, fallback string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteString(foldMap[r])
		}
	}
	if b.Len() == 0 {
		return fallback
	}
	return b.String()
}

func (g *Generator) pickMergeTarget() *person {
	n := len(g.people)
	for range 8 {
		if n == 0 {
			return nil
		}
		p := g.people[n-1-g.rng.IntN(min(n, 200))]
		if !p.DeletePlanned && !p.Duplicate {
			p.MergeTarget = true
			return p
		}
	}
	return nil
}

// planStage schedules what happens after a entered (or re-entered) its
// current stage at time at.
func (g *Generator) planStage(a *application, at time.Time) {
	if a.Stage == stageOffer {
		g.push(g.business(a.Job.Office, at.Add(g.dur(time.Hour, 20*time.Hour))), func(t time.Time) { g.createOffer(a, t, nil) })
		return
	}
	sp := stageParams[a.Stage]
	decideAt := g.business(a.Job.Office, at.Add(g.lognormal(sp.Median, sp.Sigma, sp.Min, sp.Max)))
	decide := func(t time.Time) { g.decide(a, t) }
	midAt := at.Add(time.Duration(float64(decideAt.Sub(at)) * (0.2 + 0.5*g.f())))
	switch r := g.f(); {
	case r < candidateUpdate:
		g.push(midAt, func(t time.Time) { g.updateCandidate(a, t); g.push(decideAt, decide) })
	case a.Stage == stagePhone && !a.VisaKnown && r < candidateUpdate+applicationUpdate:
		g.push(midAt, func(t time.Time) { g.updateApplication(a, t); g.push(decideAt, decide) })
	default:
		g.push(decideAt, decide)
	}
}

func (g *Generator) decide(a *application, t time.Time) {
	if a.Status != "active" {
		return
	}
	a.Progress = progressDone
	if a.BackMoves == 0 {
		if (a.Stage == stageOnsite && g.f() < backToTechnical) || (a.Stage == stageTechnical && g.f() < backToPhone) {
			a.BackMoves++
			g.moveTo(a, a.Stage-1, t)
			return
		}
	}
	sp := stageParams[a.Stage]
	factor := a.Source.LaterFactor
	if a.Stage == stageReview {
		factor = a.Source.ReviewFactor
	}
	w := min(0.5, sp.Withdraw*a.Source.WithdrawFactor)
	p := min(0.95, sp.Pass*factor*a.Boost)
	switch u := g.f(); {
	case u < w:
		g.reject(a, t, pickWeighted(g, withdrawReasons), "")
	case (u-w)/(1-w) < p:
		g.moveTo(a, a.Stage+1, t)
	default:
		g.reject(a, t, pickWeighted(g, failReasons[a.Stage]), "")
	}
}

func (g *Generator) moveTo(a *application, stage int, t time.Time) {
	a.Stage, a.Progress = stage, progressNew
	if stage >= stageTechnical {
		a.Person.Coordinator = a.Job.Coordinator
	}
	g.emit(t, ActionCandidateStageChange, a.Person.ID, a.ID, func() any { return g.applicationJSON(a, t, false, true) })
	g.planStage(a, t)
}

func (g *Generator) reject(a *application, t time.Time, reason *rejectionReason, note string) {
	a.Status, a.RejectedAt, a.Reason, a.RejectionNote = "rejected", t, reason, note
	g.emit(t, ActionRejectCandidate, a.Person.ID, a.ID, func() any { return g.applicationJSON(a, t, true, false) })
	if !a.Unrejected && a.Offer == nil && g.f() < unrejectRate {
		g.push(g.business(a.Job.Office, t.Add(g.dur(2*time.Hour, 3*day))), func(t time.Time) { g.unreject(a, t) })
		return
	}
	p := a.Person
	if !p.Duplicate && !p.MergeTarget && !p.DeletePlanned && len(p.Apps) == 1 && g.f() < deleteRate {
		p.DeletePlanned = true
		g.push(g.business(a.Job.Office, t.Add(g.dur(3*day, 20*day))), func(t time.Time) { g.deleteCandidate(p, a, t) })
	}
}

func (g *Generator) unreject(a *application, t time.Time) {
	a.Unrejected, a.Status, a.RejectedAt, a.Reason, a.RejectionNote = true, "active", time.Time{}, nil, ""
	a.Boost = 1.3
	g.emit(t, ActionUnrejectCandidate, a.Person.ID, a.ID, func() any { return g.applicationJSON(a, t, true, false) })
	g.planStage(a, t)
}

func (g *Generator) deleteCandidate(p *person, a *application, t time.Time) {
	ids := make([]int64, 0, len(p.Apps))
	for _, x := range p.Apps {
		ids = append(ids, x.ID)
	}
	g.emit(t, ActionDeleteCandidate, p.ID, a.ID, func() any { return personPayloadJSON(p, ids, 0) })
}

func (g *Generator) merge(a *application, into *person, t time.Time) {
	dup := a.Person
	g.emit(t, ActionMergeCandidate, dup.ID, a.ID, func() any { return personPayloadJSON(dup, nil, into.ID) })
	a.Person = into
	into.Apps = append(into.Apps, a)
	into.UpdatedAt = t
	g.planStage(a, t)
}

func (g *Generator) updateCandidate(a *application, t time.Time) {
	p := a.Person
	switch g.rng.IntN(5) {
	case 0:
		ph := fmt.Sprintf(a.Job.Office.PhoneFmt, g.rng.IntN(100))
		if len(p.Phones) == 0 {
			p.Phones = []string{ph}
		} else {
			p.Phones = append(p.Phones, ph)
		}
	case 1:
		if len(p.Emails) < 2 && p.Company != nil {
			p.Emails = append(p.Emails, asciiFold(p.First, "c")+"@"+asciiFold(*p.Company, "work")+".example")
		} else {
			p.Tags = appendTag(p.Tags, pick(g, tagsPool))
		}
	case 2:
		p.Title, p.Company = strp(pick(g, currentTitles)), strp(pick(g, currentCompanies))
		p.EmployedSinceMonth, p.EmployedSinceYear = 1+g.rng.IntN(12), t.Year()
	case 3:
		p.Tags = appendTag(p.Tags, pick(g, tagsPool))
	default:
		p.DesiredLevel = pick(g, levels)
	}
	p.UpdatedAt = t
	g.emit(t, ActionUpdateCandidate, p.ID, a.ID, func() any { return candidatePayload{Candidate: g.candidateJSON(p, true)} })
}

func appendTag(tags []string, tag string) []string {
	for _, t := range tags {
		if t == tag {
			return tags
		}
	}
	return append(tags, tag)
}

func (g *Generator) updateApplication(a *application, t time.Time) {
	a.VisaKnown, a.NeedsVisa = true, g.f() < 0.15
	a.NoticePeriod = pick(g, []string{"Immediately", "2 weeks", "1 month", "1 month", "3 months"})
	a.Progress = progressScheduled
	g.emit(t, ActionApplicationUpdated, a.Person.ID, a.ID, func() any { return g.applicationJSON(a, t, false, true) })
}

// ---- offers ----

func roundTo(v float64, step int64) int64 { return int64(math.Round(v/float64(step))) * step }

// createOffer drafts a new offer (prev == nil) or the next version of prev.
func (g *Generator) createOffer(a *application, t time.Time, prev *offer) {
	j := a.Job
	o := &offer{ID: g.newOfferID(), Version: 1, UserID: j.Recruiter.ID, CreatedAt: t,
		Currency: j.Office.Currency, EmploymentType: j.EmploymentType, Status: "Created"}
	if prev == nil {
		o.Salary = roundTo(float64(j.SalaryMin)+g.f()*float64(j.SalaryMax-j.SalaryMin), 500)
		start := t.Add(g.dur(21*day, 42*day)).UTC()
		start = time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, time.UTC)
		for start.Weekday() != time.Monday {
			start = start.AddDate(0, 0, 1)
		}
		o.StartDate = start
		if g.f() < 0.25 {
			o.SigningBonus = roundTo(float64(o.Salary)*(0.05+0.07*g.f()), 500)
		}
		if g.f() < 0.3 {
			o.Notes = pick(g, []string{"Relocation package approved", "Hybrid: 3 days in office", "Equity per band guidelines", "Start date flexible"})
		}
	} else {
		o.Version = prev.Version + 1
		o.Salary = min(roundTo(float64(prev.Salary)*(1.03+0.05*g.f()), 500), roundTo(float64(j.SalaryMax)*1.05, 500))
		o.StartDate, o.SigningBonus = prev.StartDate, prev.SigningBonus
		o.Notes = "Revised after negotiation"
	}
	a.Offer = o
	g.emit(t, ActionOfferCreated, a.Person.ID, a.ID, func() any { return offerPayload(a, o) })
	switch {
	case prev == nil && !a.OfferDeleted && g.f() < offerDeleteRate:
		g.push(t.Add(g.dur(20*time.Minute, 5*time.Hour)), func(t time.Time) { g.deleteOffer(a, t) })
	case prev == nil && g.f() < offerApprovalRate:
		g.push(g.business(j.Office, t.Add(g.dur(3*time.Hour, 2*day))), func(t time.Time) { g.approveOffer(a, t) })
	default:
		g.push(g.business(j.Office, t.Add(g.dur(time.Hour, day))), func(t time.Time) { g.sendOffer(a, t) })
	}
}

func (g *Generator) deleteOffer(a *application, t time.Time) {
	a.OfferDeleted = true
	o := a.Offer
	g.emit(t, ActionOfferDeleted, a.Person.ID, a.ID, func() any { return offerDeletedJSON(a, o) })
	a.Offer = nil
	g.push(t.Add(g.dur(5*time.Minute, 40*time.Minute)), func(t time.Time) { g.createOffer(a, t, nil) })
}

func (g *Generator) approveOffer(a *application, t time.Time) {
	o := a.Offer
	g.emit(t, ActionOfferApproved, a.Person.ID, a.ID, func() any { return offerPayload(a, o) })
	g.push(g.business(a.Job.Office, t.Add(g.dur(30*time.Minute, day))), func(t time.Time) { g.sendOffer(a, t) })
}

func (g *Generator) sendOffer(a *application, t time.Time) {
	o := a.Offer
	if o.Version == 1 && g.f() < draftWithdrawRate {
		// The candidate withdrew before the offer went out: the recruiter
		// deletes the draft and rejects the application.
		g.emit(t, ActionOfferDeleted, a.Person.ID, a.ID, func() any { return offerDeletedJSON(a, o) })
		g.push(t.Add(g.dur(time.Minute, 15*time.Minute)), func(t time.Time) {
			a.Offer = nil
			g.reject(a, t, pickWeighted(g, withdrawReasons[:2]), "Withdrew before the offer was sent")
		})
		return
	}
	o.SentAt = t
	g.emit(t, ActionOfferUpdated, a.Person.ID, a.ID, func() any { return offerPayload(a, o) })
	if o.Version == 1 && g.f() < offerRevisionRate {
		g.push(g.business(a.Job.Office, t.Add(g.dur(day, 3*day))), func(t time.Time) { g.reviseOffer(a, t) })
		return
	}
	// The candidate answers at any hour.
	g.push(t.Add(g.lognormal(60*time.Hour, 0.6, 4*time.Hour, 10*day)), func(t time.Time) { g.resolveOffer(a, t) })
}

func (g *Generator) reviseOffer(a *application, t time.Time) {
	old := a.Offer
	old.Status, old.ResolvedAt = "Deprecated", t
	old.Notes = fmt.Sprintf("Superseded by v%d (salary revised)", old.Version+1)
	g.emit(t, ActionOfferUpdated, a.Person.ID, a.ID, func() any { return offerPayload(a, old) })
	g.push(t.Add(g.dur(2*time.Second, 10*time.Second)), func(t time.Time) { g.createOffer(a, t, old) })
}

func (g *Generator) resolveOffer(a *application, t time.Time) {
	o := a.Offer
	o.ResolvedAt = t
	if g.f() < a.Source.Accept {
		o.Status = "Accepted"
		g.emit(t, ActionOfferUpdated, a.Person.ID, a.ID, func() any { return offerPayload(a, o) })
		g.push(t.Add(g.dur(2*time.Second, 20*time.Second)), func(t time.Time) { g.hire(a, t) })
		return
	}
	o.Status = "Rejected"
	g.emit(t, ActionOfferUpdated, a.Person.ID, a.ID, func() any { return offerPayload(a, o) })
	g.push(g.business(a.Job.Office, t.Add(g.dur(time.Hour, day))), func(t time.Time) {
		a.Progress = progressDone
		g.reject(a, t, pickWeighted(g, declineReasons), "Offer declined")
	})
}

func (g *Generator) hire(a *application, t time.Time) {
	a.Status, a.Progress = "hired", progressDone
	g.emit(t, ActionHireCandidate, a.Person.ID, a.ID, func() any { return g.hireJSON(a, t) })
}
