package main

import (
	"bytes"
	"fmt"
	"time"
)

// position is how far a container's log has been delivered: the timestamp of
// the last delivered message and how many messages carried that timestamp
// (several do with bursts, and a line over 16 KiB is several messages with one
// timestamp). A stream reopened with since=ts (inclusive) replays the
// messages at ts; the session drops exactly n of them, and any older one.
type position struct {
	ts int64 // unix ns; 0 = nothing delivered yet
	n  int
}

// since is the Docker API's "since" value for the position.
func (p position) since() string {
	return fmt.Sprintf("%d.%09d", p.ts/1e9, p.ts%1e9)
}

// parseStamp splits a message "2006-01-02T15:04:05.999999999Z text" into
// its timestamp (unix ns) and text.
func parseStamp(msg []byte) (int64, []byte, bool) {
	sp := bytes.IndexByte(msg, ' ')
	if sp <= 0 || sp > 64 {
		return 0, msg, false
	}
	t, err := time.Parse(time.RFC3339Nano, string(msg[:sp]))
	if err != nil {
		return 0, msg, false
	}
	return t.UnixNano(), msg[sp+1:], true
}

// session turns the messages of one log stream into whole lines on the
// output, dropping what an earlier stream delivered. A message is one frame
// (non-TTY; StdCopy writes each frame with one Write) or one "\n"-terminated
// piece of a TTY stream. A message without a final newline is the head of a
// split line: lines that complete while a head is pending wait for it, so
// the position only ever moves past messages whose lines are all out, and a
// stream cut in the middle of a split line replays all of it.
type session struct {
	committed *position // advanced when everything up to tent is written
	tent      position  // position after the last message seen
	skip      position  // replay filter
	skipped   int
	partial   [2][]byte
	queue     [][]byte
	out       *lineWriter
}

func newSession(p *position, out *lineWriter) *session {
	return &session{committed: p, tent: *p, skip: *p, out: out}
}

// message handles one message of stream 0 (stdout or TTY) or 1 (stderr).
// msg is not retained.
func (s *session) message(stream int, msg []byte) {
	ts, text, ok := parseStamp(msg)
	if ok {
		if ts < s.skip.ts {
			return
		}
		if ts == s.skip.ts && s.skipped < s.skip.n {
			s.skipped++
			return
		}
		switch {
		case ts > s.tent.ts:
			s.tent = position{ts: ts, n: 1}
		case ts == s.tent.ts:
			s.tent.n++
		}
	}
	if len(text) == 0 || text[len(text)-1] != '\n' {
		s.partial[stream] = append(s.partial[stream], text...)
		return
	}
	line := append(s.partial[stream], text...) // a copy: partial may be nil
	s.partial[stream] = nil
	if n := len(line); n >= 2 && line[n-2] == '\r' { // TTY output ends in \r\n
		line = append(line[:n-2], '\n')
	}
	if s.partial[0] != nil || s.partial[1] != nil {
		s.queue = append(s.queue, line)
		return
	}
	if len(s.queue) > 0 {
		s.out.write(append(s.queue, line)...)
		s.queue = nil
	} else {
		s.out.write(line)
	}
	*s.committed = s.tent
}

// streamWriter feeds StdCopy's frames to a session, one Write per frame.
type streamWriter struct {
	s      *session
	stream int
}

func (w streamWriter) Write(p []byte) (int, error) {
	w.s.message(w.stream, p)
	return len(p), nil
}
