package greenhouse

import (
	"slices"
	"time"

	"github.com/hirestream/hirestream/schemas"
)

// maxStageHistory bounds the stage history kept per application: enough to place a retry that
// arrives hours late, small enough to keep millions of applications in memory.
const maxStageHistory = 16

// maxMergeHops bounds the walk through candidate merges (a → b → c), in case of a cycle.
const maxMergeHops = 16

// state is the normaliser's projection of the canonical event log. It is built ONLY from
// canonical events (apply), whether they were just produced by Handle or replayed through
// Observe, so a rebuilt state equals the live one.
type state struct {
	apps   map[string]*appState // by application id
	jobs   map[string]jobState  // by job id: the newest snapshot of each job, for offers
	merges map[string]string    // merged-away candidate id -> surviving candidate id
}

type appState struct {
	candidateID string
	jobID       string
	job         *schemas.Job // snapshot: title, department, office/location, hiring manager
	lastSeen    time.Time    // newest occurred_at applied; older events only fill gaps
	stages      []stageEntry // by occurred_at, oldest first
}

type jobState struct {
	job schemas.Job
	at  time.Time
}

// stageEntry records that an application was seen in a stage at a time, by an event.
type stageEntry struct {
	at      time.Time
	eventID string
	id      string
	name    string
}

func newState() *state {
	return &state{apps: map[string]*appState{}, jobs: map[string]jobState{}, merges: map[string]string{}}
}

// apply folds one canonical event into the projection. Events that are older than what the
// application already reflects still add to the stage history (in time order) and fill fields
// that are unknown, but never overwrite newer values.
func (s *state) apply(ev schemas.Event) {
	if ev.SourceSystem != SourceSystem {
		return
	}
	switch p := ev.Payload.(type) {
	case *schemas.CandidateEvent:
		if ev.Type == schemas.TypeCandidateMerged && p.MergedIntoCandidateID != "" &&
			ev.CandidateID != "" && p.MergedIntoCandidateID != ev.CandidateID {
			s.merges[ev.CandidateID] = p.MergedIntoCandidateID
		}
	case *schemas.ApplicationEvent:
		if p != nil {
			s.applyApplication(ev, p)
		}
	}
}

func (s *state) applyApplication(ev schemas.Event, p *schemas.ApplicationEvent) {
	if p.Job != nil && p.Job.JobID != "" {
		js, ok := s.jobs[p.Job.JobID]
		switch {
		case !ok:
			s.jobs[p.Job.JobID] = jobState{job: *p.Job, at: ev.OccurredAt}
		case !ev.OccurredAt.Before(js.at):
			mergeJob(&js.job, p.Job, true)
			js.at = ev.OccurredAt
			s.jobs[p.Job.JobID] = js
		default:
			mergeJob(&js.job, p.Job, false)
			s.jobs[p.Job.JobID] = js
		}
	}
	if ev.ApplicationID == "" {
		return
	}
	a := s.apps[ev.ApplicationID]
	if a == nil {
		a = &appState{}
		s.apps[ev.ApplicationID] = a
	}
	newer := !ev.OccurredAt.Before(a.lastSeen)
	if ev.CandidateID != "" && (newer || a.candidateID == "") {
		a.candidateID = ev.CandidateID
	}
	if ev.JobID != "" && (newer || a.jobID == "") {
		a.jobID = ev.JobID
	}
	if p.Job != nil && p.Job.JobID != "" {
		switch {
		case a.job == nil || newer && a.job.JobID != p.Job.JobID:
			j := *p.Job
			a.job = &j
		case a.job.JobID == p.Job.JobID:
			mergeJob(a.job, p.Job, newer)
		}
	}
	if p.StageTo != nil || p.StageToID != "" {
		e := stageEntry{at: ev.OccurredAt, eventID: ev.ID, id: p.StageToID}
		if p.StageTo != nil {
			e.name = *p.StageTo
		}
		a.addStage(e)
	}
	if newer {
		a.lastSeen = ev.OccurredAt
	}
}

// addStage inserts e in time order (after entries with the same time), once per event id.
func (a *appState) addStage(e stageEntry) {
	for _, x := range a.stages {
		if x.eventID == e.eventID {
			return
		}
	}
	i := len(a.stages)
	for i > 0 && a.stages[i-1].at.After(e.at) {
		i--
	}
	a.stages = slices.Insert(a.stages, i, e)
	if len(a.stages) > maxStageHistory {
		a.stages = slices.Delete(a.stages, 0, len(a.stages)-maxStageHistory)
	}
}

// stageBefore returns the stage the application was in before it reached (toID, toName) at
// time at: the newest entry at or before at, from another event, in a different stage. nil when
// nothing is known.
func (s *state) stageBefore(appID string, at time.Time, eventID, toID, toName string) *stageEntry {
	a := s.apps[appID]
	if a == nil {
		return nil
	}
	for i := len(a.stages) - 1; i >= 0; i-- {
		e := a.stages[i]
		if e.at.After(at) || e.eventID == eventID || sameStage(e, toID, toName) {
			continue
		}
		return &e
	}
	return nil
}

func sameStage(e stageEntry, id, name string) bool {
	if e.id != "" && id != "" {
		return e.id == id
	}
	return e.name == name
}

// candidateOf is the candidate an application belongs to, following merges to the survivor.
func (s *state) candidateOf(appID string) string {
	a := s.apps[appID]
	if a == nil {
		return ""
	}
	return s.survivor(a.candidateID)
}

func (s *state) survivor(id string) string {
	for range maxMergeHops {
		next, ok := s.merges[id]
		if !ok {
			break
		}
		id = next
	}
	return id
}

func (s *state) jobIDOf(appID string) string {
	if a := s.apps[appID]; a != nil {
		return a.jobID
	}
	return ""
}

// jobSnapshot returns a copy of what is known about the job of an application: the
// application's own snapshot when it is for jobID (or jobID is unknown), else the job's newest
// snapshot. nil when nothing is known.
func (s *state) jobSnapshot(appID, jobID string) *schemas.Job {
	if a := s.apps[appID]; a != nil && a.job != nil && (jobID == "" || a.job.JobID == jobID) {
		j := *a.job
		return &j
	}
	if js, ok := s.jobs[jobID]; ok && jobID != "" {
		j := js.job
		return &j
	}
	return nil
}

// mergeJob copies src's non-empty fields into dst; with overwrite false it only fills dst's
// empty fields. Both describe the same job.
func mergeJob(dst, src *schemas.Job, overwrite bool) {
	set := func(d *string, v string) {
		if v != "" && (overwrite || *d == "") {
			*d = v
		}
	}
	set(&dst.JobID, src.JobID)
	set(&dst.Title, src.Title)
	set(&dst.RequisitionID, src.RequisitionID)
	set(&dst.DepartmentID, src.DepartmentID)
	set(&dst.Department, src.Department)
	set(&dst.OfficeID, src.OfficeID)
	set(&dst.Office, src.Office)
	set(&dst.Location, src.Location)
	set(&dst.HiringManagerID, src.HiringManagerID)
	set(&dst.RecruiterID, src.RecruiterID)
}
