package postgres

import (
	"context"
	"fmt"
)

// CallPartitionsAhead is how many months after the current one have their
// calls partition made in advance.
const CallPartitionsAhead = 3

// EnsureCallPartitions makes the monthly partitions of the call log for the
// current month and the next ahead ones, and gives calls that landed in the
// default partition (a month without a partition yet) a partition of their
// own month. It is idempotent and safe to run from several replicas at once;
// it returns the number of partitions made.
func (s *CallService) EnsureCallPartitions(ctx context.Context, ahead int) (int, error) {
	var n int
	if err := s.db.pool.QueryRow(ctx, "SELECT calls_ensure_partitions($1)", ahead).Scan(&n); err != nil {
		return 0, fmt.Errorf("make the monthly partitions of calls: %w", err)
	}
	return n, nil
}
