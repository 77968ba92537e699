package clickhouse

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/hirestream/hirestream/schemas"
)

// Analytics maintains the analytics model (migration 003: application_state, seen through the
// applications and stage_intervals views) from canonical events. The sink calls Apply after each
// batch landed in candidate_events; replay calls it the same way.
//
// Apply is idempotent and order-independent: it stores the batch's facts (application_events,
// candidate_links, candidate_changes, all ReplacingMergeTree), then for every application the
// batch touches it re-reads the application's whole deduplicated history and writes one snapshot
// computed from scratch (ComputeApplication). A duplicate, a redelivery, a replay or a late event
// only ever adds facts, so the newest snapshot — the one computed from the most facts — is exact.
type Analytics struct {
	conn   driver.Conn
	db     string
	mu     sync.Mutex
	stages map[string]bool    // stage names already in stage_names (a cache: rewriting one is harmless)
	dims   map[[3]string]bool // (job, department, channel) already in application_dims (likewise)
}

// NewAnalytics maintains the model in database db.
func NewAnalytics(conn driver.Conn, db string) *Analytics {
	return &Analytics{conn: conn, db: quoteIdent(db), stages: map[string]bool{}, dims: map[[3]string]bool{}}
}

// idChunk bounds the ids in one IN (...) list, well under max_query_size (256 KiB).
const idChunk = 4000

var historyColumns = []string{
	"application_id", "event_id", "event_type", "occurred_at", "candidate_id", "job_id", "job_title",
	"department", "stage_to", "stage_to_id", "status", "prospect", "source_channel", "rejection_type",
	"applied_at", "offer_id", "offer_status", "merged_into_candidate_id",
}

func (h HistoryEvent) values() []any {
	return []any{h.ApplicationID, h.EventID, h.EventType, h.OccurredAt, h.CandidateID, h.JobID, h.JobTitle,
		h.Department, h.StageTo, h.StageToID, h.Status, h.Prospect, h.SourceChannel, h.RejectionType,
		h.AppliedAt, h.OfferID, h.OfferStatus, h.MergedIntoCandidateID}
}

var stateColumns = []string{
	"application_id", "candidate_id", "job_id", "job_title", "department", "source_channel", "prospect",
	"status", "current_stage", "current_stage_key", "applied_at", "first_offer_at", "offer_accepted_at",
	"offer_declined_at", "has_offer", "hired_at", "rejected_at", "deleted_at", "time_to_hire_seconds",
	"days_to_hire", "last_event_at", "events", "stint_stage", "stint_stage_key", "stint_entered_at",
	"stint_exited_at", "stint_duration_seconds", "stint_exit_kind", "version",
}

// StageKey is the stage_names key of a stage name: the first 8 bytes of its SHA-256.
func StageKey(name string) uint64 {
	h := sha256.Sum256([]byte(name))
	return binary.BigEndian.Uint64(h[:8])
}

func (s ApplicationState) values() []any {
	n := len(s.Stints)
	stage, kind := make([]string, n), make([]string, n)
	keys := make([]uint64, n)
	entered, exited, dur := make([]time.Time, n), make([]*time.Time, n), make([]*uint32, n)
	for i, x := range s.Stints {
		stage[i], keys[i], entered[i], exited[i], kind[i] = x.Stage, StageKey(x.Stage), x.Entered, x.Exited, x.ExitKind
		if x.Exited != nil {
			d := uint32(x.Exited.Sub(x.Entered) / time.Second)
			dur[i] = &d
		}
	}
	var current uint64
	if s.CurrentStage != "" {
		current = StageKey(s.CurrentStage)
	}
	return []any{s.ApplicationID, s.CandidateID, s.JobID, s.JobTitle, s.Department, s.SourceChannel, b2u(s.Prospect),
		s.Status, s.CurrentStage, current, s.AppliedAt, s.FirstOfferAt, s.OfferAcceptedAt, s.OfferDeclinedAt,
		b2u(s.HasOffer), s.HiredAt, s.RejectedAt, s.DeletedAt, s.TimeToHireSeconds, s.DaysToHire,
		s.LastEventAt, uint32(s.Events), stage, keys, entered, exited, dur, kind, s.Version}
}

// HistoryFromEvent is the application_events rows of ev: one for an application-shaped event,
// one per listed application for a candidate deletion or merge, none otherwise.
func HistoryFromEvent(ev schemas.Event) []HistoryEvent {
	base := HistoryEvent{EventID: ev.ID, EventType: string(ev.Type), OccurredAt: ev.OccurredAt.UTC().Truncate(time.Second),
		CandidateID: ev.CandidateID, JobID: ev.JobID}
	switch p := ev.Payload.(type) {
	case *schemas.ApplicationEvent:
		if ev.ApplicationID == "" || p == nil {
			return nil
		}
		h := base
		h.ApplicationID = ev.ApplicationID
		if p.StageTo != nil {
			h.StageTo = *p.StageTo
		}
		h.StageToID, h.Status, h.Prospect = p.StageToID, p.Status, b2u(p.Prospect)
		h.SourceChannel, h.RejectionType = p.SourceChannel, p.RejectionType
		if p.AppliedAt != nil {
			t := p.AppliedAt.UTC().Truncate(time.Second)
			h.AppliedAt = &t
		}
		if j := p.Job; j != nil {
			h.JobTitle, h.Department = j.Title, j.Department
			if h.JobID == "" {
				h.JobID = j.JobID
			}
		}
		if o := p.Offer; o != nil {
			h.OfferID, h.OfferStatus = o.OfferID, o.Status
			if h.Department == "" {
				h.Department = o.Department
			}
		}
		return []HistoryEvent{h}
	case *schemas.CandidateEvent:
		if p == nil || (ev.Type != schemas.TypeCandidateDeleted && ev.Type != schemas.TypeCandidateMerged) {
			return nil
		}
		var out []HistoryEvent
		for _, id := range p.ApplicationIDs {
			if id == "" {
				continue
			}
			h := base
			h.ApplicationID, h.JobID, h.MergedIntoCandidateID = id, "", p.MergedIntoCandidateID
			out = append(out, h)
		}
		return out
	}
	return nil
}

// changeFromEvent is the candidate_changes row of a candidate merge or deletion.
func changeFromEvent(ev schemas.Event) (CandidateChange, bool) {
	p, ok := ev.Payload.(*schemas.CandidateEvent)
	if !ok || p == nil || ev.CandidateID == "" || (ev.Type != schemas.TypeCandidateDeleted && ev.Type != schemas.TypeCandidateMerged) {
		return CandidateChange{}, false
	}
	return CandidateChange{CandidateID: ev.CandidateID, EventID: ev.ID, EventType: string(ev.Type),
		OccurredAt: ev.OccurredAt.UTC().Truncate(time.Second), MergedIntoCandidateID: p.MergedIntoCandidateID,
		AllApplications: ev.Type == schemas.TypeCandidateDeleted && len(p.ApplicationIDs) == 0}, true
}

// Apply folds evs into the model. An error leaves the model as it was or partly updated,
// never wrong: applying the same events again completes it (the sink retries the batch).
func (a *Analytics) Apply(ctx context.Context, evs []schemas.Event) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	var hist []HistoryEvent
	var changes []CandidateChange
	links := map[[2]string]bool{}
	touched := map[string]bool{}
	var reach []string // candidates whose applications must be recomputed
	for _, ev := range evs {
		for _, h := range HistoryFromEvent(ev) {
			hist = append(hist, h)
			touched[h.ApplicationID] = true
			if h.CandidateID != "" && !isDeletion(h.EventType) {
				links[[2]string{h.CandidateID, h.ApplicationID}] = true
			}
		}
		if c, ok := changeFromEvent(ev); ok {
			changes = append(changes, c)
			if c.EventType == string(schemas.TypeCandidateMerged) || c.AllApplications {
				reach = append(reach, c.CandidateID)
			}
		}
	}
	if len(hist) == 0 && len(changes) == 0 {
		return nil
	}
	if err := a.insertHistory(ctx, hist); err != nil {
		return err
	}
	if err := a.insertChanges(ctx, changes); err != nil {
		return err
	}
	if err := a.insertLinks(ctx, links); err != nil {
		return err
	}
	if len(reach) > 0 {
		apps, err := a.linkedApplications(ctx, reach)
		if err != nil {
			return err
		}
		for _, id := range apps {
			touched[id] = true
		}
	}
	return a.recompute(ctx, slices.Sorted(maps.Keys(touched)))
}

// recompute rewrites the snapshot of every application in ids from its stored history.
func (a *Analytics) recompute(ctx context.Context, ids []string) error {
	for start := 0; start < len(ids); start += idChunk {
		chunk := ids[start:min(start+idChunk, len(ids))]
		hist, err := a.readHistory(ctx, chunk)
		if err != nil {
			return err
		}
		byApp := map[string][]HistoryEvent{}
		cands := map[string]bool{}
		for _, h := range hist {
			byApp[h.ApplicationID] = append(byApp[h.ApplicationID], h)
			if h.CandidateID != "" {
				cands[h.CandidateID] = true
			}
		}
		changes, err := a.readChanges(ctx, cands)
		if err != nil {
			return err
		}
		states := make([]ApplicationState, 0, len(chunk))
		extra := map[[2]string]bool{}
		for _, id := range chunk {
			h := byApp[id]
			if len(h) == 0 {
				continue // a merge's link to an application whose events are not here yet
			}
			s := ComputeApplication(id, h, changes)
			states = append(states, s)
			// The surviving candidate of a merge inherits the application: a later merge of the
			// survivor must find it.
			if s.CandidateID != "" {
				extra[[2]string{s.CandidateID, id}] = true
			}
		}
		if err := a.insertStageNames(ctx, states); err != nil {
			return err
		}
		if err := a.insertDims(ctx, states); err != nil {
			return err
		}
		if err := a.insertStates(ctx, states); err != nil {
			return err
		}
		if err := a.insertLinks(ctx, extra); err != nil {
			return err
		}
	}
	return nil
}

// readChanges loads the merges and deletions of cands and, through merges, of the candidates
// they were merged into.
func (a *Analytics) readChanges(ctx context.Context, cands map[string]bool) (map[string][]CandidateChange, error) {
	out := map[string][]CandidateChange{}
	next := slices.Sorted(maps.Keys(cands))
	done := map[string]bool{}
	for hop := 0; hop < maxCandidateHops && len(next) > 0; hop++ {
		for _, c := range next {
			done[c] = true
		}
		more := map[string]bool{}
		for start := 0; start < len(next); start += idChunk {
			chunk := next[start:min(start+idChunk, len(next))]
			q := "SELECT candidate_id, event_id, event_type, occurred_at, merged_into_candidate_id, all_applications FROM " +
				a.db + ".candidate_changes FINAL WHERE candidate_id IN (" + inList(chunk) + ")"
			rows, err := a.conn.Query(ctx, q)
			if err != nil {
				return nil, fmt.Errorf("read candidate_changes: %w", err)
			}
			for rows.Next() {
				var c CandidateChange
				var all uint8
				if err := rows.Scan(&c.CandidateID, &c.EventID, &c.EventType, &c.OccurredAt, &c.MergedIntoCandidateID, &all); err != nil {
					rows.Close()
					return nil, fmt.Errorf("read candidate_changes: %w", err)
				}
				c.AllApplications = all == 1
				out[c.CandidateID] = append(out[c.CandidateID], c)
				if m := c.MergedIntoCandidateID; m != "" && !done[m] {
					more[m] = true
				}
			}
			err = rows.Err()
			rows.Close()
			if err != nil {
				return nil, fmt.Errorf("read candidate_changes: %w", err)
			}
		}
		next = slices.Sorted(maps.Keys(more))
	}
	return out, nil
}

func (a *Analytics) readHistory(ctx context.Context, ids []string) ([]HistoryEvent, error) {
	q := "SELECT " + strings.Join(historyColumns, ", ") + " FROM " + a.db + ".application_events FINAL WHERE application_id IN (" + inList(ids) + ")"
	rows, err := a.conn.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("read application_events: %w", err)
	}
	defer rows.Close()
	var out []HistoryEvent
	for rows.Next() {
		var h HistoryEvent
		if err := rows.Scan(&h.ApplicationID, &h.EventID, &h.EventType, &h.OccurredAt, &h.CandidateID, &h.JobID, &h.JobTitle,
			&h.Department, &h.StageTo, &h.StageToID, &h.Status, &h.Prospect, &h.SourceChannel, &h.RejectionType,
			&h.AppliedAt, &h.OfferID, &h.OfferStatus, &h.MergedIntoCandidateID); err != nil {
			return nil, fmt.Errorf("read application_events: %w", err)
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read application_events: %w", err)
	}
	return out, nil
}

// linkedApplications lists the applications of cands (candidate_links).
func (a *Analytics) linkedApplications(ctx context.Context, cands []string) ([]string, error) {
	slices.Sort(cands)
	cands = slices.Compact(cands)
	var out []string
	for start := 0; start < len(cands); start += idChunk {
		chunk := cands[start:min(start+idChunk, len(cands))]
		rows, err := a.conn.Query(ctx, "SELECT DISTINCT application_id FROM "+a.db+".candidate_links WHERE candidate_id IN ("+inList(chunk)+")")
		if err != nil {
			return nil, fmt.Errorf("read candidate_links: %w", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, id)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("read candidate_links: %w", err)
		}
	}
	return out, nil
}

func (a *Analytics) insertHistory(ctx context.Context, hist []HistoryEvent) error {
	return a.insert(ctx, "application_events", historyColumns, len(hist), func(i int) []any { return hist[i].values() })
}

func (a *Analytics) insertChanges(ctx context.Context, cs []CandidateChange) error {
	return a.insert(ctx, "candidate_changes", []string{"candidate_id", "event_id", "event_type", "occurred_at", "merged_into_candidate_id", "all_applications"},
		len(cs), func(i int) []any {
			c := cs[i]
			return []any{c.CandidateID, c.EventID, c.EventType, c.OccurredAt, c.MergedIntoCandidateID, b2u(c.AllApplications)}
		})
}

func (a *Analytics) insertLinks(ctx context.Context, links map[[2]string]bool) error {
	keys := make([][2]string, 0, len(links))
	for k := range links {
		keys = append(keys, k)
	}
	return a.insert(ctx, "candidate_links", []string{"candidate_id", "application_id"}, len(keys), func(i int) []any {
		return []any{keys[i][0], keys[i][1]}
	})
}

// insertStageNames records the names of the stages in states that are not known yet.
func (a *Analytics) insertStageNames(ctx context.Context, states []ApplicationState) error {
	var names []string
	for _, s := range states {
		for _, x := range s.Stints {
			if !a.stages[x.Stage] && !slices.Contains(names, x.Stage) {
				names = append(names, x.Stage)
			}
		}
	}
	err := a.insert(ctx, "stage_names", []string{"stage_key", "stage"}, len(names), func(i int) []any {
		return []any{StageKey(names[i]), names[i]}
	})
	if err == nil {
		for _, n := range names {
			a.stages[n] = true
		}
	}
	return err
}

// insertDims records the (job, department, source channel) combinations not known yet.
func (a *Analytics) insertDims(ctx context.Context, states []ApplicationState) error {
	var dims [][3]string
	for _, s := range states {
		d := [3]string{s.JobID, s.Department, s.SourceChannel}
		if !a.dims[d] && !slices.Contains(dims, d) {
			dims = append(dims, d)
		}
	}
	err := a.insert(ctx, "application_dims", []string{"job_id", "department", "source_channel"}, len(dims), func(i int) []any {
		return []any{dims[i][0], dims[i][1], dims[i][2]}
	})
	if err == nil {
		for _, d := range dims {
			a.dims[d] = true
		}
	}
	return err
}

func (a *Analytics) insertStates(ctx context.Context, states []ApplicationState) error {
	return a.insert(ctx, "application_state", stateColumns, len(states), func(i int) []any { return states[i].values() })
}

// insert sends n rows as one batch. PrepareBatch, not Exec with arguments: against 18.16,
// clickhouse-go's Exec of an INSERT with bound values never returns.
func (a *Analytics) insert(ctx context.Context, table string, cols []string, n int, row func(int) []any) error {
	if n == 0 {
		return nil
	}
	b, err := a.conn.PrepareBatch(ctx, "INSERT INTO "+a.db+"."+table+" ("+strings.Join(cols, ", ")+")")
	if err != nil {
		return classify(fmt.Errorf("prepare insert into %s: %w", table, err))
	}
	for i := range n {
		if err := b.Append(row(i)...); err != nil {
			b.Abort()
			return fmt.Errorf("append to %s: %w", table, err)
		}
	}
	if err := b.Send(); err != nil {
		return classify(fmt.Errorf("insert %d rows into %s: %w", n, table, err))
	}
	return nil
}

// inList is a literal IN list of quoted strings.
func inList(ids []string) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('\'')
		b.WriteString(strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(id))
		b.WriteByte('\'')
	}
	return b.String()
}

// Analytics returns the projection that maintains the analytics model in the writer's
// database, so the sink and replay run it alongside the writer.
func (w *Writer) Analytics() *Analytics {
	return &Analytics{conn: w.conn, db: quoteIdent(w.db), stages: map[string]bool{}, dims: map[[3]string]bool{}}
}
