package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func stamp(ns int64) string { return time.Unix(0, ns).UTC().Format(time.RFC3339Nano) }

type capture struct{ bytes.Buffer }

func newCapture() (*capture, *lineWriter) {
	c := &capture{}
	return c, newLineWriter(c)
}

func TestSessionResumesWithoutLossOrDuplicate(t *testing.T) {
	base := int64(1_700_000_000_000_000_000)
	// Five messages, the middle three with one timestamp (a burst).
	msgs := []struct {
		ts   int64
		text string
	}{{base, "a\n"}, {base + 5, "b\n"}, {base + 5, "c\n"}, {base + 5, "d\n"}, {base + 9, "e\n"}}
	c, out := newCapture()
	var pos position
	s := newSession(&pos, out)
	for _, m := range msgs[:3] {
		s.message(0, []byte(stamp(m.ts)+" "+m.text))
	}
	if pos != (position{base + 5, 2}) {
		t.Fatalf("position %+v", pos)
	}
	// Reopen with since=pos.ts: the daemon replays b, c, d, e.
	s = newSession(&pos, out)
	for _, m := range msgs[1:] {
		s.message(1, []byte(stamp(m.ts)+" "+m.text))
	}
	out.flush()
	if got := c.String(); got != "a\nb\nc\nd\ne\n" {
		t.Fatalf("output %q", got)
	}
	if pos != (position{base + 9, 1}) {
		t.Fatalf("position %+v", pos)
	}
}

func TestSessionSplitLineHoldsPosition(t *testing.T) {
	base := int64(1_800_000_000_123_456_789)
	c, out := newCapture()
	var pos position
	s := newSession(&pos, out)
	s.message(0, []byte(stamp(base)+" head-"))   // stdout, first half of a split line
	s.message(1, []byte(stamp(base)+" other\n")) // stderr, whole
	if pos != (position{}) || c.Len() != 0 {
		t.Fatalf("moved past a pending split line: %+v %q", pos, c.String())
	}
	// Cut here: the next stream replays all three messages.
	s = newSession(&pos, out)
	s.message(0, []byte(stamp(base)+" head-"))
	s.message(1, []byte(stamp(base)+" other\n"))
	s.message(0, []byte(stamp(base)+" tail\r\n"))
	out.flush()
	lines := strings.Split(strings.TrimSuffix(c.String(), "\n"), "\n")
	if len(lines) != 2 || lines[0] != "other" || lines[1] != "head-tail" {
		t.Fatalf("output %q", c.String())
	}
	if pos != (position{base, 3}) {
		t.Fatalf("position %+v", pos)
	}
}

func TestSinceFormat(t *testing.T) {
	if got := (position{ts: 1_700_000_000_000_000_042}).since(); got != "1700000000.000000042" {
		t.Fatal(got)
	}
}

func TestCopyRawSplitsTTYMessages(t *testing.T) {
	base := int64(1_800_000_000_000_000_000)
	long := strings.Repeat("x", 2*maxMessage) // with "\r\n": three messages
	wire := long + "\r\n"
	var raw strings.Builder
	raw.WriteString(stamp(base) + " short\r\n")
	for off := 0; off < len(wire); off += maxMessage {
		end := off + maxMessage
		if end > len(wire) {
			end = len(wire)
		}
		raw.WriteString(stamp(base+1) + " " + wire[off:end])
	}
	raw.WriteString(stamp(base+2) + " cut-") // torn at the end of the stream
	c, out := newCapture()
	var pos position
	if err := copyRaw(newSession(&pos, out), strings.NewReader(raw.String())); err != nil {
		t.Fatal(err)
	}
	out.flush()
	if got := c.String(); got != "short\n"+long+"\n" {
		t.Fatalf("output: %d bytes, starts %q", len(got), got[:20])
	}
	if pos != (position{base + 1, 3}) {
		t.Fatalf("position %+v", pos)
	}
}
