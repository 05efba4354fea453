package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"time"

	"github.com/docker/docker/api/types"
	"github.com/docker/docker/client"
	"github.com/docker/docker/pkg/stdcopy"
)

// fixedFollower follows a container the way that cannot leak: every stream
// has a deadline (-rotation) and is closed when it ends, however it ends;
// TTY streams are read raw; the next stream resumes at the position.
type fixedFollower struct {
	cli      *client.Client
	out      *lineWriter
	rotation time.Duration
}

type streamEnd int

const (
	streamRotated   streamEnd = iota // the rotation deadline closed it
	streamEnded                      // the daemon ended it (the container stopped)
	streamFailed                     // open or read error
	streamCancelled                  // shutting down
)

func (f *fixedFollower) run(ctx context.Context, m *manager, st *containerState) {
	tty, inspected := false, false
	backoff := time.Duration(0)
	for {
		if ctx.Err() != nil {
			m.finish(st)
			return
		}
		if backoff > 0 && !sleepCtx(ctx, backoff) {
			continue
		}
		if !inspected {
			info, err := f.cli.ContainerInspect(ctx, st.id)
			if client.IsErrNotFound(err) {
				if m.finish(st) {
					continue
				}
				return
			}
			if err != nil {
				backoff = nextBackoff(backoff)
				continue
			}
			tty, inspected = info.Config != nil && info.Config.Tty, true
		}

		end, delivered, err := f.stream(ctx, st, tty)
		if delivered || end == streamRotated {
			backoff = 0
		}
		switch end {
		case streamCancelled:
			continue
		case streamRotated:
			rotationsTotal.Inc()
			logf("info", "msg=rotated container=%s", short(st.id))
			if !m.isDead(st) {
				continue
			}
		case streamFailed:
			logf("warn", "msg=%q container=%s err=%q", "log stream failed", short(st.id), err.Error())
			backoff = nextBackoff(backoff)
		}

		// The stream ended, failed, or the container died: stop when it is
		// no longer running (its stream has delivered everything by then).
		info, err := f.cli.ContainerInspect(ctx, st.id)
		gone := client.IsErrNotFound(err) || (err == nil && (info.State == nil || !info.State.Running))
		if !gone {
			if end == streamEnded && !delivered {
				backoff = nextBackoff(backoff) // ended at once while running: do not spin
			}
			continue
		}
		logf("info", "msg=%q container=%s", "container stopped, not following", short(st.id))
		if m.finish(st) { // started again meanwhile
			inspected = false
			continue
		}
		return
	}
}

// stream reads one log stream from the position until the rotation deadline,
// its end or an error, and always closes it.
func (f *fixedFollower) stream(ctx context.Context, st *containerState, tty bool) (streamEnd, bool, error) {
	sctx, cancel := context.WithTimeout(ctx, f.rotation)
	defer cancel()
	opts := types.ContainerLogsOptions{ShowStdout: true, ShowStderr: true, Follow: true, Timestamps: true}
	if st.pos.ts > 0 {
		opts.Since = st.pos.since()
	}
	before := st.pos
	rc, err := f.cli.ContainerLogs(sctx, st.id, opts)
	if err != nil {
		if ctx.Err() != nil {
			return streamCancelled, false, err
		}
		streamErrors.Inc()
		return streamFailed, false, err
	}
	defer rc.Close()
	streamsOpened.Inc()
	streamsActive.Inc()
	defer streamsActive.Dec()

	s := newSession(&st.pos, f.out)
	if tty {
		err = copyRaw(s, rc)
	} else {
		_, err = stdcopy.StdCopy(streamWriter{s, 0}, streamWriter{s, 1}, rc)
	}
	delivered := st.pos != before
	switch {
	case ctx.Err() != nil:
		return streamCancelled, delivered, err
	case errors.Is(sctx.Err(), context.DeadlineExceeded):
		return streamRotated, delivered, nil
	case err != nil:
		streamErrors.Inc()
		return streamFailed, delivered, err
	}
	return streamEnded, delivered, nil
}

// maxMessage is the longest message dockerd logs: longer lines are split
// into 16 KiB messages with one timestamp, only the last ending in "\n".
const maxMessage = 16 << 10

// copyRaw cuts a TTY stream (no frames) into messages: a timestamp, a space,
// then text up to and including "\n", or exactly maxMessage bytes without
// one (the head of a split line). A message still incomplete when the stream
// ends is dropped: the position is before it, so the next stream replays it.
func copyRaw(s *session, r io.Reader) error {
	buf := make([]byte, 0, 64<<10)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // grow (a message is at most ~16 KiB)
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		used := 0
		for used < len(buf) {
			m := nextRawMessage(buf[used:])
			if m == 0 {
				break
			}
			s.message(0, buf[used:used+m])
			used += m
		}
		buf = buf[:copy(buf, buf[used:])]
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// nextRawMessage is the length of the complete message at the start of b,
// or 0 when b does not hold one yet.
func nextRawMessage(b []byte) int {
	text := 0
	if sp := bytes.IndexByte(b[:min(len(b), 64)], ' '); sp > 0 {
		if _, _, ok := parseStamp(b[:sp+1]); ok {
			text = sp + 1
		}
	}
	if text == 0 && len(b) < 64 && bytes.IndexByte(b, '\n') < 0 {
		return 0 // the stamp may be incomplete
	}
	limit := min(len(b), text+maxMessage)
	if nl := bytes.IndexByte(b[text:limit], '\n'); nl >= 0 {
		return text + nl + 1
	}
	if text > 0 && len(b)-text >= maxMessage {
		return text + maxMessage
	}
	if text == 0 && len(b) >= maxMessage { // no stamp and no newline: pass it on
		return len(b)
	}
	return 0
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}

func nextBackoff(b time.Duration) time.Duration {
	switch {
	case b == 0:
		return 100 * time.Millisecond
	case b >= 5*time.Second/2:
		return 5 * time.Second
	}
	return 2 * b
}
