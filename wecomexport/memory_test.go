package wecomexport_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomsync/wecomsync/internal/exportgen"
	"github.com/wecomsync/wecomsync/wecomexport"
)

// peakRSSBound is what one Parse may take of the process, counting the test binary itself:
// "a few hundred MB" on any upload.
const peakRSSBound = 320 << 20

// memChildEnv names the file a child process of TestPeakMemory parses.
const memChildEnv = "WECOMEXPORT_MEM_CHILD"

// TestPeakMemory parses each hostile file, and a generated 100,000-member export, in a child
// process of its own and bounds the child's peak resident set (VmHWM), so that nothing else the
// tests do counts. It bounds memory only, never time.
func TestPeakMemory(t *testing.T) {
	if path := os.Getenv(memChildEnv); path != "" {
		memChild(path)
		return
	}
	if raceEnabled {
		t.Skip("the race detector multiplies memory")
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("needs /proc/self/status")
	}
	var files []string
	for _, f := range hostileCorpus() {
		if !f.slow || !testing.Short() {
			files = append(files, filepath.Join(hostileDir, f.name))
		}
	}
	if !testing.Short() {
		path := filepath.Join(t.TempDir(), "100k.xlsx")
		spec := exportgen.NewSpec(100_000, 2_000, 1)
		_, err := exportgen.WriteFile(path, spec)
		require.NoError(t, err)
		files = append(files, path)
	}
	worst, worstFile := int64(0), ""
	for _, path := range files {
		cmd := exec.Command(os.Args[0], "-test.run=^TestPeakMemory$")
		cmd.Env = append(os.Environ(), memChildEnv+"="+path)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
		var hwm, heapSys int64
		var outcome string
		for _, line := range strings.Split(string(out), "\n") {
			if rest, ok := strings.CutPrefix(line, "PEAK "); ok {
				_, err := fmt.Sscanf(rest, "%d %d", &hwm, &heapSys)
				require.NoError(t, err)
				outcome = rest[strings.Index(rest, "|")+1:]
			}
		}
		require.NotZero(t, hwm, "%s", out)
		t.Logf("%-28s peak RSS %4d MiB, heap %4d MiB: %s", filepath.Base(path), hwm>>20, heapSys>>20, outcome)
		assert.Less(t, hwm, int64(peakRSSBound), "%s: peak RSS %d MiB", path, hwm>>20)
		if hwm > worst {
			worst, worstFile = hwm, filepath.Base(path)
		}
	}
	t.Logf("worst: %s, peak RSS %d MiB (bound %d MiB)", worstFile, worst>>20, peakRSSBound>>20)
}

// memChild parses path and prints "PEAK <VmHWM bytes> <HeapSys bytes> |<outcome>".
func memChild(path string) {
	f, err := os.Open(path)
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(2)
	}
	defer f.Close()
	sum, err := wecomexport.Parse(context.Background(), f, filepath.Base(path), wecomexport.Options{EndRow: -1}, nil, nil)
	outcome := fmt.Sprintf("%d members, %d rejects", sum.Members, sum.Rejects)
	if err != nil {
		outcome = err.Error()
		if len(outcome) > 120 {
			outcome = outcome[:120] + "…"
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("PEAK %d %d |%s\n", vmHWM(), ms.HeapSys, outcome)
}

// vmHWM is the process's peak resident set from /proc/self/status, in bytes.
func vmHWM() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
