// Package grafana generates hirestream's Grafana dashboard (dashboards/hirestream.json) from the
// metric SQL files, so Grafana and the built-in dashboard run the very same queries:
//
//	go generate ./dashboards/grafana
//
// The test fails when the JSON and the SQL files drift apart.
//
// # Translation rule
//
// Each panel's rawSql is its metric's SQL file, byte for byte, except for these replacements,
// made outside string literals, quoted identifiers and -- comments (the places clickhouse-go
// binds @parameters too):
//
//	{db}             -> ${database}                   a hidden constant variable (default hirestream)
//	@from            -> $__fromTime                   the dashboard's time range, toDateTime(<unix>)
//	@to              -> $__toTime
//	@job_id          -> ${job_id:singlequote}         dashboard variables; "All" is the custom
//	@department      -> ${department:singlequote}     all value '' (inserted unformatted), which the
//	@source_channel  -> ${source_channel:singlequote} SQL reads as "no filter", as the API does
//
// Any other @name is an error. Grafana's $__toTime is inclusive where @to is exclusive; on
// second-resolution data that is one second at the end of the range.
//
// The data source is grafana-clickhouse-datasource (the official plugin) with the fixed uid
// hirestream-clickhouse, provisioned by provisioning/datasources/clickhouse.yaml. The plugin
// does not support ClickHouse 18.16; docker-compose.yml runs a current ClickHouse.
package grafana

//go:generate go run ./gen

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/hirestream/hirestream/dashboards"
)

// Identifiers other files rely on.
const (
	DatasourceType = "grafana-clickhouse-datasource"
	DatasourceUID  = "hirestream-clickhouse"
	DashboardUID   = "hirestream-recruiting"
	// File is where the generated dashboard lives, relative to this package.
	File = "dashboards/hirestream.json"
)

// Variables maps each string filter to its dashboard variable.
var Variables = map[string]string{"job_id": "job_id", "department": "department", "source_channel": "source_channel"}

// Translate applies the translation rule to a metric's SQL.
func Translate(sql string) (string, error) {
	var unknown []string
	out := dashboards.SubstituteParams(sql, func(name string) (string, bool) {
		switch {
		case name == "{db}":
			return "${database}", true
		case name == "from":
			return "$__fromTime", true
		case name == "to":
			return "$__toTime", true
		case Variables[name] != "":
			return "${" + Variables[name] + ":singlequote}", true
		}
		unknown = append(unknown, name)
		return "", false
	})
	if len(unknown) > 0 {
		return "", fmt.Errorf("parameter @%s has no Grafana translation", unknown[0])
	}
	return out, nil
}

// panelSpec is how one metric is drawn in Grafana.
type panelSpec struct {
	typ         string
	description string
	xField      string   // barchart category column
	hide        []string // columns kept in the tooltip/table but not drawn as bars
	unit        string   // default unit of the drawn values
	overrides   []map[string]any
	options     map[string]any
	thresholds  []map[string]any
}

func byName(name string, props ...map[string]any) map[string]any {
	return map[string]any{"matcher": map[string]any{"id": "byName", "options": name}, "properties": props}
}

func prop(id string, v any) map[string]any { return map[string]any{"id": id, "value": v} }

func hidden() map[string]any {
	return prop("custom.hideFrom", map[string]any{"legend": true, "tooltip": false, "viz": true})
}

var specs = map[string]panelSpec{
	"source-attribution": {typ: "barchart", xField: "source_channel", hide: []string{"hire_rate"},
		description: "Applications that arrived in the period (by applied_at), how many got an offer and how many were hired, per source channel."},
	"time-in-stage": {typ: "barchart", xField: "stage", hide: []string{"transitions", "open_now"}, unit: "s",
		description: "Exact median and 90th percentile of completed stints per stage (by entered_at); transitions and open stints in the tooltip."},
	"offer-acceptance": {typ: "stat",
		description: "Applications whose first offer was made in the period: offers extended, accepted (hired), declined, acceptance rate.",
		overrides:   []map[string]any{byName("acceptance_rate", prop("unit", "percentunit"), prop("decimals", 1))}},
	"stage-dropoff": {typ: "barchart", xField: "stage", hide: []string{"dropoff_rate"},
		description: "Per stage, over applications that arrived in the period: entered, advanced, dropped (latest status rejected or withdrawn there)."},
	"time-to-hire": {typ: "table",
		description: "Days from application to hire for hires in the period, per department (job_id empty) and per job.",
		overrides: []map[string]any{byName("median_days", prop("unit", "d"), prop("decimals", 1)),
			byName("p90_days", prop("unit", "d"), prop("decimals", 1))}},
	"hris-sync-error-rate": {typ: "barchart", xField: "target", hide: []string{"candidates_synced", "candidates_failed"}, unit: "percentunit",
		description: "Share of candidates whose latest HRIS sync in the period failed, per target. The red line is the 1% target.",
		thresholds:  []map[string]any{{"color": "green", "value": nil}, {"color": "red", "value": 0.01}}},
}

// Dashboard builds the dashboard JSON from the metrics, in their order.
func Dashboard(metrics []dashboards.Metric) ([]byte, error) {
	var panels []any
	for i, m := range metrics {
		sql, err := Translate(m.SQL)
		if err != nil {
			return nil, fmt.Errorf("metric %s: %w", m.Name, err)
		}
		spec, ok := specs[m.Name]
		if !ok {
			spec = panelSpec{typ: "table", description: m.Title}
		}
		panels = append(panels, panel(i+1, m, spec, sql))
	}
	d := map[string]any{
		"uid":           DashboardUID,
		"title":         "hirestream · Recruiting analytics",
		"description":   "Generated from dashboards/queries/*.sql by `go generate ./dashboards/grafana`; edit the SQL files, not this JSON.",
		"tags":          []string{"hirestream", "recruiting"},
		"schemaVersion": 39,
		"version":       1,
		"editable":      false,
		"graphTooltip":  0,
		"timezone":      "utc",
		"refresh":       "30s",
		"time":          map[string]any{"from": "now-1y", "to": "now"},
		"annotations":   map[string]any{"list": []any{}},
		"links":         []any{},
		"templating":    map[string]any{"list": templating()},
		"panels":        panels,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep the SQL's < and > readable
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func datasource() map[string]any { return map[string]any{"type": DatasourceType, "uid": DatasourceUID} }

func panel(id int, m dashboards.Metric, spec panelSpec, sql string) map[string]any {
	defaults := map[string]any{"color": map[string]any{"mode": "palette-classic"}, "custom": map[string]any{}}
	if spec.unit != "" {
		defaults["unit"] = spec.unit
	}
	if spec.thresholds != nil {
		defaults["thresholds"] = map[string]any{"mode": "absolute", "steps": spec.thresholds}
		defaults["custom"] = map[string]any{"thresholdsStyle": map[string]any{"mode": "line"}}
	}
	overrides := append([]map[string]any{}, spec.overrides...)
	for _, h := range spec.hide {
		overrides = append(overrides, byName(h, hidden()))
	}
	options := map[string]any{}
	switch spec.typ {
	case "barchart":
		options = map[string]any{"orientation": "horizontal", "xField": spec.xField, "showValue": "auto",
			"groupWidth": 0.7, "barWidth": 0.9, "stacking": "none", "xTickLabelRotation": 0,
			"legend":  map[string]any{"displayMode": "list", "placement": "bottom", "showLegend": true},
			"tooltip": map[string]any{"mode": "multi", "sort": "none"}}
	case "stat":
		options = map[string]any{"reduceOptions": map[string]any{"calcs": []string{"lastNotNull"}, "fields": "", "values": false},
			"colorMode": "none", "graphMode": "none", "textMode": "value_and_name", "justifyMode": "auto", "orientation": "auto"}
	case "table":
		options = map[string]any{"showHeader": true, "cellHeight": "sm"}
	}
	return map[string]any{
		"id":          id,
		"type":        spec.typ,
		"title":       m.Title,
		"description": spec.description + " SQL: dashboards/queries/" + m.Name + ".sql.",
		"datasource":  datasource(),
		"gridPos":     map[string]any{"h": 9, "w": 12, "x": 12 * ((id - 1) % 2), "y": 9 * ((id - 1) / 2)},
		"fieldConfig": map[string]any{"defaults": defaults, "overrides": overrides},
		"options":     options,
		"targets": []any{map[string]any{
			"refId":      "A",
			"datasource": datasource(),
			"editorType": "sql",
			"queryType":  "table",
			"format":     1,
			"rawSql":     sql,
		}},
	}
}

// templating: the database constant, then department, job and source channel lists from the
// applications model. "All" is the custom all value, an empty SQL string (see the translation rule).
func templating() []any {
	query := func(name, label, sql string) map[string]any {
		return map[string]any{
			"name": name, "label": label, "type": "query", "datasource": datasource(),
			"query": sql, "definition": sql, "refresh": 1, "sort": 0,
			"includeAll": true, "allValue": "''", "multi": false,
			"current": map[string]any{"selected": true, "text": "All", "value": "$__all"},
			"options": []any{}, "hide": 0,
		}
	}
	return []any{
		map[string]any{"name": "database", "type": "constant", "hide": 2, "query": "hirestream",
			"current": map[string]any{"text": "hirestream", "value": "hirestream"}, "label": "ClickHouse database"},
		query("department", "Department",
			"SELECT DISTINCT department FROM ${database}.applications WHERE department != '' ORDER BY department"),
		query("job_id", "Job",
			"SELECT job_id, concat(any(job_title), ' (', any(department), ')') AS label FROM ${database}.applications "+
				"WHERE job_id != '' AND (${department:singlequote} = '' OR department = ${department:singlequote}) "+
				"GROUP BY job_id ORDER BY label"),
		query("source_channel", "Source channel",
			"SELECT DISTINCT source_channel FROM ${database}.applications WHERE source_channel != '' ORDER BY source_channel"),
	}
}
