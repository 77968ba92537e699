package dashboard

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"time"
)

// Freshness is the body of /api/freshness. Times are RFC3339 in UTC, null while
// candidate_events is empty.
type Freshness struct {
	// NewestEventAt is the latest occurred_at (ATS time) of any event.
	NewestEventAt *string `json:"newest_event_at"`
	// LastRecordedAt is the latest recorded_at (when hirestream captured an event).
	LastRecordedAt *string `json:"last_recorded_at"`
	// LastInsertedAt is when the sink last wrote a row; it changes whenever new data lands.
	LastInsertedAt *string `json:"last_inserted_at"`
	// ServerTime is the dashboard's clock, so the page can say "12 s ago" without trusting its own.
	ServerTime string `json:"server_time"`
}

func (s *Server) table(name string) string {
	return "`" + strings.ReplaceAll(s.cfg.Database, "`", "") + "`." + name
}

func (s *Server) handleFreshness(r *http.Request) (int, any) {
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.QueryTimeout)
	defer cancel()
	start := time.Now()
	// No FINAL: a duplicate changes neither max.
	q := "SELECT count(), max(occurred_at), max(recorded_at), max(inserted_at) FROM " + s.table("candidate_events")
	var n uint64
	var occ, rec, ins time.Time
	err := s.conn.QueryRow(ctx, q).Scan(&n, &occ, &rec, &ins)
	s.duration.WithLabelValues("freshness").Observe(time.Since(start).Seconds())
	if err != nil {
		return s.queryError(r.Context(), "freshness", err)
	}
	f := Freshness{ServerTime: s.cfg.Now().UTC().Format(time.RFC3339)}
	if n > 0 {
		f.NewestEventAt, f.LastRecordedAt, f.LastInsertedAt = rfc3339(occ), rfc3339(rec), rfc3339(ins)
	}
	return http.StatusOK, f
}

func rfc3339(t time.Time) *string {
	if t.Unix() <= 0 { // 18.16's zero DateTime
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

// Job is one entry of the job filter.
type Job struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	Department string `json:"department"`
}

// FilterOptions is the body of /api/filters: what the page's filter lists offer.
type FilterOptions struct {
	Jobs           []Job    `json:"jobs"`
	Departments    []string `json:"departments"`
	SourceChannels []string `json:"source_channels"`
}

// filtersTTL: the lists scan candidate_events (millions of rows in production), and new jobs
// and channels are rare, so an answer is reused this long.
const filtersTTL = 30 * time.Second

func (s *Server) handleFilters(r *http.Request) (int, any) {
	s.filtersMu.Lock()
	defer s.filtersMu.Unlock()
	if s.filters != nil && s.cfg.Now().Sub(s.filtersAt) < filtersTTL {
		return http.StatusOK, s.filters
	}
	code, body := s.queryFilters(r)
	if out, ok := body.(*FilterOptions); ok && code == http.StatusOK {
		s.filters, s.filtersAt = out, s.cfg.Now()
	}
	return code, body
}

func (s *Server) queryFilters(r *http.Request) (int, any) {
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.QueryTimeout)
	defer cancel()
	start := time.Now()
	defer func() { s.duration.WithLabelValues("filters").Observe(time.Since(start).Seconds()) }()
	out := &FilterOptions{Jobs: []Job{}, Departments: []string{}, SourceChannels: []string{}}
	// A job's latest non-empty title and department (events about offers or stages may carry none).
	rows, err := s.conn.Query(ctx, "SELECT job_id, argMaxIf(job_title, occurred_at, job_title != ''), "+
		"argMaxIf(department, occurred_at, department != '') FROM "+s.table("candidate_events")+
		" WHERE job_id != '' GROUP BY job_id")
	if err != nil {
		return s.queryError(r.Context(), "filters", err)
	}
	for rows.Next() {
		var j Job
		if err := rows.Scan(&j.ID, &j.Title, &j.Department); err != nil {
			rows.Close()
			return s.queryError(r.Context(), "filters", err)
		}
		out.Jobs = append(out.Jobs, j)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return s.queryError(r.Context(), "filters", err)
	}
	sort.Slice(out.Jobs, func(a, b int) bool {
		ja, jb := out.Jobs[a], out.Jobs[b]
		if ja.Department != jb.Department {
			return ja.Department < jb.Department
		}
		if ja.Title != jb.Title {
			return ja.Title < jb.Title
		}
		return ja.ID < jb.ID
	})
	err = s.conn.QueryRow(ctx, "SELECT arraySort(groupUniqArrayIf(department, department != '')), "+
		"arraySort(groupUniqArrayIf(source_channel, source_channel != '')) FROM "+s.table("candidate_events")).
		Scan(&out.Departments, &out.SourceChannels)
	if err != nil {
		return s.queryError(r.Context(), "filters", err)
	}
	return http.StatusOK, out
}
