package hrissync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hirestream/hirestream/processors/state"
	"github.com/hirestream/hirestream/schemas"
)

// Automation is the processor's name in alerts and in the ownership config.
const Automation = "hris-sync"

// Config configures the processor.
type Config struct {
	Mapping *Mapping
	HRIS    HRIS
	// Owner is the person alerts name (from the ownership config). Default: empty (the alert
	// processor resolves the owner).
	Owner string
	// MaxAttempts and MaxElapsed are the runtime's retry budget (config.Retry). The processor
	// counts attempts itself and gives up one step before the runtime would dead-letter the
	// trigger, so a sync that cannot be done always ends as hris.sync_failed + alert.raised.
	MaxAttempts int
	MaxElapsed  time.Duration
	// RetryAfterMax caps the wait Handle honours when the HRIS throttles (503 + Retry-After).
	// Default: 30s.
	RetryAfterMax time.Duration
	// Now is the clock (start-date rule, outcome times). Default: time.Now.
	Now func() time.Time
	Log *slog.Logger
}

// Processor syncs a hired candidate to the HRIS: one trigger (offer accepted, candidate hired,
// or a later change to the accepted offer) → one outcome (hris.sync_succeeded or
// hris.sync_failed, plus alert.raised / review.needed when a human must act).
//
// It keeps a projection of the candidate (state.Candidates, fed by Observe) and builds the
// employee record from it through the mapping, so the record reflects the accepted offer's
// newest terms, the job, the manager and the contact fields, never one event's partial payload.
//
// Exactly one employee per hire: the employee is found by the ATS candidate id stored in the
// mapping's key field before anything is created, on every attempt, so a create whose answer
// was lost (timeout, 5xx after the write) is found instead of repeated. After writing, every
// mapped field is read back and compared; a difference is a failed sync with a field diff and
// an alert, and is not retried.
type Processor struct {
	cfg Config
	// targetName is the HRIS's Target(), read once.
	targetName string
	m          *Mapping
	hris       HRIS
	state      *state.Candidates
	log        *slog.Logger

	mu       sync.Mutex
	attempts map[string]*attempt // by trigger event id, while it is being retried
	// told holds, per candidate, the signature of the last problem a human was told about, so
	// the same problem seen by the next trigger (the hire after the acceptance) is recorded in
	// hris.sync_failed but not alerted twice. In memory: after a restart it may be told once more.
	told map[string]told
}

type told struct{ sig, trigger string }

type attempt struct {
	n     int
	first time.Time
}

// New builds the processor with an empty projection.
func New(cfg Config) (*Processor, error) {
	if cfg.Mapping == nil || cfg.HRIS == nil {
		return nil, errors.New("hrissync: Mapping and HRIS are required")
	}
	if cfg.MaxAttempts < 1 {
		cfg.MaxAttempts = 5
	}
	if cfg.MaxElapsed <= 0 {
		cfg.MaxElapsed = 2 * time.Minute
	}
	if cfg.RetryAfterMax <= 0 {
		cfg.RetryAfterMax = 30 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Processor{cfg: cfg, targetName: cfg.HRIS.Target(), m: cfg.Mapping, hris: cfg.HRIS, state: state.NewCandidates(),
		log: cfg.Log.With("processor", Automation), attempts: map[string]*attempt{}, told: map[string]told{}}, nil
}

// Name is the consumer group and idempotency prefix.
func (*Processor) Name() string { return Automation }

// Triggers: acceptance and hire create the employee; a change to the accepted offer re-syncs.
func (*Processor) Triggers() []schemas.EventType {
	return []schemas.EventType{schemas.TypeOfferAccepted, schemas.TypeCandidateHired,
		schemas.TypeOfferCreated, schemas.TypeOfferUpdated, schemas.TypeOfferApproved}
}

// Observe folds a canonical event into the candidate projection.
func (p *Processor) Observe(ev schemas.Event) { p.state.Observe(ev) }

// State is the projection (read-only use: tests, diagnostics).
func (p *Processor) State() *state.Candidates { return p.state }

// result is what one sync attempt found and did.
type result struct {
	employeeID string
	created    bool
	step       string              // find, create, read-back, update
	changes    []schemas.FieldDiff // on an existing employee: expected = after, actual = before
	mismatch   []schemas.FieldDiff // read-back differences: expected = meant, actual = HRIS
	conflicts  []schemas.FieldDiff // HRIS-owned fields that differ: expected = ATS, actual = HRIS
}

// DuplicatesError: the HRIS holds several employees with the candidate's key.
type DuplicatesError struct {
	Key string
	IDs []string
}

func (e *DuplicatesError) Error() string {
	return fmt.Sprintf("%d employees carry ATS candidate id %s: %s", len(e.IDs), e.Key, strings.Join(e.IDs, ", "))
}

// Handle syncs the candidate of ev. It returns an error only for a temporary failure that is
// still within the retry budget (the runtime retries with backoff); every other ending is an
// outcome event.
func (p *Processor) Handle(ctx context.Context, ev schemas.Event) (outs []schemas.Event, err error) {
	defer func() {
		// A bug must still reach a human: a panic ends as a failed sync and an alert, not as a
		// retried-then-dead-lettered trigger nobody hears about.
		if r := recover(); r != nil {
			p.log.ErrorContext(ctx, "hris-sync panicked", "event_id", ev.ID, "candidate_id", ev.CandidateID, "panic", fmt.Sprint(r))
			at := p.cfg.Now()
			outs = []schemas.Event{
				schemas.Outcome(Automation, ev, schemas.TypeHRISSyncFailed, at, &schemas.HRISSync{Target: p.targetName,
					Error: fmt.Sprintf("internal error: %v", r), LatencyMS: max(at.Sub(ev.RecordedAt).Milliseconds(), 0)}),
				p.alertEvent(ev, schemas.TypeAlertRaised, at, &schemas.Alert{Severity: "error",
					Summary: fmt.Sprintf("hris-sync failed with an internal error on candidate %s (application %s); nothing may have been written", ev.CandidateID, ev.ApplicationID),
					Action:  "Report it to the hirestream maintainers with the event id; then check the candidate in the HRIS and update the offer in Greenhouse to re-run the sync."}),
			}
			err = nil
		}
	}()
	c, ok := p.state.Get(ev.CandidateID)
	if !ok {
		return nil, nil
	}
	log := p.log.With("event_id", ev.ID, "event_type", string(ev.Type), "candidate_id", ev.CandidateID)
	switch ev.Type {
	case schemas.TypeOfferCreated, schemas.TypeOfferUpdated, schemas.TypeOfferApproved:
		// Only a change to the offer the candidate accepted, made after the acceptance, touches
		// the employee (the projection may already know of an acceptance that comes later in
		// the log, e.g. when a new consumer group reads history).
		ae, _ := ev.Payload.(*schemas.ApplicationEvent)
		if c.AcceptedOfferID == "" || ae == nil || ae.Offer == nil || ae.Offer.OfferID != c.AcceptedOfferID ||
			ev.OccurredAt.Before(c.AcceptedAt) {
			return nil, nil
		}
	}
	if c.Deleted || c.Anonymized || c.Unhired {
		log.InfoContext(ctx, "candidate deleted, anonymized or unhired: not synced")
		return nil, nil
	}
	now := p.cfg.Now()
	rec, probs := p.m.Build(&c)
	for _, pr := range p.m.Validate(rec, &c, now) {
		if _, dup := problemFor(probs, pr.Field); !dup {
			probs = append(probs, pr)
		}
	}
	if len(probs) > 0 {
		log.WarnContext(ctx, "record failed validation: nothing written", "fields", fieldsOfProblems(probs))
		var sig []string
		for _, pr := range probs {
			sig = append(sig, pr.String())
		}
		return p.tellOnce(ctx, ev, "invalid|"+strings.Join(sig, "|"), p.invalid(ev, &c, probs, now)), nil
	}

	a := p.begin(ev.ID, now)
	res, err := p.syncSafely(ctx, rec)
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err() // shutting down: the trigger stays uncommitted
	}
	if err != nil && Temporary(err) {
		wait := min(RetryAfter(err), p.cfg.RetryAfterMax)
		if !p.exhausted(a, wait) {
			log.WarnContext(ctx, "HRIS sync failed, will retry", "attempt", a.n, "step", res.step, "error", err, "retry_after", wait)
			if wait > 0 {
				t := time.NewTimer(wait)
				select {
				case <-ctx.Done():
				case <-t.C:
				}
				t.Stop()
			}
			return nil, fmt.Errorf("sync candidate %s (attempt %d, %s): %w", ev.CandidateID, a.n, res.step, err)
		}
	}
	p.end(ev.ID)
	done := p.cfg.Now()
	hs := &schemas.HRISSync{Target: p.targetName, EmployeeID: res.employeeID, Attempts: int32(a.n),
		LatencyMS: max(done.Sub(ev.RecordedAt).Milliseconds(), 0)}
	switch {
	case err != nil:
		hs.Error = fmt.Sprintf("%s: %v", res.step, err)
		if Temporary(err) {
			hs.Error = fmt.Sprintf("gave up after %d attempts in %s: %s", a.n, done.Sub(a.first).Round(time.Millisecond), hs.Error)
		}
		log.ErrorContext(ctx, "HRIS sync failed", "attempt", a.n, "step", res.step, "error", err, "employee_id", res.employeeID)
		sig := "error|" + res.step + "|" + err.Error()
		if Temporary(err) {
			sig = "unavailable|" + res.step
		}
		return p.tellOnce(ctx, ev, sig, []schemas.Event{
			schemas.Outcome(Automation, ev, schemas.TypeHRISSyncFailed, done, hs),
			p.alertFor(ev, &c, res, err, a, done),
		}), nil
	case len(res.mismatch) > 0:
		hs.Error = "read-back verification failed: " + strings.Join(diffFields(res.mismatch), ", ") + " differ from what was written"
		hs.Diff = res.mismatch
		log.ErrorContext(ctx, "HRIS read-back differs", "employee_id", res.employeeID, "fields", diffFields(res.mismatch))
		return p.tellOnce(ctx, ev, fmt.Sprintf("mismatch|%s|%v", res.employeeID, res.mismatch), []schemas.Event{
			schemas.Outcome(Automation, ev, schemas.TypeHRISSyncFailed, done, hs),
			p.mismatchAlert(ev, &c, res, done),
		}), nil
	}
	hs.Diff = res.changes
	outs = []schemas.Event{schemas.Outcome(Automation, ev, schemas.TypeHRISSyncSucceeded, done, hs)}
	if len(res.conflicts) > 0 {
		outs = p.tellOnce(ctx, ev, fmt.Sprintf("conflict|%v", res.conflicts), append(outs, p.conflictReview(ev, &c, res, done)))
	} else {
		p.forget(ev.CandidateID)
	}
	log.InfoContext(ctx, "HRIS sync verified", "employee_id", res.employeeID, "created", res.created,
		"changed", diffFields(res.changes), "attempt", a.n)
	return outs, nil
}

// tellOnce drops the alert.raised and review.needed events of outs when another trigger of the
// candidate already told the same problem; the sync outcome itself is always kept. The same
// trigger handled again gets its alert again (same id: it collapses downstream), so handling
// stays idempotent.
func (p *Processor) tellOnce(ctx context.Context, ev schemas.Event, sig string, outs []schemas.Event) []schemas.Event {
	p.mu.Lock()
	prev, ok := p.told[ev.CandidateID]
	same := ok && prev.sig == sig && prev.trigger != ev.ID
	if !same {
		p.told[ev.CandidateID] = told{sig: sig, trigger: ev.ID}
	}
	p.mu.Unlock()
	if !same {
		return outs
	}
	p.log.InfoContext(ctx, "same problem as another trigger: recorded, not alerted again", "candidate_id", ev.CandidateID, "event_id", ev.ID)
	return slices.DeleteFunc(outs, func(e schemas.Event) bool {
		return e.Type == schemas.TypeAlertRaised || e.Type == schemas.TypeReviewNeeded
	})
}

// forget clears what the candidate's owner was told, after a sync that went through.
func (p *Processor) forget(candidate string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.told, candidate)
}

func (p *Processor) begin(id string, now time.Time) *attempt {
	p.mu.Lock()
	defer p.mu.Unlock()
	a, ok := p.attempts[id]
	if !ok {
		a = &attempt{first: now}
		p.attempts[id] = a
	}
	a.n++
	out := *a
	return &out
}

func (p *Processor) end(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.attempts, id)
}

// exhausted: one more failure would make the runtime dead-letter the trigger (its checks are
// attempts >= MaxAttempts or elapsed >= MaxElapsed, measured from just before the first call).
func (p *Processor) exhausted(a *attempt, wait time.Duration) bool {
	if a.n >= p.cfg.MaxAttempts {
		return true
	}
	margin := min(time.Second, p.cfg.MaxElapsed/10)
	return p.cfg.Now().Sub(a.first)+wait >= p.cfg.MaxElapsed-margin
}

// syncSafely runs sync; a panic is a permanent failure (a bug: retrying would not help, and it
// must still reach a human).
func (p *Processor) syncSafely(ctx context.Context, rec Record) (res result, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error: %v", r)
		}
	}()
	return p.sync(ctx, rec)
}

// sync upserts rec: find by key; create (and verify) or compare, write the changes and verify.
func (p *Processor) sync(ctx context.Context, rec Record) (result, error) {
	res := result{step: "find"}
	key := rec[p.m.KeyField]
	fields := p.m.FieldNames()
	ids, err := p.hris.Find(ctx, key)
	if err != nil {
		return res, err
	}
	if len(ids) > 1 {
		return res, &DuplicatesError{Key: key, IDs: ids}
	}
	if len(ids) == 0 {
		res.step = "create"
		id, err := p.hris.Create(ctx, rec)
		res.employeeID = id
		if errors.Is(err, ErrConflict) {
			// Our own earlier create may have landed after the lookup: look again.
			if again, ferr := p.hris.Find(ctx, key); ferr == nil && len(again) == 1 {
				ids = again
			} else {
				return res, err
			}
		} else if err != nil {
			return res, err
		} else {
			res.created = true
			res.step = "read-back"
			got, err := p.hris.Get(ctx, id, fields)
			if err != nil {
				return res, err
			}
			res.mismatch = p.m.Diff(rec, got, fields)
			return res, nil
		}
	}
	res.employeeID = ids[0]
	res.step = "read"
	cur, err := p.hris.Get(ctx, res.employeeID, fields)
	if err != nil {
		return res, err
	}
	changes := Record{}
	desired := Record{}
	for _, f := range fields {
		want, have := rec[f], cur[f]
		desired[f] = want
		if want == "" || p.m.Equal(f, want, have) {
			continue
		}
		if mf := p.m.field(f); mf != nil && mf.Owner == OwnerHRIS && have != "" {
			// The HRIS owns it: report, never overwrite.
			res.conflicts = append(res.conflicts, schemas.FieldDiff{Field: f, Expected: p.m.Show(f, want), Actual: p.m.Show(f, have)})
			desired[f] = have
			continue
		}
		changes[f] = want
		res.changes = append(res.changes, schemas.FieldDiff{Field: f, Expected: p.m.Show(f, want), Actual: p.m.Show(f, have)})
	}
	if len(changes) == 0 {
		return res, nil
	}
	res.step = "update"
	if err := p.hris.Update(ctx, res.employeeID, changes, desired); err != nil {
		return res, err
	}
	res.step = "read-back"
	got, err := p.hris.Get(ctx, res.employeeID, fields)
	if err != nil {
		return res, err
	}
	res.mismatch = p.m.Diff(desired, got, fields)
	return res, nil
}

func diffFields(d []schemas.FieldDiff) []string {
	out := make([]string, len(d))
	for i, x := range d {
		out[i] = x.Field
	}
	return out
}

func fieldsOfProblems(probs []Problem) []string {
	out := make([]string, len(probs))
	for i, p := range probs {
		out[i] = p.Field
	}
	return out
}

// who names the candidate for a human: name and ids (no other personal data).
func who(ev schemas.Event, c *state.Candidate) string {
	name := strings.TrimSpace(c.FirstName + " " + c.LastName)
	if name == "" {
		name = "(name unknown)"
	}
	ids := []string{"candidate " + ev.CandidateID}
	if ev.ApplicationID != "" {
		ids = append(ids, "application "+ev.ApplicationID)
	} else if c.ApplicationID != "" {
		ids = append(ids, "application "+c.ApplicationID)
	}
	if o, ok := c.AcceptedOffer(); ok {
		ids = append(ids, fmt.Sprintf("offer %s v%d", o.Offer.OfferID, o.Offer.Version))
	}
	return fmt.Sprintf("%s (%s)", name, strings.Join(ids, ", "))
}

func (p *Processor) target() string {
	if t := p.targetName; t == "bamboohr" {
		return "BambooHR"
	}
	return p.targetName
}

func (p *Processor) alertEvent(ev schemas.Event, t schemas.EventType, at time.Time, a *schemas.Alert) schemas.Event {
	a.Automation, a.Owner = Automation, p.cfg.Owner
	return schemas.Outcome(Automation, ev, t, at, a)
}

// invalid: the record was not written. hris.sync_failed (diff: the fields and rules),
// alert.raised for the owner, review.needed for the review queue.
func (p *Processor) invalid(ev schemas.Event, c *state.Candidate, probs []Problem, at time.Time) []schemas.Event {
	hs := &schemas.HRISSync{Target: p.targetName, LatencyMS: max(at.Sub(ev.RecordedAt).Milliseconds(), 0)}
	var reasons []string
	for _, pr := range probs {
		reasons = append(reasons, pr.String())
		d := schemas.FieldDiff{Field: pr.Field, Expected: pr.Reason}
		if pr.Expected != "" || pr.Actual != "" {
			d.Expected, d.Actual = p.m.Show(pr.Field, pr.Expected), p.m.Show(pr.Field, pr.Actual)
		}
		hs.Diff = append(hs.Diff, d)
	}
	hs.Error = "validation failed, nothing written: " + strings.Join(reasons, "; ")
	fields := strings.Join(fieldsOfProblems(probs), ", ")
	summary := fmt.Sprintf("New hire NOT written to %s for %s: %s", p.target(), who(ev, c), strings.Join(reasons, "; "))
	action := fmt.Sprintf("Fix %s: correct the offer in Greenhouse, or the lookup tables in %s (then restart hris-sync). "+
		"Updating the offer in Greenhouse re-runs the sync. Nothing was written to %s.", fields, p.m.Source, p.target())
	return []schemas.Event{
		schemas.Outcome(Automation, ev, schemas.TypeHRISSyncFailed, at, hs),
		p.alertEvent(ev, schemas.TypeAlertRaised, at, &schemas.Alert{Severity: "error", Summary: summary, Field: fields, Action: action}),
		p.alertEvent(ev, schemas.TypeReviewNeeded, at, &schemas.Alert{Severity: "error", Summary: summary, Field: fields, Action: action}),
	}
}

func (p *Processor) alertFor(ev schemas.Event, c *state.Candidate, res result, err error, a *attempt, at time.Time) schemas.Event {
	var dup *DuplicatesError
	field := ""
	action := fmt.Sprintf("Check the error, fix the data in Greenhouse or %s, then update the offer in Greenhouse to re-run the sync "+
		"(re-running never duplicates: the employee is looked up by ATS candidate id first).", p.target())
	what := fmt.Sprintf("%s failed: %v", res.step, err)
	switch {
	case errors.As(err, &dup):
		field = p.m.KeyField
		action = fmt.Sprintf("Merge or delete the duplicate employees %s in %s so that exactly one keeps %s = %s; hirestream writes nothing until then.",
			strings.Join(dup.IDs, ", "), p.target(), p.m.KeyField, dup.Key)
	case errors.Is(err, ErrLimit):
		action = fmt.Sprintf("%s's employee limit is reached: raise it or deactivate leavers, then update the offer in Greenhouse to re-run the sync.", p.target())
	case errors.Is(err, ErrConflict):
		if p.m.field("workEmail") != nil {
			field = "workEmail"
		}
		action = fmt.Sprintf("Another %s employee already uses this work email (a re-hire or a namesake?): resolve it in %s, then update the offer in Greenhouse to re-run the sync.", p.target(), p.target())
	case Temporary(err):
		what = fmt.Sprintf("%s still failing after %d attempts: %v", res.step, a.n, err)
		action = fmt.Sprintf("%s was unreachable or failing. When it works again, update the offer in Greenhouse to re-run the sync "+
			"(re-running never duplicates: the employee is looked up by ATS candidate id first).", p.target())
	default:
		for _, f := range p.m.FieldNames() {
			if _, col := tableOf(f); strings.Contains(err.Error(), " "+col) || strings.Contains(err.Error(), col+":") {
				field = f
				break
			}
		}
	}
	if res.employeeID != "" {
		what = fmt.Sprintf("employee %s exists but %s", res.employeeID, what)
	}
	verb := "created"
	if res.step != "create" && res.step != "find" {
		verb = "updated"
	}
	summary := fmt.Sprintf("New hire NOT %s in %s for %s: %s", verb, p.target(), who(ev, c), what)
	return p.alertEvent(ev, schemas.TypeAlertRaised, at, &schemas.Alert{Severity: "error", Summary: summary, Field: field, Action: action})
}

func (p *Processor) mismatchAlert(ev schemas.Event, c *state.Candidate, res result, at time.Time) schemas.Event {
	fields := strings.Join(diffFields(res.mismatch), ", ")
	o, _ := c.AcceptedOffer()
	summary := fmt.Sprintf("%s employee %s for %s does not match the accepted offer after writing: %s differ(s) on read-back",
		p.target(), res.employeeID, who(ev, c), fields)
	action := fmt.Sprintf("Open employee %s in %s and set %s to the values of offer %s v%d in Greenhouse, then find out what changed them "+
		"(a %s workflow or another integration). hirestream did not retry; it re-applies ATS-owned fields the next time this offer changes.",
		res.employeeID, p.target(), fields, o.Offer.OfferID, o.Offer.Version, p.target())
	return p.alertEvent(ev, schemas.TypeAlertRaised, at, &schemas.Alert{Severity: "critical", Summary: summary, Field: fields, Action: action})
}

func (p *Processor) conflictReview(ev schemas.Event, c *state.Candidate, res result, at time.Time) schemas.Event {
	fields := diffFields(res.conflicts)
	slices.Sort(fields)
	summary := fmt.Sprintf("%s-owned field(s) %s of employee %s differ from the offer for %s; not overwritten",
		p.target(), strings.Join(fields, ", "), res.employeeID, who(ev, c))
	action := fmt.Sprintf("If the offer is right, change %s in %s; if %s is right, nothing to do.", strings.Join(fields, ", "), p.target(), p.target())
	return p.alertEvent(ev, schemas.TypeReviewNeeded, at, &schemas.Alert{Severity: "info", Summary: summary, Field: strings.Join(fields, ", "), Action: action})
}
