package main

import (
	"fmt"
	"os"
	"sync"
	"time"
)

// Diagnostics on stderr, one line each: "<time> level=<lvl> <message>".
// Stdout carries only captured log lines. A harness that counts error lines
// should match "level=error" (warnings are faults the follower recovered from).

var (
	logVerbose bool
	logMu      sync.Mutex
)

func logf(level, format string, args ...interface{}) {
	if level == "info" && !logVerbose {
		return
	}
	msg := fmt.Sprintf(format, args...)
	logMu.Lock()
	fmt.Fprintf(os.Stderr, "%s level=%s %s\n", time.Now().UTC().Format(time.RFC3339Nano), level, msg)
	logMu.Unlock()
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
