package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/hirestream/hirestream/dashboards"
	"github.com/hirestream/hirestream/internal/dashboard"
	"github.com/hirestream/hirestream/internal/pipeline"
	"github.com/hirestream/hirestream/internal/stream"
	"github.com/hirestream/hirestream/internal/testkit"
	"github.com/hirestream/hirestream/schemas"
	chsink "github.com/hirestream/hirestream/sinks/clickhouse"
)

// Result is a metric's answer: its columns and rows, values normalised (numbers as their
// shortest decimal text, NULL as nil) so the two engines and the hand-written expectations
// compare exactly.
type Result struct {
	Columns []string `json:"columns"`
	Rows    [][]any  `json:"rows"`
}

// normalise turns a scanned or JSON-decoded value into string / nil.
func normalise(v any) any {
	rv := reflect.ValueOf(v)
	for rv.IsValid() && (rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface) {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	if !rv.IsValid() {
		return nil
	}
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(rv.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(rv.Float(), 'f', -1, 64)
	case reflect.String:
		return rv.String()
	}
	if t, ok := rv.Interface().(time.Time); ok {
		return t.UTC().Format(time.DateTime)
	}
	return fmt.Sprint(rv.Interface())
}

// normaliseJSON normalises a value read from JSON: numbers (or number strings, as engines
// quote 64-bit integers) become their shortest decimal text.
func normaliseJSON(v any, numeric bool) any {
	switch x := v.(type) {
	case nil:
		return nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		f, _ := x.Float64()
		return strconv.FormatFloat(f, 'f', -1, 64)
	case string:
		if numeric {
			if f, err := strconv.ParseFloat(x, 64); err == nil {
				return strconv.FormatFloat(f, 'f', -1, 64)
			}
		}
		return x
	}
	return fmt.Sprint(v)
}

// numericColumns are the metric columns that hold numbers (everything but names and ids).
func numericColumn(c string) bool {
	switch c {
	case "source_channel", "stage", "department", "job_id", "target":
		return false
	}
	return true
}

// runMetric runs m on ClickHouse through the dashboards package, as the dashboard does.
func runMetric(t *testing.T, conn driver.Conn, db string, m dashboards.Metric, f dashboards.Filters) Result {
	t.Helper()
	sql, args := dashboards.Render(m.SQL, db, f)
	rows, err := conn.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", m.Name, err)
	}
	defer rows.Close()
	res := Result{Columns: rows.Columns(), Rows: [][]any{}}
	types := rows.ColumnTypes()
	for rows.Next() {
		vals := make([]any, len(types))
		for i, ct := range types {
			vals[i] = reflect.New(ct.ScanType()).Interface()
		}
		if err := rows.Scan(vals...); err != nil {
			t.Fatalf("%s: %v", m.Name, err)
		}
		row := make([]any, len(vals))
		for i, v := range vals {
			row[i] = normalise(v)
		}
		res.Rows = append(res.Rows, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", m.Name, err)
	}
	return res
}

// expectation is one hand-written answer: a metric under some filters.
type expectation struct {
	Metric  string            `json:"metric"`
	Filters map[string]string `json:"filters,omitempty"`
	Result
}

func (x expectation) filters(t *testing.T) dashboards.Filters {
	q := url.Values{}
	for k, v := range x.Filters {
		q.Set(k, v)
	}
	f, err := dashboards.ParseFilters(q)
	if err != nil {
		t.Fatalf("%s %v: %v", x.Metric, x.Filters, err)
	}
	return f
}

func (x expectation) String() string {
	if len(x.Filters) == 0 {
		return x.Metric
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range x.Filters {
			if !yield(k) {
				return
			}
		}
	})
	var parts []string
	for _, k := range keys {
		parts = append(parts, k+"="+x.Filters[k])
	}
	return x.Metric + "?" + strings.Join(parts, "&")
}

// loadExpectations reads expected/<metric>.json (no filters) and expected/filtered.json.
func loadExpectations(t *testing.T) []expectation {
	t.Helper()
	var out []expectation
	for _, m := range dashboards.Metrics() {
		b, err := os.ReadFile(expectedDir + m.Name + ".json")
		if err != nil {
			t.Fatalf("every metric needs a hand-written expectation: %v", err)
		}
		var r Result
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatalf("%s.json: %v", m.Name, err)
		}
		out = append(out, expectation{Metric: m.Name, Result: r})
	}
	b, err := os.ReadFile(expectedDir + "filtered.json")
	if err != nil {
		t.Fatal(err)
	}
	var filtered []expectation
	if err := json.Unmarshal(b, &filtered); err != nil {
		t.Fatalf("filtered.json: %v", err)
	}
	out = append(out, filtered...)
	for i := range out {
		m, ok := dashboards.Lookup(out[i].Metric)
		if !ok {
			t.Fatalf("expectation for unknown metric %s", out[i].Metric)
		}
		if !slices.Equal(out[i].Columns, m.Columns) {
			t.Fatalf("%s: expected columns %v, the metric declares %v", out[i], out[i].Columns, m.Columns)
		}
		for _, r := range out[i].Rows {
			for j := range r {
				r[j] = normaliseJSON(r[j], numericColumn(m.Columns[j]))
			}
		}
	}
	return out
}

func same(a, b Result) bool {
	return slices.Equal(a.Columns, b.Columns) && reflect.DeepEqual(a.Rows, b.Rows)
}

func show(r Result) string {
	b, _ := json.Marshal(r)
	return string(b)
}

// countingSink is the production EventSink (writer + analytics) counting the events it landed.
type countingSink struct {
	pipeline.EventSink
	landed atomic.Int64
}

func (s *countingSink) WriteBatch(ctx context.Context, recs []stream.Record) (map[int]error, error) {
	rej, err := s.EventSink.WriteBatch(ctx, recs)
	if err == nil {
		s.landed.Add(int64(len(recs)))
	}
	return rej, err
}

// hrisOutcome is one row the HRIS sync processor's outcomes put in hris_syncs.
type hrisOutcome struct {
	id, typ, cand, target string
	at                    time.Time
}

// fixtureHRIS: the HRIS sync outcomes of the fixture. bamboohr synced 8 candidates (C02 after a failed try, C04 reported twice) and
// failed 2 (C03 once, C09 twice); workday synced C01 and failed C02.
func fixtureHRIS() []hrisOutcome {
	at := func(d int) time.Time { return fxTime(fmt.Sprintf("d%d", d)).Add(time.Hour) }
	ok, fail := string(schemas.TypeHRISSyncSucceeded), string(schemas.TypeHRISSyncFailed)
	c := func(s string) string { return strconv.FormatInt(fxCandID(s), 10) }
	return []hrisOutcome{
		{"h01", ok, c("C01"), "bamboohr", at(12)},
		{"h02", fail, c("C02"), "bamboohr", at(14)},
		{"h03", ok, c("C02"), "bamboohr", at(15)},
		{"h04", fail, c("C03"), "bamboohr", at(11)},
		{"h05", ok, c("C04"), "bamboohr", at(15)},
		{"h05", ok, c("C04"), "bamboohr", at(15)},
		{"h06", ok, c("C05"), "bamboohr", at(13)},
		{"h07", ok, c("C06"), "bamboohr", at(20)},
		{"h08", fail, c("C09"), "bamboohr", at(15)},
		{"h09", fail, c("C09"), "bamboohr", at(16)},
		{"h10", ok, c("C21"), "bamboohr", at(14)},
		{"h11", ok, c("C27"), "bamboohr", at(11)},
		{"h12", ok, c("C44"), "bamboohr", at(16)},
		{"h13", ok, c("C01"), "workday", at(12)},
		{"h14", fail, c("C02"), "workday", at(14)},
	}
}

// ensureHRIS checks that hris_syncs (migration 002, the HRIS sync processor's table) is there.
func ensureHRIS(t testing.TB, conn driver.Conn, db string) {
	t.Helper()
	var n uint64
	if err := conn.QueryRow(context.Background(), "SELECT count() FROM system.tables WHERE database = '"+db+"' AND name = 'hris_syncs'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatalf("%s.hris_syncs does not exist: migration 002 should have created it", db)
	}
}

// publishHRIS publishes the fixture's HRIS outcomes on the hris-sync topic (as the HRIS sync
// processor does; h05 twice, as a re-publish after a crash) for the sink's second consumer.
func publishHRIS(t *testing.T, e *env) int {
	t.Helper()
	var evs []schemas.Event
	for _, o := range fixtureHRIS() {
		p := &schemas.HRISSync{Target: o.target, EmployeeID: "emp-" + o.cand, Attempts: 1}
		if o.typ == string(schemas.TypeHRISSyncFailed) {
			p.EmployeeID, p.Error = "", "HRIS answered 422"
		}
		// The fixture's candidate Cnn was hired through application Ann.
		app := strconv.FormatInt(fxAppID("A"+strings.TrimPrefix(o.cand, "6101000")), 10)
		evs = append(evs, schemas.Event{ID: o.id, Type: schemas.EventType(o.typ), OccurredAt: o.at, RecordedAt: o.at,
			SourceSystem: "hirestream", CandidateID: o.cand, ApplicationID: app, Payload: p})
	}
	pub := e.pe.Producer()
	defer pub.Close()
	if err := pub.Publish(context.Background(), evs...); err != nil {
		t.Fatal(err)
	}
	return len(evs)
}

// copyHRIS copies hris_syncs from one database to another (a replay of the candidate topic does
// not touch it).
func copyHRIS(t *testing.T, conn driver.Conn, from, to string) {
	t.Helper()
	ensureHRIS(t, conn, to)
	if err := conn.Exec(context.Background(), "INSERT INTO "+to+".hris_syncs (event_id, event_type, occurred_at, candidate_id, application_id, target) "+
		"SELECT event_id, event_type, occurred_at, candidate_id, application_id, target FROM "+from+".hris_syncs"); err != nil {
		t.Fatal(err)
	}
}

// modelCheck is a hand-worked question about the model's views themselves (applications,
// stage_intervals), asked on both engines: every value is selected as text.
type modelCheck struct {
	name, sql string
	want      [][]string
}

var modelChecks = []modelCheck{
	{"statuses", "SELECT toString(status) AS s, toString(count()) FROM {db}.applications GROUP BY s ORDER BY s",
		[][]string{{"active", "13"}, {"deleted", "4"}, {"hired", "10"}, {"rejected", "12"}, {"withdrawn", "5"}}},
	{"A22 backward moves", stintsOf("880100022"), [][]string{{"1", "Application Review", "advanced", "86400"},
		{"2", "Phone Screen", "advanced", "172800"}, {"3", "Technical Interview", "moved_back", "86400"},
		{"4", "Phone Screen", "advanced", "86400"}, {"5", "Technical Interview", "advanced", "259200"}, {"6", "Onsite", "", "NULL"}}},
	{"A39 hired, unhired, withdrawn", stintsOf("880100039"), [][]string{{"1", "Application Review", "advanced", "86400"},
		{"2", "Phone Screen", "advanced", "172800"}, {"3", "Technical Interview", "advanced", "259200"},
		{"4", "Onsite", "advanced", "345600"}, {"5", "Offer", "hired", "172800"}, {"6", "Offer", "withdrawn", "86400"}}},
	{"A20 rejected, unrejected, rejected", stintsOf("880100020"), [][]string{{"1", "Application Review", "rejected", "86400"},
		{"2", "Application Review", "advanced", "86400"}, {"3", "Phone Screen", "rejected", "172800"}}},
	{"merged and deleted", "SELECT application_id, candidate_id, toString(status), current_stage FROM {db}.applications " +
		"WHERE application_id IN ('880100031', '880100032', '880100036', '880100038') ORDER BY application_id",
		[][]string{{"880100031", "610100030", "deleted", "Application Review"}, {"880100032", "610100033", "active", "Technical Interview"},
			{"880100036", "610100036", "deleted", "Application Review"}, {"880100038", "610100038", "active", "Application Review"}}},
	{"A01 days to hire", "SELECT toString(days_to_hire), toString(time_to_hire_seconds), toString(has_offer) FROM {db}.applications " +
		"WHERE application_id = '880100001'", [][]string{{"12", "1036800", "1"}}},
}

func stintsOf(app string) string {
	return "SELECT toString(stint_no), stage, toString(exit_kind), ifNull(toString(duration_seconds), 'NULL') FROM {db}.stage_intervals " +
		"WHERE application_id = '" + app + "' ORDER BY stint_no"
}

// checkModel asks the model checks on 18.16.
func checkModel(t *testing.T, label string, conn driver.Conn, db string) {
	t.Helper()
	for _, c := range modelChecks {
		rows, err := conn.Query(context.Background(), strings.ReplaceAll(c.sql, "{db}", db))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got := [][]string{}
		for rows.Next() {
			vals := make([]string, len(c.want[0]))
			ptrs := make([]any, len(vals))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			got = append(got, vals)
		}
		rows.Close()
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: model check %s =\n %q\nwant\n %q", label, c.name, got, c.want)
		}
	}
}

// TestAnalytics_Golden posts the fixture's webhooks through the real pipeline (ingest handler,
// Kafka, normalizer, sink with the analytics projection, ClickHouse) and compares every metric,
// unfiltered and filtered, with the hand-written expectations; then replays the log into a
// fresh database and into the same one, and runs the same DDL and queries on chDB.
func TestAnalytics_Golden(t *testing.T) {
	deliveries := fixtureDeliveries(t)
	expectations := loadExpectations(t)
	e := newEnv(t)
	e.startNormalizer()
	sink := &countingSink{EventSink: pipeline.EventSink{W: chsink.NewWriter(e.conn, e.db)}}
	sink.A = sink.W.Analytics()
	e.startSink(sink, 40, 100*time.Millisecond)
	e.start("hris sink", func(ctx context.Context) error {
		return pipeline.RunHRISSyncSink(ctx, e.pe, chsink.NewHRISSyncWriter(e.conn, e.db), 40, 100*time.Millisecond)
	})
	hris := publishHRIS(t, e)

	total := 0
	for _, d := range deliveries {
		for range d.Copies {
			if code, resp := e.post(d.Body, d.EventID, sign(d.Body, secret)); code != http.StatusOK {
				t.Fatalf("fixture line %d answered %d %s", d.Line, code, resp)
			}
			total++
		}
	}
	testkit.Eventually(t, 90*time.Second, func() (bool, string) {
		n, landed := e.topicSize(schemas.TopicCandidateEvents), sink.landed.Load()
		return n == int64(total) && landed == int64(total), fmt.Sprintf("%d canonical events, %d landed, of %d deliveries", n, landed, total)
	})
	testkit.Eventually(t, 60*time.Second, func() (bool, string) {
		var n uint64
		_ = e.conn.QueryRow(context.Background(), "SELECT count() FROM "+e.db+".hris_syncs").Scan(&n)
		return n == uint64(hris), fmt.Sprintf("%d of %d HRIS outcomes in hris_syncs", n, hris)
	})

	check := func(label string, conn driver.Conn, db string) {
		t.Helper()
		for _, x := range expectations {
			m, _ := dashboards.Lookup(x.Metric)
			if got := runMetric(t, conn, db, m, x.filters(t)); !same(got, x.Result) {
				t.Errorf("%s: %s =\n %s\nwant\n %s", label, x, show(got), show(x.Result))
			}
		}
	}
	check("18.16 live", e.conn, e.db)
	checkModel(t, "18.16 live", e.conn, e.db)
	if t.Failed() {
		return
	}

	// The model is rebuilt exactly by a replay: into a fresh database, and into the same one.
	conn2, db2 := testkit.Database(t, testkit.ClickHouseAddr(t))
	if _, err := pipeline.Replay(context.Background(), e.pe, chsink.NewWriter(conn2, db2), time.Time{}, 25, io.Discard); err != nil {
		t.Fatal(err)
	}
	copyHRIS(t, e.conn, e.db, db2)
	check("18.16 replayed into a fresh database", conn2, db2)
	if _, err := pipeline.Replay(context.Background(), e.pe, chsink.NewWriter(e.conn, e.db), time.Time{}, 1000, io.Discard); err != nil {
		t.Fatal(err)
	}
	check("18.16 after a second replay", e.conn, e.db)

	// The current engine: the same DDL, the exported rows, every query, the same expectations.
	checkChDB(t, e.conn, e.db, expectations)
}

// --- chDB ------------------------------------------------------------------------------

// chdbTables are the tables the metrics read, exported from 18.16 into chDB.
var chdbTables = []string{"application_state", "stage_names", "application_dims", "hris_syncs"}

// checkChDB runs the migrations' DDL and every expectation's query on chDB (ClickHouse 26.x
// in-process, Python package chdb) over the rows exported from db, and compares the results.
func checkChDB(t *testing.T, conn driver.Conn, db string, expectations []expectation) {
	t.Helper()
	py := os.Getenv("HIRESTREAM_PYTHON")
	if py == "" {
		if testkit.Required() {
			t.Fatalf("HIRESTREAM_PYTHON is not set (deploy/local/infra.sh deps installs chdb in .local/venv)")
		}
		t.Skip("HIRESTREAM_PYTHON is not set: the chDB half of the golden test needs Python with chdb")
	}
	if !filepath.IsAbs(py) {
		t.Fatalf("HIRESTREAM_PYTHON=%q must be an absolute path", py)
	}
	const chdb = "hs"
	job := chdbJob{}
	ms, err := chsink.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		for _, st := range m.Statements {
			job.Setup = append(job.Setup, strings.ReplaceAll(st, "{db}", "`"+chdb+"`"))
		}
	}
	for _, table := range chdbTables {
		job.Setup = append(job.Setup, exportInserts(t, conn, db, chdb, table)...)
	}
	for i, x := range expectations {
		m, _ := dashboards.Lookup(x.Metric)
		job.Queries = append(job.Queries, chdbQuery{ID: strconv.Itoa(i), SQL: dashboards.Literal(m.SQL, chdb, x.filters(t))})
	}
	for i, c := range modelChecks {
		job.Queries = append(job.Queries, chdbQuery{ID: "model-" + strconv.Itoa(i), SQL: strings.ReplaceAll(c.sql, "{db}", "`"+chdb+"`")})
	}
	in, _ := json.Marshal(job)
	cmd := exec.Command(py, "../../dashboards/testdata/chdb_harness.py")
	cmd.Stdin = strings.NewReader(string(in))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chDB harness: %v", err)
	}
	var res chdbResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("chDB harness output: %v\n%s", err, out)
	}
	t.Logf("chDB %s (ClickHouse %s)", res.ChDBVersion, res.EngineVersion)
	if !strings.HasPrefix(res.EngineVersion, "2") {
		t.Errorf("chDB runs ClickHouse %s, want a current (2x.y) engine", res.EngineVersion)
	}
	for i, x := range expectations {
		m, _ := dashboards.Lookup(x.Metric)
		r, ok := res.Results[strconv.Itoa(i)]
		if !ok {
			t.Errorf("chDB: no result for %s", x)
			continue
		}
		got := Result{Columns: r.Columns, Rows: [][]any{}}
		for _, row := range r.Rows {
			out := make([]any, len(row))
			for j, v := range row {
				out[j] = normaliseJSON(v, numericColumn(m.Columns[j]))
			}
			got.Rows = append(got.Rows, out)
		}
		if !same(got, x.Result) {
			t.Errorf("chDB: %s =\n %s\nwant\n %s", x, show(got), show(x.Result))
		}
	}
	for i, c := range modelChecks {
		r := res.Results["model-"+strconv.Itoa(i)]
		got := [][]string{}
		for _, row := range r.Rows {
			vals := make([]string, len(row))
			for j, v := range row {
				vals[j] = fmt.Sprint(v)
			}
			got = append(got, vals)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("chDB: model check %s =\n %q\nwant\n %q", c.name, got, c.want)
		}
	}
}

type chdbQuery struct {
	ID  string `json:"id"`
	SQL string `json:"sql"`
}

type chdbJob struct {
	Setup   []string    `json:"setup"`
	Queries []chdbQuery `json:"queries"`
}

type chdbResult struct {
	ChDBVersion   string `json:"chdb_version"`
	EngineVersion string `json:"engine_version"`
	Results       map[string]struct {
		Columns []string `json:"columns"`
		Rows    [][]any  `json:"rows"`
	} `json:"results"`
}

// exportInserts reads every row of db.table (FINAL, as stored) and writes it as INSERT
// statements of SQL literals for database to.
func exportInserts(t *testing.T, conn driver.Conn, db, to, table string) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), "SELECT * FROM "+db+"."+table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols := rows.Columns()
	types := rows.ColumnTypes()
	var values []string
	for rows.Next() {
		vals := make([]any, len(types))
		for i, ct := range types {
			vals[i] = reflect.New(ct.ScanType()).Interface()
		}
		if err := rows.Scan(vals...); err != nil {
			t.Fatal(err)
		}
		lits := make([]string, len(vals))
		for i, v := range vals {
			lits[i] = sqlLiteral(reflect.ValueOf(v).Elem())
		}
		values = append(values, "("+strings.Join(lits, ", ")+")")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var out []string
	for start := 0; start < len(values); start += 200 {
		out = append(out, "INSERT INTO `"+to+"`."+table+" ("+strings.Join(cols, ", ")+") VALUES "+
			strings.Join(values[start:min(start+200, len(values))], ", "))
	}
	return out
}

func sqlLiteral(v reflect.Value) string {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return "NULL"
		}
		v = v.Elem()
	}
	if t, ok := v.Interface().(time.Time); ok {
		return "toDateTime('" + t.UTC().Format(time.DateTime) + "', 'UTC')"
	}
	switch v.Kind() {
	case reflect.String:
		return dashboards.Quote(v.String())
	case reflect.Slice:
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = sqlLiteral(v.Index(i))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	}
	return fmt.Sprint(v.Interface())
}

// TestAnalytics_Freshness: a signed webhook shows up in /api/metrics/source-attribution (the
// dashboard server over the real ClickHouse) with nothing but the running services in between.
func TestAnalytics_Freshness(t *testing.T) {
	e := newEnv(t)
	e.startNormalizer()
	e.start("sink", func(ctx context.Context) error {
		return pipeline.RunSink(ctx, e.pe, chsink.NewWriter(e.conn, e.db), 100, 100*time.Millisecond)
	})
	srv, err := dashboard.New(e.conn, dashboard.Config{Database: e.db, Metrics: dashboards.Metrics()}, nil, e.pe.Log)
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(srv.Handler())
	defer api.Close()
	get := func() dashboard.Result {
		resp, err := http.Get(api.URL + "/api/metrics/source-attribution")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var r dashboard.Result
		if resp.StatusCode != http.StatusOK {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("source-attribution answered %d %s", resp.StatusCode, b)
		}
		if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := get(); len(r.Rows) != 0 {
		t.Fatalf("before any webhook: %v", r.Rows)
	}
	for i, src := range []string{"Employee Referral", "LinkedIn", "Employee Referral"} {
		body := strings.NewReplacer("880019999", strconv.Itoa(880019999+i), "610040001", strconv.Itoa(610040001+i),
			`"name":"Employee Referral"`, `"name":"`+src+`"`).Replace(application)
		if code, resp := e.post([]byte(body), fmt.Sprintf("fresh-%d", i), sign([]byte(body), secret)); code != http.StatusOK {
			t.Fatalf("webhook answered %d %s", code, resp)
		}
	}
	want := `[["referral",2,0,0,0],["job_board",1,0,0,0]]`
	testkit.Eventually(t, 60*time.Second, func() (bool, string) {
		r := get()
		b, _ := json.Marshal(r.Rows)
		return string(b) == want, fmt.Sprintf("source-attribution rows %s, want %s", b, want)
	})
}
