// Package dashboards holds the SQL behind every recruiting metric (queries/<name>.sql, embedded)
// and the one way to expand it, shared by the dashboard server, Grafana's test, the golden tests
// and the chDB portability harness.
//
// A query file refers to tables as {db}.<table> and to filters only as the named parameters
// @from and @to (DateTime, always bound) and @job_id, @department, @source_channel (String,
// ” = no filter). Render binds them with clickhouse-go's named parameters; Literal writes them
// into the text (for engines without client-side binding, such as chDB). Both produce the same
// literals: toDateTime('YYYY-MM-DD hh:mm:ss', 'UTC') and '...' with \ ' and NUL escaped.
//
// The SQL runs unchanged on ClickHouse 18.16 and on current releases (see DESIGN.md and
// dashboards/README.md, which defines every metric, its columns and its filters).
package dashboards

import (
	"embed"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"

	ch "github.com/ClickHouse/clickhouse-go/v2"
)

//go:embed queries/*.sql
var queryFS embed.FS

// Metric is one metric: its name (the file name without .sql), the columns its SQL returns,
// in order, and the SQL with {db} and @parameters still in it.
type Metric struct {
	Name    string
	Title   string
	Columns []string
	SQL     string
}

// metricSpecs is the order the dashboard shows the metrics in.
var metricSpecs = []Metric{
	{Name: "source-attribution", Title: "Source-to-hire attribution",
		Columns: []string{"source_channel", "applications", "offers", "hires", "hire_rate"}},
	{Name: "time-in-stage", Title: "Time in stage",
		Columns: []string{"stage", "transitions", "median_seconds", "p90_seconds", "open_now"}},
	{Name: "offer-acceptance", Title: "Offer acceptance",
		Columns: []string{"offers_extended", "accepted", "declined", "acceptance_rate"}},
	{Name: "stage-dropoff", Title: "Drop-off by stage",
		Columns: []string{"stage", "entered", "advanced", "dropped", "dropoff_rate"}},
	{Name: "time-to-hire", Title: "Time to hire",
		Columns: []string{"department", "job_id", "hires", "median_days", "p90_days"}},
	{Name: "hris-sync-error-rate", Title: "HRIS sync error rate",
		Columns: []string{"target", "candidates_synced", "candidates_failed", "error_rate"}},
}

var metrics = func() []Metric {
	out := make([]Metric, len(metricSpecs))
	for i, m := range metricSpecs {
		b, err := queryFS.ReadFile("queries/" + m.Name + ".sql")
		if err != nil {
			panic(fmt.Sprintf("dashboards: %s.sql is not embedded: %v", m.Name, err))
		}
		m.SQL = string(b)
		out[i] = m
	}
	return out
}()

// Metrics returns every metric, in dashboard order. The slice is a copy.
func Metrics() []Metric {
	out := make([]Metric, len(metrics))
	copy(out, metrics)
	return out
}

// Lookup returns the metric called name.
func Lookup(name string) (Metric, bool) {
	for _, m := range metrics {
		if m.Name == name {
			return m, true
		}
	}
	return Metric{}, false
}

// Filters narrow every metric. The zero value of a string field means "no filter".
type Filters struct {
	// From and To bound the metric's event time: From <= t < To (UTC, whole seconds).
	From, To time.Time
	// JobID, Department and SourceChannel keep only matching applications; "" keeps all.
	JobID, Department, SourceChannel string
}

// Default bounds: the whole range a ClickHouse DateTime can hold (18.16 prints the zero date
// differently from current releases, so the lower bound is one second after the epoch).
var (
	DefaultFrom = time.Date(1970, 1, 1, 0, 0, 1, 0, time.UTC)
	DefaultTo   = time.Date(2105, 12, 31, 0, 0, 0, 0, time.UTC)
)

// DefaultFilters is no filter at all.
func DefaultFilters() Filters { return Filters{From: DefaultFrom, To: DefaultTo} }

// FilterParams are the query-string names ParseFilters reads (also the SQL parameter names).
var FilterParams = []string{"from", "to", "job_id", "department", "source_channel"}

// maxFilterLen bounds a string filter: ids and names are short.
const maxFilterLen = 200

// ParseFilters reads from, to, job_id, department and source_channel from q. Times are
// RFC 3339, "YYYY-MM-DD hh:mm:ss" (UTC) or "YYYY-MM-DD" (midnight UTC); missing ones take the
// defaults. The error says which parameter is wrong and why (fit for a 400 answer).
func ParseFilters(q url.Values) (Filters, error) {
	f := DefaultFilters()
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		v := strings.TrimSpace(q.Get(p.name))
		if v == "" {
			continue
		}
		t, err := parseTime(v)
		if err != nil {
			return Filters{}, fmt.Errorf("%s: %q is not a time (use RFC 3339, YYYY-MM-DD hh:mm:ss or YYYY-MM-DD)", p.name, v)
		}
		*p.dst = t
	}
	for _, p := range []struct {
		name string
		dst  *string
	}{{"job_id", &f.JobID}, {"department", &f.Department}, {"source_channel", &f.SourceChannel}} {
		*p.dst = strings.TrimSpace(q.Get(p.name))
	}
	return f, f.Validate()
}

func parseTime(v string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, time.DateTime, time.DateOnly} {
		if t, err := time.ParseInLocation(layout, v, time.UTC); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("not a time")
}

// Validate checks that the bounds fit a ClickHouse DateTime and are in order, and that the
// string filters are short and printable.
func (f Filters) Validate() error {
	lo, hi := time.Unix(0, 0).UTC(), time.Date(2105, 12, 31, 23, 59, 59, 0, time.UTC)
	for _, p := range []struct {
		name string
		t    time.Time
	}{{"from", f.From}, {"to", f.To}} {
		if p.t.Before(lo) || p.t.After(hi) {
			return fmt.Errorf("%s: %s is outside 1970-01-01 .. 2105-12-31", p.name, p.t.Format(time.RFC3339))
		}
	}
	if !f.From.Before(f.To) {
		return fmt.Errorf("from: %s is not before to %s", f.From.Format(time.RFC3339), f.To.Format(time.RFC3339))
	}
	for _, p := range []struct{ name, v string }{{"job_id", f.JobID}, {"department", f.Department}, {"source_channel", f.SourceChannel}} {
		if len(p.v) > maxFilterLen {
			return fmt.Errorf("%s: longer than %d bytes", p.name, maxFilterLen)
		}
		for _, r := range p.v {
			if !unicode.IsPrint(r) {
				return fmt.Errorf("%s: contains a control character", p.name)
			}
		}
	}
	return nil
}

// values are the parameters in SQL order of FilterParams, as Go values.
func (f Filters) values() map[string]any {
	return map[string]any{
		"from": f.From.UTC().Truncate(time.Second), "to": f.To.UTC().Truncate(time.Second),
		"job_id": f.JobID, "department": f.Department, "source_channel": f.SourceChannel,
	}
}

// Render returns sql with {db} replaced by the database and the filters as clickhouse-go
// named arguments (clickhouse.Named), to pass to conn.Query(ctx, sql, args...).
func Render(sql, db string, f Filters) (string, []any) {
	vals := f.values()
	args := make([]any, 0, len(FilterParams))
	for _, name := range FilterParams {
		args = append(args, ch.Named(name, vals[name]))
	}
	return withDB(sql, db), args
}

// Literal returns sql with {db} replaced and every @parameter written as a literal, for
// engines that do not bind parameters on the client (chDB, clickhouse-client).
func Literal(sql, db string, f Filters) string {
	vals := f.values()
	lit := map[string]string{}
	for name, v := range vals {
		switch v := v.(type) {
		case time.Time:
			lit[name] = "toDateTime('" + v.Format(time.DateTime) + "', 'UTC')"
		case string:
			lit[name] = Quote(v)
		}
	}
	return replaceParams(withDB(sql, db), lit)
}

// Quote is a ClickHouse string literal of s (the escaping clickhouse-go's binding uses).
func Quote(s string) string { return "'" + quoteReplacer.Replace(s) + "'" }

var quoteReplacer = strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\x00", `\0`)

func withDB(sql, db string) string {
	return strings.ReplaceAll(sql, "{db}", "`"+strings.ReplaceAll(db, "`", "")+"`")
}

// replaceParams substitutes the literals in lit for their @name parameters.
func replaceParams(sql string, lit map[string]string) string {
	return SubstituteParams(sql, func(name string) (string, bool) {
		v, ok := lit[name]
		return v, ok
	})
}

// SubstituteParams replaces each @name, and the {db} placeholder (passed to sub as "{db}"),
// outside string literals, quoted identifiers and comments with sub(name); whatever sub
// declines (false) is left as it is. The dashboard server, the chDB harness and the Grafana
// generator all expand the SQL files through it.
func SubstituteParams(sql string, sub func(name string) (string, bool)) string {
	var b strings.Builder
	for i := 0; i < len(sql); i++ {
		c := sql[i]
		switch {
		case c == '\'' || c == '`' || c == '"':
			j := i + 1
			for j < len(sql) && sql[j] != c {
				if sql[j] == '\\' {
					j++
				}
				j++
			}
			end := min(j+1, len(sql))
			b.WriteString(sql[i:end])
			i = end - 1
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			j := strings.IndexByte(sql[i:], '\n')
			if j < 0 {
				j = len(sql) - i
			}
			b.WriteString(sql[i : i+j])
			i += j - 1
		case strings.HasPrefix(sql[i:], "{db}"):
			if v, ok := sub("{db}"); ok {
				b.WriteString(v)
			} else {
				b.WriteString("{db}")
			}
			i += len("{db}") - 1
		case c == '@':
			j := i + 1
			for j < len(sql) && (sql[j] == '_' || sql[j] >= 'a' && sql[j] <= 'z' || sql[j] >= 'A' && sql[j] <= 'Z' || sql[j] >= '0' && sql[j] <= '9') {
				j++
			}
			if v, ok := sub(sql[i+1 : j]); ok {
				b.WriteString(v)
				i = j - 1
			} else {
				b.WriteByte(c)
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
