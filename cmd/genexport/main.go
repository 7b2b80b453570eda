// Command genexport writes a realistic, deterministic WeCom console contacts export (.xlsx) for
// tests, demos and benchmarks:
//
//	go run ./cmd/genexport --users 100000 --departments 2000 --seed 1 --out /tmp/x.xlsx [--bad-rows 10] [--variants] [--no-notice]
//
// It prints one summary line. It must not be used on real data: everything it writes is made up.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/wecomsync/wecomsync/internal/exportgen"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "genexport:", err)
		os.Exit(2)
	}
}

// run parses args, writes the export and prints the summary to stdout.
func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("genexport", flag.ContinueOnError)
	fs.SetOutput(stderr)
	spec := exportgen.NewSpec(0, 0, 0)
	fs.IntVar(&spec.Users, "users", 1000, "valid members")
	fs.IntVar(&spec.Departments, "departments", 50, "departments below the company node")
	fs.Int64Var(&spec.Seed, "seed", 1, "random seed (same seed, same file content)")
	fs.IntVar(&spec.Depth, "depth", exportgen.DefaultDepth, "most department levels below the company")
	fs.Float64Var(&spec.MultiDeptRatio, "multi-dept", exportgen.DefaultMultiDeptRatio, "share of users in 2–3 departments (negative = none)")
	fs.IntVar(&spec.BadRows, "bad-rows", 0, "rows appended that break one reject rule each, round-robin")
	fs.StringVar(&spec.Company, "company", exportgen.DefaultCompany, "company (top-level department) name")
	fs.StringVar(&spec.Sheet, "sheet", exportgen.DefaultSheet, "sheet name")
	variants := fs.Bool("variants", false, "older header labels 帐号 / 英文名 / 个人邮箱")
	numeric := fs.Bool("numeric-phones", false, "mobiles as numeric cells")
	ascii := fs.Bool("ascii-separator", false, "separate a user's departments with ASCII ';' instead of '；'")
	noNotice := fs.Bool("no-notice", false, "no 填写须知 block: header on row 1")
	out := fs.String("out", "", "output .xlsx path (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case *out == "":
		return fmt.Errorf("--out is required")
	case fs.NArg() > 0:
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	case spec.Users < 0 || spec.Departments < 0 || spec.BadRows < 0:
		return fmt.Errorf("--users, --departments and --bad-rows must not be negative")
	}
	spec.LabelVariants, spec.NumericPhones, spec.NoticeBlock = *variants, *numeric, !*noNotice
	if *ascii {
		spec.DeptSeparator = ";"
	}

	start := time.Now()
	c, err := exportgen.WriteFile(*out, spec)
	if err != nil {
		return err
	}
	info, err := os.Stat(*out)
	if err != nil {
		return fmt.Errorf("stat output: %w", err)
	}
	multi := 0
	for _, m := range c.Members {
		if len(m.Departments) > 1 {
			multi++
		}
	}
	_, err = fmt.Fprintf(stdout, "wrote %s: %d users (%d in several departments), %d departments, %d bad rows, header on row %d, %.1f MiB in %s\n",
		*out, len(c.Members), multi, len(c.Departments)-1, len(c.BadRows), c.HeaderRow,
		float64(info.Size())/(1<<20), time.Since(start).Round(time.Millisecond))
	return err
}
