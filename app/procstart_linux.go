package app

import (
	"os"
	"strconv"
	"strings"
)

// clockTicks is USER_HZ, the unit of /proc times; 100 on every Linux port.
const clockTicks = 100

// sinceProcessStart returns the milliseconds since the kernel started this
// process: the uptime now minus the start time in /proc/self/stat (both since
// boot, 10 ms resolution), so it counts time spent before Go code ran.
func sinceProcessStart() (int64, bool) {
	stat, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0, false
	}
	up, err := os.ReadFile("/proc/uptime")
	if err != nil {
		return 0, false
	}
	return elapsedMS(string(stat), string(up))
}

// elapsedMS does the arithmetic of sinceProcessStart on the two files' text.
// The command name in stat may hold spaces and parentheses: fields are
// counted after its last ')'. starttime is field 22 of the whole line.
func elapsedMS(stat, uptime string) (int64, bool) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, false
	}
	fields := strings.Fields(stat[i+1:])
	if len(fields) < 20 {
		return 0, false
	}
	ticks, err := strconv.ParseInt(fields[19], 10, 64)
	if err != nil {
		return 0, false
	}
	first, _, _ := strings.Cut(strings.TrimSpace(uptime), " ")
	up, err := strconv.ParseFloat(first, 64)
	if err != nil {
		return 0, false
	}
	ms := int64(up*1000+0.5) - ticks*1000/clockTicks
	if ms < 0 {
		return 0, false
	}
	return ms, true
}
