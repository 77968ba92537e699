package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/hirestream/hirestream/schemas"
)

// row is one row of a table the sink writes, in its INSERT's column order.
type row interface {
	values() []any
	// check rejects what the server would store wrongly or refuse, naming the field and value.
	check() error
	// rowID names the row in errors (its event id).
	rowID() string
}

// inserter writes rows of one table. Every INSERT names its columns (a bare INSERT makes
// PrepareBatch fail on 18.16) and goes through a batch (Exec with bound values hangs on 18.16).
type inserter[R row] struct {
	conn   driver.Conn
	insert string
}

func newInserter[R row](conn driver.Conn, db, table string, columns []string) inserter[R] {
	return inserter[R]{conn: conn, insert: "INSERT INTO " + quoteIdent(db) + "." + table + " (" + strings.Join(columns, ", ") + ")"}
}

// write inserts rows as one batch. Rows that fail check, or that the server refuses with a
// permanent error when tried alone, are returned in rejected (for the DLQ); err means the whole
// batch should be retried.
func (w inserter[R]) write(ctx context.Context, rows []R) (rejected map[int]error, err error) {
	rejected = map[int]error{}
	var good []int
	for i, r := range rows {
		if err := r.check(); err != nil {
			rejected[i] = schemas.Permanent(err)
			continue
		}
		good = append(good, i)
	}
	if len(good) == 0 {
		return rejected, nil
	}
	err = w.send(ctx, rows, good)
	if err == nil || !schemas.IsPermanent(err) {
		return rejected, err
	}
	// The server refused the batch for good: find the rows it refuses by sending them one by one.
	for _, i := range good {
		if err := w.send(ctx, rows, []int{i}); err != nil {
			if !schemas.IsPermanent(err) {
				return rejected, err
			}
			rejected[i] = err
		}
	}
	return rejected, nil
}

func (w inserter[R]) send(ctx context.Context, rows []R, idx []int) error {
	batch, err := w.conn.PrepareBatch(ctx, w.insert)
	if err != nil {
		return classify(fmt.Errorf("prepare insert: %w", err))
	}
	for _, i := range idx {
		if err := batch.Append(rows[i].values()...); err != nil {
			batch.Abort()
			return schemas.Permanent(fmt.Errorf("append row %s: %w", rows[i].rowID(), err))
		}
	}
	if err := batch.Send(); err != nil {
		return classify(fmt.Errorf("insert %d rows: %w", len(idx), err))
	}
	return nil
}

// DateTime on 18.16 is a UInt32 of seconds: these bounds are what the server can hold.
var (
	minDateTime = time.Unix(0, 0).UTC()
	maxDateTime = time.Date(2105, 12, 31, 23, 59, 59, 0, time.UTC)
)

// checkEvent is the check every event-derived row needs: an id, and times DateTime can hold.
func checkEvent(eventID string, occurred, recorded time.Time) error {
	var errs []error
	for _, f := range []struct {
		name string
		t    time.Time
	}{{"occurred_at", occurred}, {"recorded_at", recorded}} {
		if f.t.Before(minDateTime) || f.t.After(maxDateTime) {
			errs = append(errs, fmt.Errorf("%s %s is outside ClickHouse DateTime (1970-01-01..2105-12-31)", f.name, f.t.Format(time.RFC3339)))
		}
	}
	if eventID == "" {
		errs = append(errs, errors.New("event_id is empty"))
	}
	return errors.Join(errs...)
}

// permanentCodes are ClickHouse error codes that retrying the same rows cannot fix.
var permanentCodes = map[int32]bool{
	6: true, 16: true, 26: true, 27: true, 32: true, 38: true, 41: true, 53: true, 62: true,
	69: true, 70: true, 72: true, 117: true, 321: true,
}

func classify(err error) error {
	var exc *ch.Exception
	if errors.As(err, &exc) && permanentCodes[exc.Code] {
		return schemas.Permanent(err)
	}
	return err
}
