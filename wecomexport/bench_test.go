package wecomexport_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/wecomsync/wecomsync/internal/exportgen"
	"github.com/wecomsync/wecomsync/wecomexport"
)

// BenchmarkParse100k parses a generated 100,000-member export (2,000 departments, notice block).
func BenchmarkParse100k(b *testing.B) {
	path := filepath.Join(b.TempDir(), "100k.xlsx")
	spec := exportgen.NewSpec(100_000, 2_000, 1)
	spec.BadRows = 10
	c, err := exportgen.WriteFile(path, spec)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		sum, err := wecomexport.Parse(context.Background(), f, path, wecomexport.Options{EndRow: -1}, nil, nil)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		if sum.Members != len(c.Members) || sum.Rejects != len(c.BadRows) {
			b.Fatalf("parsed %d members, %d rejects; want %d, %d", sum.Members, sum.Rejects, len(c.Members), len(c.BadRows))
		}
	}
	b.ReportMetric(float64(len(c.Members))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
