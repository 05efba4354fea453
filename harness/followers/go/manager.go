package main

import (
	"context"
	"sync"
	"time"
)

// containerState is one container as the manager knows it. pos is read and
// written only by the container's follower goroutine (at most one at a time).
type containerState struct {
	id  string
	pos position // fixed: what has been delivered so far

	// guarded by manager.mu
	running   bool // a follower goroutine exists
	again     bool // a start event came while it ran: follow once more before stopping
	dead      bool // a die event came since the last start
	destroyed bool
}

// followFunc follows one container until it is gone, calling m.finish
// before it returns.
type followFunc func(ctx context.Context, m *manager, st *containerState)

// manager starts at most one follower goroutine per container.
type manager struct {
	ctx    context.Context
	follow followFunc
	mu     sync.Mutex
	cs     map[string]*containerState
	wg     sync.WaitGroup
}

func newManager(ctx context.Context, follow followFunc) *manager {
	return &manager{ctx: ctx, follow: follow, cs: map[string]*containerState{}}
}

func (m *manager) stateLocked(id string) *containerState {
	st := m.cs[id]
	if st == nil {
		st = &containerState{id: id}
		m.cs[id] = st
	}
	return st
}

func (m *manager) spawnLocked(st *containerState) {
	if m.ctx.Err() != nil {
		return
	}
	st.running = true
	containersFollowed.Inc()
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		m.follow(m.ctx, m, st)
	}()
}

// ensure follows a container found running by a list, unless it is followed.
func (m *manager) ensure(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.stateLocked(id)
	if !st.running {
		st.dead, st.destroyed = false, false
		m.spawnLocked(st)
	}
}

// started handles a start event.
func (m *manager) started(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.stateLocked(id)
	st.dead, st.destroyed = false, false
	if st.running {
		st.again = true
		return
	}
	m.spawnLocked(st)
}

// died handles a die event.
func (m *manager) died(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if st := m.cs[id]; st != nil {
		st.dead = true
	}
}

// destroyed handles a destroy event: the container's state is dropped once
// no follower holds it.
func (m *manager) destroyed(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if st := m.cs[id]; st != nil {
		st.dead, st.destroyed = true, true
		if !st.running {
			delete(m.cs, id)
		}
	}
}

// prune drops the state of stopped containers that no longer exist.
func (m *manager) prune(exists map[string]bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for id, st := range m.cs {
		if !st.running && !exists[id] {
			delete(m.cs, id)
		}
	}
}

func (m *manager) isDead(st *containerState) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return st.dead
}

// finish is called by a follower that is about to stop: it returns true
// (go on following) when a start event arrived meanwhile.
func (m *manager) finish(st *containerState) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if st.again && m.ctx.Err() == nil {
		st.again = false
		return true
	}
	st.running = false
	containersFollowed.Dec()
	if st.destroyed && m.cs[st.id] == st {
		delete(m.cs, st.id)
	}
	return false
}

// wait waits up to d for every follower goroutine to return.
func (m *manager) wait(d time.Duration) bool {
	done := make(chan struct{})
	go func() { m.wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

// sleepCtx sleeps d, or less when ctx ends; false when ctx ended.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
