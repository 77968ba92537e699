package dashboards

import (
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestMetrics_OneFilePerMetric(t *testing.T) {
	files, _ := filepath.Glob("queries/*.sql")
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ".sql"))
	}
	var got []string
	for _, m := range Metrics() {
		got = append(got, m.Name)
		if !strings.Contains(m.SQL, "{db}.") {
			t.Errorf("%s: does not name its tables as {db}.<table>", m.Name)
		}
		for _, p := range []string{"@from", "@to"} {
			if !strings.Contains(m.SQL, p) {
				t.Errorf("%s: does not use %s", m.Name, p)
			}
		}
		if len(m.Columns) == 0 || m.Title == "" {
			t.Errorf("%s: no columns or title", m.Name)
		}
	}
	slices.Sort(names)
	slices.Sort(got)
	if !slices.Equal(names, got) {
		t.Fatalf("metrics %v, files %v", got, names)
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range Metrics() {
		if !strings.Contains(string(readme), "### "+m.Name) {
			t.Errorf("README.md does not document %s", m.Name)
		}
		for _, c := range m.Columns {
			if !strings.Contains(string(readme), "`"+c+"`") {
				t.Errorf("README.md does not document column %s of %s", c, m.Name)
			}
		}
	}
}

var param = regexp.MustCompile(`@[a-z_]+`)

func TestLiteral_ReplacesEveryParameter(t *testing.T) {
	f := Filters{From: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), To: DefaultTo, JobID: `4410'087\`, Department: "Platform Engineering"}
	for _, m := range Metrics() {
		sql := Literal(m.SQL, "hs", f)
		if left := param.FindAllString(sql, -1); len(left) > 0 {
			t.Errorf("%s: parameters left: %v", m.Name, left)
		}
		if strings.Contains(sql, "{db}") || !strings.Contains(sql, "`hs`.") {
			t.Errorf("%s: {db} not replaced", m.Name)
		}
		if !strings.Contains(sql, `toDateTime('2026-03-01 00:00:00', 'UTC')`) || !strings.Contains(sql, `'4410\'087\\'`) {
			t.Errorf("%s: literals not as expected:\n%s", m.Name, sql)
		}
	}
	if got := Literal("SELECT '@from' -- @to\n, @from", "d", f); got != "SELECT '@from' -- @to\n, toDateTime('2026-03-01 00:00:00', 'UTC')" {
		t.Errorf("strings and comments must be left alone: %s", got)
	}
}

func TestRender_NamedArguments(t *testing.T) {
	sql, args := Render("SELECT 1 FROM {db}.applications", "x", DefaultFilters())
	if sql != "SELECT 1 FROM `x`.applications" || len(args) != len(FilterParams) {
		t.Fatalf("Render = %q, %d args", sql, len(args))
	}
}

func TestParseFilters(t *testing.T) {
	f, err := ParseFilters(url.Values{"from": {"2026-03-01"}, "to": {"2026-04-01T00:00:00Z"}, "job_id": {" 42 "}})
	if err != nil || !f.From.Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)) || f.JobID != "42" {
		t.Fatalf("ParseFilters = %+v, %v", f, err)
	}
	if f, err := ParseFilters(url.Values{}); err != nil || f != DefaultFilters() {
		t.Fatalf("no parameters: %+v, %v", f, err)
	}
	for _, bad := range []url.Values{
		{"from": {"yesterday"}},
		{"from": {"2026-04-01"}, "to": {"2026-03-01"}},
		{"to": {"2200-01-01"}},
		{"department": {"a\x01b"}},
		{"source_channel": {strings.Repeat("x", 201)}},
	} {
		if _, err := ParseFilters(bad); err == nil {
			t.Errorf("ParseFilters(%v) accepted", bad)
		}
	}
}

// TestSQL_Portable rejects what DESIGN.md rules out for SQL that must run on 18.16 and on current
// releases alike (the golden test then runs every file on both engines).
func TestSQL_Portable(t *testing.T) {
	bad := map[string]*regexp.Regexp{
		"window function":           regexp.MustCompile(`(?i)\bover\s*\(`),
		"CTE subquery":              regexp.MustCompile(`(?i)\bwith\s+\w+\s+as\s*\(`),
		"LowCardinality":            regexp.MustCompile(`(?i)lowcardinality`),
		"positional GROUP/ORDER BY": regexp.MustCompile(`(?i)\b(group|order)\s+by\s+\d`),
		"PREWHERE":                  regexp.MustCompile(`(?i)\bprewhere\b`),
		"approximate quantile":      regexp.MustCompile(`(?i)\b(median|quantiles?)\s*\(`),
		"approximate uniq":          regexp.MustCompile(`(?i)\buniq(combined|hll12)?\s*\(`),
		"DateTime64":                regexp.MustCompile(`(?i)datetime64`),
		"ANY INNER/RIGHT/FULL JOIN": regexp.MustCompile(`(?i)\bany\s+(inner|right|full)\b`),
	}
	for _, m := range Metrics() {
		for what, re := range bad {
			if loc := re.FindStringIndex(m.SQL); loc != nil {
				t.Errorf("%s: %s at %q", m.Name, what, m.SQL[loc[0]:min(loc[1]+20, len(m.SQL))])
			}
		}
	}
}
