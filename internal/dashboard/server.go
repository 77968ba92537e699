// Package dashboard serves hirestream's recruiting dashboard: a JSON API that runs the metric
// SQL files (dashboards/queries/*.sql) as they are, through dashboards.Render (the page's
// filters become clickhouse-go named parameters), and the embedded web page that draws them.
//
// Routes:
//
//	GET /api/metrics          the metrics (name, title, columns), in page order
//	GET /api/metrics/{name}   {"metric": name, "columns": [...], "rows": [[...], ...]}
//	                          filters: from, to (RFC 3339, YYYY-MM-DD hh:mm:ss or YYYY-MM-DD;
//	                          from <= t < to), job_id, department, source_channel; unknown metric 404, bad filter 400, a table the
//	                          query reads not created yet 503 with "code": "table_missing"
//	GET /api/freshness        the newest event in candidate_events
//	GET /api/filters          jobs, departments and source channels for the filter lists
//	GET /                     the page and its assets (ECharts vendored, no CDN)
//
// Column values keep their ClickHouse types in JSON: integers (UInt64 too) and floats are
// numbers, NaN and infinities null, Decimal exact numbers, DateTime RFC3339 in UTC, Date
// YYYY-MM-DD, arrays arrays. The rows come over the native protocol, so nothing is quoted.
//
// Metrics (Prometheus, on the Registerer given to New):
//
//	hirestream_dashboard_requests_total{route,code}       API requests answered
//	hirestream_dashboard_query_duration_seconds{query}    one ClickHouse query, scan included
package dashboard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/hirestream/hirestream/dashboards"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/shopspring/decimal"
)

// Config is what the server needs besides the connection.
type Config struct {
	// Database holds hirestream's tables.
	Database string
	// Metrics are served in this order (dashboards.Metrics()); each runs its SQL file through
	// dashboards.Render.
	Metrics []dashboards.Metric
	// Web is the page (index.html at its root); nil serves the API only.
	Web fs.FS
	// QueryTimeout bounds one ClickHouse query. Default: 30s.
	QueryTimeout time.Duration
	// Now is the clock for /api/freshness. Default: time.Now.
	Now func() time.Time
}

// Server answers the dashboard's API and serves its page.
type Server struct {
	conn    driver.Conn
	cfg     Config
	metrics map[string]dashboards.Metric
	log     *slog.Logger
	static  *static

	filtersMu sync.Mutex
	filters   *FilterOptions // the last /api/filters answer, reused for filtersTTL
	filtersAt time.Time

	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// New checks cfg and builds the server; register its routes with Register.
func New(conn driver.Conn, cfg Config, reg prometheus.Registerer, log *slog.Logger) (*Server, error) {
	if cfg.QueryTimeout <= 0 {
		cfg.QueryTimeout = 30 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Database == "" {
		return nil, errors.New("dashboard: empty database name")
	}
	s := &Server{conn: conn, cfg: cfg, metrics: map[string]dashboards.Metric{}, log: log.With("component", "dashboard"),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hirestream_dashboard_requests_total",
			Help: "Dashboard API requests answered, by route and HTTP status."}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "hirestream_dashboard_query_duration_seconds",
			Help: "Time of one dashboard ClickHouse query, reading the rows included.", Buckets: prometheus.ExponentialBuckets(0.002, 2, 14)},
			[]string{"query"}),
	}
	for _, m := range cfg.Metrics {
		if m.Name == "" || strings.TrimSpace(m.SQL) == "" {
			return nil, fmt.Errorf("dashboard: metric %q has no SQL", m.Name)
		}
		if _, dup := s.metrics[m.Name]; dup {
			return nil, fmt.Errorf("dashboard: metric %q listed twice", m.Name)
		}
		s.metrics[m.Name] = m
	}
	if reg != nil {
		reg.MustRegister(s.requests, s.duration)
	}
	if cfg.Web != nil {
		st, err := newStatic(cfg.Web)
		if err != nil {
			return nil, err
		}
		s.static = st
	}
	return s, nil
}

// Register adds the dashboard's routes to mux (which may already serve /metrics and /healthz).
func (s *Server) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/metrics", s.api("metrics", s.handleList))
	mux.HandleFunc("GET /api/metrics/{name}", s.api("metric", s.handleMetric))
	mux.HandleFunc("GET /api/freshness", s.api("freshness", s.handleFreshness))
	mux.HandleFunc("GET /api/filters", s.api("filters", s.handleFilters))
	mux.HandleFunc("GET /api/", s.api("other", func(r *http.Request) (int, any) {
		return http.StatusNotFound, errorBody{Error: fmt.Sprintf("no API route %s %s", r.Method, r.URL.Path)}
	}))
	if s.static != nil {
		mux.Handle("GET /", s.static)
	}
}

// Handler is the routes on a fresh mux (for tests and embedding).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.Register(mux)
	return mux
}

// errorBody is every API error: a message, plus the offending filter or a machine-readable code.
type errorBody struct {
	Error     string `json:"error"`
	Code      string `json:"code,omitempty"`
	Parameter string `json:"parameter,omitempty"`
	Value     string `json:"value,omitempty"`
	Expected  string `json:"expected,omitempty"`
	Table     string `json:"table,omitempty"`
	Metric    string `json:"metric,omitempty"`
}

func (s *Server) api(route string, h func(*http.Request) (int, any)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		code, body := h(r)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(code)
		enc := json.NewEncoder(w)
		if err := enc.Encode(body); err != nil {
			s.log.WarnContext(r.Context(), "write response", "route", route, "err", err)
		}
		s.requests.WithLabelValues(route, strconv.Itoa(code)).Inc()
	}
}

// MetricInfo describes one metric in /api/metrics.
type MetricInfo struct {
	Name    string   `json:"name"`
	Title   string   `json:"title"`
	Columns []string `json:"columns"`
}

func (s *Server) handleList(*http.Request) (int, any) {
	out := make([]MetricInfo, len(s.cfg.Metrics))
	for i, m := range s.cfg.Metrics {
		out[i] = MetricInfo{Name: m.Name, Title: m.Title, Columns: m.Columns}
	}
	return http.StatusOK, map[string]any{"metrics": out}
}

// Result is the body of /api/metrics/{name}.
type Result struct {
	Metric  string   `json:"metric"`
	Columns []string `json:"columns"`
	Rows    [][]any  `json:"rows"`
}

func (s *Server) handleMetric(r *http.Request) (int, any) {
	name := r.PathValue("name")
	m, ok := s.metrics[name]
	if !ok {
		return http.StatusNotFound, errorBody{Error: fmt.Sprintf("unknown metric %q; known: %s", name, strings.Join(s.names(), ", ")),
			Code: "unknown_metric", Metric: name}
	}
	f, err := ParseFilters(r.URL.Query())
	if err != nil {
		var fe *FilterError
		if errors.As(err, &fe) {
			return http.StatusBadRequest, errorBody{Error: fe.Error(), Code: "bad_filter", Parameter: fe.Param, Value: fe.Value, Expected: fe.Expected}
		}
		return http.StatusBadRequest, errorBody{Error: err.Error(), Code: "bad_filter"}
	}
	res, err := s.Run(r.Context(), m, f)
	if err != nil {
		return s.queryError(r.Context(), name, err)
	}
	return http.StatusOK, res
}

func (s *Server) names() []string {
	out := make([]string, len(s.cfg.Metrics))
	for i, m := range s.cfg.Metrics {
		out[i] = m.Name
	}
	return out
}

// ClickHouse error codes the API answers specially.
const (
	codeUnknownTable    = 60
	codeUnknownDatabase = 81
)

func (s *Server) queryError(ctx context.Context, metric string, err error) (int, any) {
	var exc *ch.Exception
	if errors.As(err, &exc) && (exc.Code == codeUnknownTable || exc.Code == codeUnknownDatabase) {
		s.log.InfoContext(ctx, "metric reads a table that does not exist yet", "metric", metric, "err", exc.Message)
		return http.StatusServiceUnavailable, errorBody{Error: fmt.Sprintf("metric %s reads a table that does not exist yet (%s); "+
			"run `hirestream migrate` after the release that adds it", metric, exc.Message), Code: "table_missing", Table: missingTable(exc.Message), Metric: metric}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		s.log.ErrorContext(ctx, "metric query timed out", "metric", metric, "timeout", s.cfg.QueryTimeout)
		return http.StatusGatewayTimeout, errorBody{Error: fmt.Sprintf("metric %s: ClickHouse did not answer within %s", metric, s.cfg.QueryTimeout),
			Code: "timeout", Metric: metric}
	}
	s.log.ErrorContext(ctx, "metric query failed", "metric", metric, "err", err)
	return http.StatusBadGateway, errorBody{Error: fmt.Sprintf("metric %s: %v", metric, err), Code: "clickhouse_error", Metric: metric}
}

// missingTable picks "hris_syncs" out of "Table hirestream.hris_syncs doesn't exist.".
func missingTable(msg string) string {
	f := strings.Fields(msg)
	for i, w := range f {
		if (w == "Table" || w == "Database") && i+1 < len(f) {
			name := strings.Trim(f[i+1], "`'\".,")
			if _, t, ok := strings.Cut(name, "."); ok && w == "Table" {
				return strings.Trim(t, "`")
			}
			return name
		}
	}
	return ""
}

// Run executes metric m's SQL file with filters f and reads every row into JSON-ready values.
func (s *Server) Run(ctx context.Context, m dashboards.Metric, f dashboards.Filters) (*Result, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.QueryTimeout)
	defer cancel()
	start := time.Now()
	defer func() { s.duration.WithLabelValues(m.Name).Observe(time.Since(start).Seconds()) }()
	sql, args := dashboards.Render(m.SQL, s.cfg.Database, f)
	rows, err := s.conn.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", m.Name, err)
	}
	defer rows.Close()
	cols := rows.ColumnTypes()
	res := &Result{Metric: m.Name, Columns: make([]string, len(cols)), Rows: [][]any{}}
	types := make([]reflect.Type, len(cols))
	dateOnly := make([]bool, len(cols))
	for i, c := range cols {
		res.Columns[i] = c.Name()
		types[i] = c.ScanType()
		t := c.DatabaseTypeName()
		dateOnly[i] = strings.Contains(t, "Date") && !strings.Contains(t, "DateTime")
	}
	for rows.Next() {
		dest := make([]any, len(cols))
		for i, t := range types {
			dest[i] = reflect.New(t).Interface()
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("scan %s: %w", m.Name, err)
		}
		row := make([]any, len(cols))
		for i, d := range dest {
			row[i] = jsonValue(reflect.ValueOf(d).Elem(), dateOnly[i])
		}
		res.Rows = append(res.Rows, row)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", m.Name, err)
	}
	return res, nil
}

var (
	timeType    = reflect.TypeOf(time.Time{})
	decimalType = reflect.TypeOf(decimal.Decimal{})
)

// jsonValue turns a scanned ClickHouse value into what encoding/json should write; dateOnly
// says the column is a Date (clickhouse-go scans Date and DateTime both into time.Time).
func jsonValue(v reflect.Value, dateOnly bool) any {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return jsonValue(v.Elem(), dateOnly)
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil
		}
		return f
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			return string(v.Bytes()) // FixedString / String scanned as bytes
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = jsonValue(v.Index(i), dateOnly)
		}
		return out
	}
	switch v.Type() {
	case timeType:
		t := v.Interface().(time.Time).UTC()
		if dateOnly {
			return t.Format(time.DateOnly)
		}
		return t.Format(time.RFC3339)
	case decimalType:
		return json.Number(v.Interface().(decimal.Decimal).String())
	}
	if st, ok := v.Interface().(fmt.Stringer); ok && v.Kind() == reflect.Struct {
		return st.String() // UUID, IP and the like
	}
	return v.Interface()
}
