package main

import (
	"bufio"
	"context"
	"io"
	"sync"
	"time"
)

// lineWriter is the one stdout every follower writes complete lines to.
// Lines are buffered and flushed every 100 ms and at exit.
type lineWriter struct {
	mu     sync.Mutex
	w      *bufio.Writer
	failed bool
}

func newLineWriter(w io.Writer) *lineWriter {
	return &lineWriter{w: bufio.NewWriterSize(w, 256<<10)}
}

// write appends whole lines (each ends in "\n") in one critical section.
func (l *lineWriter) write(lines ...[]byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range lines {
		if _, err := l.w.Write(line); err != nil && !l.failed {
			l.failed = true
			logf("error", "msg=%q err=%q", "writing stdout", err.Error())
		}
	}
	linesTotal.Add(float64(len(lines)))
}

func (l *lineWriter) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.w.Flush(); err != nil && !l.failed {
		l.failed = true
		logf("error", "msg=%q err=%q", "writing stdout", err.Error())
	}
}

func (l *lineWriter) flushEvery(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			l.flush()
		}
	}
}
