package main

import (
	"context"
	"time"

	"github.com/docker/docker/api/types"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/client"
)

// watchContainers subscribes to container start/die/destroy events, then
// lists the containers (so none starts unseen between the two), and hands
// both to the manager. When the events stream fails (daemon restart) it
// subscribes and lists again, with backoff.
func watchContainers(ctx context.Context, cli *client.Client, m *manager) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		if watchOnce(ctx, cli, m) {
			backoff = 100 * time.Millisecond
		}
		if !sleepCtx(ctx, backoff) {
			return
		}
		if backoff *= 2; backoff > 5*time.Second {
			backoff = 5 * time.Second
		}
	}
}

// watchOnce returns true when it got as far as a listing.
func watchOnce(ctx context.Context, cli *client.Client, m *manager) bool {
	ectx, cancel := context.WithCancel(ctx)
	defer cancel() // ends the client's events goroutine and closes its body
	msgs, errs := cli.Events(ectx, types.EventsOptions{Filters: filters.NewArgs(
		filters.Arg("type", "container"),
		filters.Arg("event", "start"), filters.Arg("event", "die"), filters.Arg("event", "destroy"))})

	list, err := cli.ContainerList(ctx, types.ContainerListOptions{All: true})
	if err != nil {
		if ctx.Err() == nil {
			logf("warn", "msg=%q err=%q", "listing containers", err.Error())
		}
		return false
	}
	exists := make(map[string]bool, len(list))
	for _, c := range list {
		exists[c.ID] = true
		if c.State == "running" {
			m.ensure(c.ID)
		}
	}
	m.prune(exists)

	for {
		select {
		case <-ctx.Done():
			return true
		case err := <-errs:
			if ctx.Err() == nil {
				logf("warn", "msg=%q err=%q", "events stream ended", errString(err))
			}
			return true
		case e := <-msgs:
			id := e.Actor.ID
			logf("info", "msg=event action=%s container=%s", e.Action, short(id))
			switch e.Action {
			case "start":
				m.started(id)
			case "die":
				m.died(id)
			case "destroy":
				m.destroyed(id)
			}
		}
	}
}

func errString(err error) string {
	if err == nil {
		return "end of stream"
	}
	return err.Error()
}
