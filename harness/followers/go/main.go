// go-follower: a Docker log follower written the way Go log shippers are
// written, in two builds, to prove leakbench's goroutine criteria.
//
//	naive: never closes a log stream; StdCopy on every stream; on an error it
//	       retries the container after 1 s, leaking the failed stream's HTTP
//	       connection (two goroutines and one fd per retry on a TTY container).
//	fixed: rotates every stream after -rotation, closes every body, reads TTY
//	       streams raw, resumes from the last delivered position.
//
// Each captured log line goes to stdout, timestamp prefix dropped; warnings
// and errors go to stderr as "level=warn|error ..." lines. /metrics and
// /debug/pprof/ are served on -listen.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/docker/docker/client"
)

// defaultMode is set per binary at link time: -X main.defaultMode=naive.
var defaultMode = "fixed"

func main() {
	mode := flag.String("mode", defaultMode, "naive or fixed")
	listen := flag.String("listen", "127.0.0.1:9465", "address for /metrics and /debug/pprof/ (empty: none)")
	rotation := flag.Duration("rotation", 5*time.Second, "fixed: close and reopen every log stream after this long")
	verbose := flag.Bool("v", false, "log stream opens, rotations and container lifecycle to stderr (level=info)")
	flag.Parse()

	if *mode != "naive" && *mode != "fixed" {
		fail("-mode %q: must be naive or fixed", *mode)
	}
	if *rotation < 10*time.Millisecond || *rotation > 8760*time.Hour {
		fail("-rotation %s: must be between 10ms and 8760h", *rotation)
	}
	if flag.NArg() > 0 {
		fail("unexpected argument %q", flag.Arg(0))
	}
	logVerbose = *verbose

	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		fail("docker client from the environment (DOCKER_HOST): %v", err)
	}
	defer cli.Close()

	if *listen != "" {
		if err := serveDebug(*listen, *mode); err != nil {
			fail("-listen %s: %v", *listen, err)
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	out := newLineWriter(os.Stdout)
	go out.flushEvery(ctx, 100*time.Millisecond)

	var follow followFunc
	if *mode == "naive" {
		follow = (&naiveFollower{cli: cli, out: out}).run
	} else {
		follow = (&fixedFollower{cli: cli, out: out, rotation: *rotation}).run
	}
	m := newManager(ctx, follow)
	go watchContainers(ctx, cli, m)

	<-ctx.Done()
	// The fixed build lets its followers end their streams (each closes its
	// body); the naive build has nothing to wait for that would ever end.
	if *mode == "fixed" {
		m.wait(3 * time.Second)
	}
	out.flush()
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "go-follower: "+format+"\n", args...)
	os.Exit(2)
}
