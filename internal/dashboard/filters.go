package dashboard

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/hirestream/hirestream/dashboards"
)

// FilterError is a bad filter in the query string: the parameter, the value it had, what is
// wrong and the form expected. The API answers it with 400 and these fields.
type FilterError struct {
	Param, Value, Reason, Expected string
}

func (e *FilterError) Error() string {
	return fmt.Sprintf("filter %s=%q: %s; expected %s", e.Param, e.Value, e.Reason, e.Expected)
}

// expected is the form of each filter, as the 400 answer states it. The time range is
// half-open, as in every metric's SQL: from <= t < to.
var expected = map[string]string{
	"from": "RFC 3339 (2026-03-01T09:00:00Z), YYYY-MM-DD hh:mm:ss (UTC) or YYYY-MM-DD (midnight UTC), " +
		"between 1970-01-01 and 2105-12-31; the range is from <= t < to",
	"to": "RFC 3339 (2026-04-01T00:00:00Z), YYYY-MM-DD hh:mm:ss (UTC) or YYYY-MM-DD (midnight UTC, excluded), " +
		"between 1970-01-01 and 2105-12-31 and after from",
	"job_id":         "a job id from /api/filters (at most 200 printable characters), or empty for all jobs",
	"department":     "a department name from /api/filters (at most 200 printable characters), or empty for all",
	"source_channel": "a source channel from /api/filters (at most 200 printable characters), or empty for all",
}

// ParseFilters reads the page's filters from a query string with dashboards.ParseFilters (the
// one parser the server, Grafana's test and the golden tests share) and says which parameter is
// wrong when it fails. A parameter that is not a filter, or one given twice, is refused too: a
// typo must not silently show unfiltered numbers.
func ParseFilters(q url.Values) (dashboards.Filters, error) {
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v := strings.Join(q[k], ",")
		if !slices.Contains(dashboards.FilterParams, k) {
			return dashboards.Filters{}, &FilterError{Param: k, Value: v, Reason: "not a filter",
				Expected: "only " + strings.Join(dashboards.FilterParams, ", ")}
		}
		if len(q[k]) > 1 {
			return dashboards.Filters{}, &FilterError{Param: k, Value: v, Reason: "given more than once", Expected: "one value: " + expected[k]}
		}
	}
	f, err := dashboards.ParseFilters(q)
	if err == nil {
		return f, nil
	}
	// Which parameter is at fault: the first that fails on its own; if each is fine alone, the
	// combination is (from not before to).
	for _, k := range dashboards.FilterParams {
		if v := q.Get(k); v != "" {
			if _, e := dashboards.ParseFilters(url.Values{k: {v}}); e != nil {
				return dashboards.Filters{}, &FilterError{Param: k, Value: v, Reason: reason(k, e), Expected: expected[k]}
			}
		}
	}
	return dashboards.Filters{}, &FilterError{Param: "from", Value: q.Get("from"), Reason: reason("from", err), Expected: "a time before to=" + q.Get("to")}
}

// reason is the parser's message without its leading "param: ".
func reason(param string, err error) string {
	return strings.TrimPrefix(err.Error(), param+": ")
}
