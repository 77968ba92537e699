package clickhouse

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hirestream/hirestream/schemas"
)

// HistoryEvent is one row of application_events: an event as the analytics model sees it.
type HistoryEvent struct {
	ApplicationID, EventID, EventType string
	OccurredAt                        time.Time
	CandidateID, JobID, JobTitle      string
	Department                        string
	StageTo, StageToID, Status        string
	Prospect                          uint8
	SourceChannel, RejectionType      string
	AppliedAt                         *time.Time
	OfferID, OfferStatus              string
	MergedIntoCandidateID             string
}

// CandidateChange is one row of candidate_changes: a merge or a deletion of a candidate.
type CandidateChange struct {
	CandidateID, EventID, EventType string
	OccurredAt                      time.Time
	MergedIntoCandidateID           string
	// AllApplications: a deletion that listed no application ids, so it deletes every
	// application of the candidate.
	AllApplications bool
}

// Stint is one spell of an application in a stage.
type Stint struct {
	Stage    string
	Entered  time.Time
	Exited   *time.Time // nil while open
	ExitKind string     // advanced, moved_back, rejected, withdrawn, hired, deleted; "" while open
}

// Exit kinds of a stint.
const (
	ExitAdvanced  = "advanced"
	ExitMovedBack = "moved_back"
	ExitRejected  = "rejected"
	ExitWithdrawn = "withdrawn"
	ExitHired     = "hired"
	ExitDeleted   = "deleted"
)

// Application statuses.
const (
	StatusActive    = "active"
	StatusRejected  = "rejected"
	StatusWithdrawn = "withdrawn"
	StatusHired     = "hired"
	StatusDeleted   = "deleted"
)

// ApplicationState is one row of application_state: the current state of an application and
// its stints, computed from its whole history.
type ApplicationState struct {
	ApplicationID, CandidateID, JobID, JobTitle string
	Department, SourceChannel                   string
	Prospect                                    bool
	Status, CurrentStage                        string
	AppliedAt                                   time.Time
	FirstOfferAt, OfferAcceptedAt               *time.Time
	OfferDeclinedAt                             *time.Time
	HasOffer                                    bool
	HiredAt, RejectedAt, DeletedAt              *time.Time
	TimeToHireSeconds                           *uint32
	DaysToHire                                  *float64
	LastEventAt                                 time.Time
	Events                                      int
	Stints                                      []Stint
	// Version grows with what the state was computed from (history rows, candidate changes):
	// the snapshot computed from more facts replaces the one computed from fewer.
	Version uint64
}

// rank orders events that happened in the same second: arrival and reopenings first, moves,
// offers, then the outcomes that close the application.
func rank(t string) int {
	switch schemas.EventType(t) {
	case schemas.TypeApplicationReceived:
		return 0
	case schemas.TypeUnrejected, schemas.TypeCandidateUnhired:
		return 1
	case schemas.TypeApplicationUpdated:
		return 2
	case schemas.TypeStageChanged:
		return 3
	case schemas.TypeOfferCreated:
		return 4
	case schemas.TypeOfferUpdated, schemas.TypeOfferApproved:
		return 5
	case schemas.TypeOfferAccepted, schemas.TypeOfferDeclined:
		return 6
	case schemas.TypeOfferDeleted:
		return 7
	case schemas.TypeRejected, schemas.TypeCandidateHired:
		return 8
	default: // deletions
		return 9
	}
}

// isApplicationFamily: events whose payload describes the application itself (status,
// prospect, stage), not an offer or a candidate.
func isApplicationFamily(t string) bool {
	switch schemas.EventType(t) {
	case schemas.TypeApplicationReceived, schemas.TypeApplicationUpdated, schemas.TypeStageChanged,
		schemas.TypeRejected, schemas.TypeUnrejected, schemas.TypeCandidateHired, schemas.TypeCandidateUnhired:
		return true
	}
	return false
}

func isDeletion(t string) bool {
	switch schemas.EventType(t) {
	case schemas.TypeApplicationDeleted, schemas.TypeCandidateDeleted, schemas.TypeCandidateMerged:
		return true
	}
	return false
}

// maxCandidateHops bounds the walk through merges (a → b → c), in case of a cycle.
const maxCandidateHops = 16

// survivor follows the merges of candidate id and returns the candidate it ended up as, with
// every candidate id on the way (id first).
func survivor(id string, changes map[string][]CandidateChange) (string, []string) {
	chain := []string{id}
	for range maxCandidateHops {
		var last *CandidateChange
		for i, c := range changes[id] {
			if c.EventType != string(schemas.TypeCandidateMerged) || c.MergedIntoCandidateID == "" || c.MergedIntoCandidateID == id {
				continue
			}
			if last == nil || c.OccurredAt.After(last.OccurredAt) || c.OccurredAt.Equal(last.OccurredAt) && c.EventID > last.EventID {
				last = &changes[id][i]
			}
		}
		if last == nil || slices.Contains(chain, last.MergedIntoCandidateID) {
			break
		}
		id = last.MergedIntoCandidateID
		chain = append(chain, id)
	}
	return id, chain
}

// ComputeApplication recomputes an application from its history (application_events rows,
// any order, duplicates allowed) and the merges/deletions of its candidates. The result depends
// only on the set of facts, never on their arrival order.
func ComputeApplication(appID string, hist []HistoryEvent, changes map[string][]CandidateChange) ApplicationState {
	evs := make([]HistoryEvent, 0, len(hist))
	seen := make(map[string]bool, len(hist))
	for _, h := range hist {
		if h.ApplicationID == appID && !seen[h.EventID] {
			seen[h.EventID] = true
			evs = append(evs, h)
		}
	}
	byTime := func(a, b HistoryEvent) int {
		if c := a.OccurredAt.Compare(b.OccurredAt); c != 0 {
			return c
		}
		if c := rank(a.EventType) - rank(b.EventType); c != 0 {
			return c
		}
		return strings.Compare(a.EventID, b.EventID)
	}
	slices.SortFunc(evs, byTime)

	st := ApplicationState{ApplicationID: appID, Status: StatusActive, Events: len(evs)}
	// The candidate: the newest one the application's events name, then through its merges.
	for _, e := range evs {
		if e.CandidateID != "" && !isDeletion(e.EventType) {
			st.CandidateID = e.CandidateID
		}
	}
	if st.CandidateID == "" && len(evs) > 0 {
		st.CandidateID = evs[len(evs)-1].CandidateID
	}
	var chain []string
	used := 0
	if st.CandidateID != "" {
		st.CandidateID, chain = survivor(st.CandidateID, changes)
		used = len(chain) - 1
	}
	// A deletion of one of those candidates that listed no applications deletes this one too.
	for _, c := range chain {
		for _, ch := range changes[c] {
			if ch.EventType == string(schemas.TypeCandidateDeleted) && ch.AllApplications && !seen[ch.EventID] {
				seen[ch.EventID] = true
				evs = append(evs, HistoryEvent{ApplicationID: appID, EventID: ch.EventID, EventType: ch.EventType,
					OccurredAt: ch.OccurredAt, CandidateID: c})
				used++
			}
		}
	}
	slices.SortFunc(evs, byTime)
	st.Version = uint64(len(seen))<<20 | uint64(min(used, 1<<20-1))

	type offerInfo struct {
		first   time.Time
		deleted bool
	}
	offers := map[string]*offerInfo{}
	firstSeen := map[string]int{} // stage key -> order of first entry
	var open = -1                 // index of the open stint in st.Stints
	var openID string             // stage id of the open stint
	var lastID string             // stage id of the last stint
	knownChannel := ""

	stageKey := func(name, id string) string {
		if id != "" {
			return "id:" + id
		}
		return "name:" + name
	}
	same := func(name, id string) bool {
		s := st.Stints[len(st.Stints)-1]
		if id != "" && lastID != "" {
			return id == lastID
		}
		return name == s.Stage
	}
	backward := func(fromName, fromID, toName, toID string) bool {
		f, ferr := strconv.ParseInt(fromID, 10, 64)
		t, terr := strconv.ParseInt(toID, 10, 64)
		if ferr == nil && terr == nil {
			return t < f
		}
		fo, ok1 := firstSeen[stageKey(fromName, fromID)]
		to, ok2 := firstSeen[stageKey(toName, toID)]
		return ok1 && ok2 && to < fo
	}
	closeStint := func(at time.Time, kind string) {
		if open < 0 {
			return
		}
		s := &st.Stints[open]
		if at.Before(s.Entered) {
			at = s.Entered
		}
		t := at
		s.Exited, s.ExitKind = &t, kind
		open = -1
	}
	openStint := func(name, id string, at time.Time) {
		if name == "" {
			return
		}
		if _, ok := firstSeen[stageKey(name, id)]; !ok {
			firstSeen[stageKey(name, id)] = len(firstSeen)
		}
		st.Stints = append(st.Stints, Stint{Stage: name, Entered: at})
		open, openID, lastID = len(st.Stints)-1, id, id
	}
	// moveTo records that the application is in stage (name, id) at time at.
	moveTo := func(name, id string, at time.Time) {
		if name == "" {
			return
		}
		if open >= 0 {
			if same(name, id) {
				return
			}
			kind := ExitAdvanced
			if backward(st.Stints[open].Stage, openID, name, id) {
				kind = ExitMovedBack
			}
			closeStint(at, kind)
		}
		openStint(name, id, at)
	}
	// reopen opens a new stint in the stage given, else in the stage the application was in.
	reopen := func(name, id string, at time.Time) {
		if name == "" && len(st.Stints) > 0 {
			name, id = st.Stints[len(st.Stints)-1].Stage, lastID
		}
		openStint(name, id, at)
	}

	for _, e := range evs {
		t := e.OccurredAt
		if t.After(st.LastEventAt) {
			st.LastEventAt = t
		}
		if e.JobID != "" {
			st.JobID = e.JobID
		}
		if e.JobTitle != "" {
			st.JobTitle = e.JobTitle
		}
		if e.Department != "" {
			st.Department = e.Department
		}
		if e.SourceChannel != "" {
			if e.SourceChannel != "unknown" || knownChannel == "" {
				knownChannel = e.SourceChannel
			}
		}
		if isApplicationFamily(e.EventType) {
			st.Prospect = e.Prospect == 1
		}
		if e.AppliedAt != nil && !e.AppliedAt.IsZero() {
			st.AppliedAt = e.AppliedAt.UTC()
		}
		if e.OfferID != "" {
			o := offers[e.OfferID]
			if o == nil {
				o = &offerInfo{first: t}
				offers[e.OfferID] = o
			}
			if e.EventType == string(schemas.TypeOfferDeleted) {
				o.deleted = true
			}
		}
		if st.Status == StatusDeleted {
			continue // nothing happens to a deleted application
		}
		switch schemas.EventType(e.EventType) {
		case schemas.TypeApplicationReceived, schemas.TypeApplicationUpdated, schemas.TypeStageChanged:
			if st.Status == StatusActive {
				moveTo(e.StageTo, e.StageToID, t)
			}
		case schemas.TypeUnrejected:
			switch st.Status {
			case StatusRejected, StatusWithdrawn:
				st.Status, st.RejectedAt = StatusActive, nil
				reopen(e.StageTo, e.StageToID, t)
			case StatusActive:
				moveTo(e.StageTo, e.StageToID, t)
			}
		case schemas.TypeCandidateUnhired:
			if st.Status == StatusHired {
				st.Status, st.HiredAt = StatusActive, nil
				reopen(e.StageTo, e.StageToID, t)
			}
		case schemas.TypeRejected:
			if st.Status == StatusActive {
				moveTo(e.StageTo, e.StageToID, t)
				kind, status := ExitRejected, StatusRejected
				if strings.EqualFold(strings.TrimSpace(e.RejectionType), "They rejected us") {
					kind, status = ExitWithdrawn, StatusWithdrawn
				}
				closeStint(t, kind)
				at := t
				st.Status, st.RejectedAt = status, &at
			}
		case schemas.TypeCandidateHired:
			if st.Status == StatusActive {
				moveTo(e.StageTo, e.StageToID, t)
				closeStint(t, ExitHired)
				at := t
				st.Status, st.HiredAt = StatusHired, &at
			}
		case schemas.TypeOfferAccepted:
			at := t
			st.OfferAcceptedAt = &at
		case schemas.TypeOfferDeclined:
			at := t
			st.OfferDeclinedAt = &at
		case schemas.TypeApplicationDeleted, schemas.TypeCandidateDeleted, schemas.TypeCandidateMerged:
			closeStint(t, ExitDeleted)
			at := t
			st.Status, st.DeletedAt = StatusDeleted, &at
		}
	}

	st.SourceChannel = knownChannel
	if st.AppliedAt.IsZero() && len(evs) > 0 {
		st.AppliedAt = evs[0].OccurredAt.UTC()
	}
	for _, o := range offers {
		if o.deleted {
			continue
		}
		st.HasOffer = true
		if st.FirstOfferAt == nil || o.first.Before(*st.FirstOfferAt) {
			at := o.first
			st.FirstOfferAt = &at
		}
	}
	if n := len(st.Stints); n > 0 {
		st.CurrentStage = st.Stints[n-1].Stage
	}
	if st.HiredAt != nil {
		secs := uint32(max(0, st.HiredAt.Sub(st.AppliedAt)/time.Second))
		days := float64(secs) / 86400
		st.TimeToHireSeconds, st.DaysToHire = &secs, &days
	}
	return st
}
