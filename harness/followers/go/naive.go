package main

import (
	"context"
	"time"

	"github.com/docker/docker/api/types"
	"github.com/docker/docker/client"
	"github.com/docker/docker/pkg/stdcopy"
)

// naiveFollower follows a container the way many Go log shippers do, and
// leaks: it never closes a log stream, and demultiplexes every stream with
// stdcopy.StdCopy. A TTY container's stream is raw bytes, which StdCopy
// rejects at the first byte ("Unrecognized input header: 50", the '2' of
// the timestamp). The follower logs that and retries after a second without
// closing the body, so the failed response keeps its connection: the
// transport's readLoop goroutine waits for the body to be read or closed,
// its writeLoop goroutine waits for the next request, and the socket stays
// open. Two goroutines and one fd per retry, for as long as the container
// exists. (A stream read to its end, a container that stopped, releases
// its connection by itself: Go recycles a connection whose body hit EOF.)
type naiveFollower struct {
	cli *client.Client
	out *lineWriter
}

func (n *naiveFollower) run(ctx context.Context, m *manager, st *containerState) {
	for {
		if ctx.Err() != nil {
			m.finish(st)
			return
		}
		rc, err := n.cli.ContainerLogs(ctx, st.id, types.ContainerLogsOptions{
			ShowStdout: true, ShowStderr: true, Follow: true, Timestamps: true})
		if err != nil {
			if client.IsErrNotFound(err) || ctx.Err() != nil {
				if m.finish(st) {
					continue
				}
				return
			}
			streamErrors.Inc()
			logf("error", "msg=%q container=%s err=%q", "opening log stream", short(st.id), err.Error())
			sleepCtx(ctx, time.Second)
			continue
		}
		streamsOpened.Inc()
		streamsActive.Inc()
		// The bug: rc.Close() is never called, on any path.
		var pos position
		s := newSession(&pos, n.out)
		_, err = stdcopy.StdCopy(streamWriter{s, 0}, streamWriter{s, 1}, rc)
		streamsActive.Dec()
		if err != nil && ctx.Err() == nil {
			streamErrors.Inc()
			logf("error", "msg=%q container=%s err=%q", "reading log stream", short(st.id), err.Error())
			sleepCtx(ctx, time.Second)
			continue
		}
		if m.finish(st) {
			continue
		}
		return
	}
}
