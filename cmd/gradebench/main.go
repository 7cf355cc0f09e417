// Command gradebench measures the grading engine against baselines taken
// in the same run on the same machine, and prints a table of ratios. It is
// what `make bench` runs; nothing in it is asserted.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/moby/moby/client"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/runner"
	"github.com/gradebox/grader/runner/images"
)

func main() {
	catalog := flag.String("catalog", "challenges", "folder of challenges")
	bin := flag.String("grader", "bin/grader", "the grader binary (for the memory and service measures)")
	runs := flag.Int("runs", 3, "runs per timed measure (the median is reported)")
	only := flag.String("only", "", "comma-separated measures to run: grade (= grade-<challenge>), lifecycle, postgres, build, memory, service (= service-latency, service-result, service-burst, service-cohort), capacity (= capacity-followers, capacity-uploads), languages (= languages-<challenge>-<language>, each http reference in every offered language) (default all)")
	flag.Parse()
	selected = map[string]bool{}
	for _, m := range strings.Split(*only, ",") {
		if m != "" {
			selected[m] = true
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *catalog, *bin, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "gradebench:", err)
		os.Exit(1)
	}
}

// selected holds the measures -only asked for; empty means all.
var selected map[string]bool

// wanted says whether -only asked for a measure, by its name or its group
// (the part before a '-': "service" selects "service-latency").
func wanted(name string) bool {
	group, _, _ := strings.Cut(name, "-")
	return len(selected) == 0 || selected[name] || selected[group]
}

// row is one line of the report.
type row struct {
	measure  string
	value    string
	baseline string
	ratio    float64
	target   string
	met      bool
	// skipped is a row whose baseline could not be measured here; note
	// says why and how to fix it.
	skipped bool
	note    string
}

func run(ctx context.Context, catalog, bin string, runs int) error {
	cli, err := client.New(client.FromEnv)
	if err != nil {
		return err
	}
	defer cli.Close()
	defer removeHostPostgres()
	// The engine grades with a pool of warm boxes, as a service worker
	// does; cold starts every box as `grader grade` does.
	docker, err := runner.New(runner.Config{Client: cli, Worker: "gradebench", Logger: slog.New(slog.DiscardHandler),
		Pool: runner.PoolConfig{Size: runner.DefaultPoolSize}})
	if err != nil {
		return err
	}
	defer docker.Close()
	cold, err := runner.New(runner.Config{Client: cli, Worker: "gradebench-cold", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	defer cold.Close()
	// As the CLI and the service do: Go builds mount the toolchain volumes.
	toolchain, err := images.EnsureGoToolchain(ctx, cli)
	if err != nil {
		return fmt.Errorf("the Go toolchain volume: %w", err)
	}
	eng := grader.NewEngine(grader.EngineConfig{Sandbox: docker, GoToolchain: images.GoToolchainMounts(toolchain)})
	all, err := challenges.LoadAll(catalog)
	if err != nil {
		return err
	}
	var rows []row
	failed := false
	// measureRows runs one measure that reports one or more rows; a
	// failure is reported in a row and the others still run.
	measureRows := func(name, what string, fn func() ([]row, error)) {
		if !wanted(name) {
			return
		}
		fmt.Fprintln(os.Stderr, what+"…")
		rs, err := fn()
		if err != nil {
			failed = true
			rs = append(rs, row{measure: what, value: "-", baseline: "-", note: "FAILED: " + err.Error()})
		}
		for _, r := range rs {
			fmt.Fprintf(os.Stderr, "  %s: %s vs %s %s\n", r.measure, r.value, r.baseline, r.note)
		}
		rows = append(rows, rs...)
	}
	measure := func(name, what string, fn func() (row, error)) {
		measureRows(name, what, func() ([]row, error) {
			r, err := fn()
			if err != nil {
				return nil, err
			}
			return []row{r}, nil
		})
	}
	for _, c := range all {
		measure("grade-"+c.ID, fmt.Sprintf("grade %s reference (%d runs) and its host baseline", c.ID, runs), func() (row, error) {
			return benchChallenge(ctx, eng, c, runs)
		})
	}
	measureRows("lifecycle", "container lifecycle and acquisition: SDK vs docker run --rm", func() ([]row, error) { return benchLifecycle(ctx, cold, docker, 10) })
	measure("postgres", "postgres fixture start-to-ready vs docker run with initdb at start", func() (row, error) { return benchPostgres(ctx, docker, 5) })
	measure("build", "learner build in a box vs the same build on the host, warm caches", func() (row, error) {
		return benchBuild(ctx, docker, catalog, images.GoToolchainMounts(toolchain))
	})
	measure("memory", "peak memory of `grader grade` while a submission floods its output", func() (row, error) {
		return benchFloodMemory(ctx, bin, catalog)
	})
	for _, m := range serviceMeasures(ctx, bin, catalog, runs) {
		measureRows(m.name, m.what, m.run)
	}
	for _, lc := range languageCases(all) {
		measureRows(lc.name(), fmt.Sprintf("grade %s reference in %s (%d runs), its build step, and the same on the host", lc.c.ID, lc.lang, runs), func() ([]row, error) {
			return benchLanguage(ctx, eng, lc, runs)
		})
	}

	if err := writeTable(os.Stdout, rows); err != nil {
		return err
	}
	if failed {
		return fmt.Errorf("some measures failed")
	}
	return nil
}

// writeTable prints the rows as the report's table.
func writeTable(w io.Writer, rows []row) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MEASURE\tGRADER\tBASELINE\tRATIO\tTARGET\tMET\tNOTE")
	for _, r := range rows {
		met := "yes"
		switch {
		case r.skipped:
			met = "skip"
		case !r.met:
			met = "NO"
		}
		ratio := "-"
		if r.ratio > 0 {
			ratio = fmt.Sprintf("%.2f", r.ratio)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.measure, r.value, r.baseline, ratio, r.target, met, r.note)
	}
	return tw.Flush()
}

// median of durations.
func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2fs", d.Seconds()) }

func missedBy(ratio, target float64) string {
	if ratio <= target {
		return ""
	}
	return fmt.Sprintf("missed by %.0f%%", (ratio/target-1)*100)
}
