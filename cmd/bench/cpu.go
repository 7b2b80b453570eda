package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// clockTicks is the unit of the CPU times in /proc/<pid>/stat (USER_HZ, 100 on Linux).
const clockTicks = 100

// cpuUse is the CPU time, in seconds, each process of the bench used (during a run, once two
// samples are subtracted). On a machine with few cores it shows who competed for them: the worker,
// the bench process (the emulators serving both APIs, and the driver) and the Temporal dev server.
type cpuUse struct {
	Worker   float64 `json:"worker"`
	Bench    float64 `json:"emulatorsAndDriver"`
	Temporal float64 `json:"temporal"`
	// Others is what every other process of the machine used: on a shared machine, the noise.
	Others float64 `json:"otherProcesses"`
	// machine is the whole machine's busy CPU time (/proc/stat); Others is derived from it.
	machine float64
}

// sampleCPU reads the CPU time used so far by the worker processes (pids, summed), this process and
// the Temporal dev server (a child of this process named temporal).
func sampleCPU(workerPIDs ...int) cpuUse {
	var u cpuUse
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		u.Bench = float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
	}
	for _, pid := range workerPIDs {
		u.Worker += procCPU(pid)
	}
	u.machine = machineCPU()
	self := strconv.Itoa(os.Getpid())
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		fields := procStat(d)
		if len(fields) > 15 && fields[1] == "(temporal)" && fields[3] == self {
			u.Temporal += ticks(fields[13], fields[14])
		}
	}
	return u
}

// minus is the CPU time used between two samples.
func (u cpuUse) minus(before cpuUse) cpuUse {
	d := cpuUse{Worker: u.Worker - before.Worker, Bench: u.Bench - before.Bench, Temporal: u.Temporal - before.Temporal,
		machine: u.machine - before.machine}
	d.Others = max(0, d.machine-d.Worker-d.Bench-d.Temporal)
	return d
}

// machineCPU is the busy CPU time of the whole machine so far, in seconds (/proc/stat: user, nice,
// system, irq, softirq and steal of all cores).
func machineCPU() float64 {
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0
	}
	busy := 0.0
	for _, i := range []int{1, 2, 3, 6, 7, 8} {
		v, _ := strconv.ParseFloat(f[i], 64)
		busy += v
	}
	return busy / clockTicks
}

// procCPU is a process's user + system CPU time in seconds (0 when unreadable).
func procCPU(pid int) float64 {
	fields := procStat("/proc/" + strconv.Itoa(pid))
	if len(fields) <= 15 {
		return 0
	}
	return ticks(fields[13], fields[14])
}

// procStat splits /proc/<pid>/stat into its fields (a command name with spaces breaks the split
// after field 2; the fields read here are only those of processes named without spaces).
func procStat(dir string) []string {
	raw, err := os.ReadFile(filepath.Join(dir, "stat"))
	if err != nil {
		return nil
	}
	return strings.Fields(string(raw))
}

func ticks(utime, stime string) float64 {
	u, _ := strconv.ParseFloat(utime, 64)
	s, _ := strconv.ParseFloat(stime, 64)
	return (u + s) / clockTicks
}
