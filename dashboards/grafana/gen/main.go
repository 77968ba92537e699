// Command gen writes dashboards/grafana/dashboards/hirestream.json from the metric SQL files.
// Run it with `go generate ./dashboards/grafana` (it writes relative to that directory).
package main

import (
	"fmt"
	"os"

	"github.com/hirestream/hirestream/dashboards"
	"github.com/hirestream/hirestream/dashboards/grafana"
)

func main() {
	b, err := grafana.Dashboard(dashboards.Metrics())
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(grafana.File, b, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %s (%d bytes)\n", grafana.File, len(b))
}
