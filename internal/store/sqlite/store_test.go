package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"fmt"

	"slrportal/internal/licensing"
)

func TestProbe(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "x.db"))
	if err != nil { t.Fatal(err) }
	for _, q := range []licensing.PIQuery{{Prefix: "FCW"}, {Prefix: "cat", Families: []string{"C9300","C9200"}}, {}} {
		cond, args := piFilter(1, q)
		rows, err := s.DB().QueryContext(ctx, `EXPLAIN QUERY PLAN SELECT count(*) FROM product_instances p WHERE `+cond, args...)
		if err != nil { t.Fatal(err) }
		for rows.Next() { var a, b, c int; var d string; rows.Scan(&a, &b, &c, &d); fmt.Println(a,b,d) }
		rows.Close()
		fmt.Println("--")
	}
}
