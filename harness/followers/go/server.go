package main

import (
	"net"
	"net/http"
	_ "net/http/pprof" // /debug/pprof/ on http.DefaultServeMux

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// The default registry already holds the Go collector (go_goroutines,
// go_memstats_*) and the process collector (process_open_fds,
// process_resident_memory_bytes, ...); these are the follower's own.
var (
	streamsActive = promauto.NewGauge(prometheus.GaugeOpts{
		Name: "gofollower_streams_active", Help: "Log streams being read now."})
	streamsOpened = promauto.NewCounter(prometheus.CounterOpts{
		Name: "gofollower_streams_opened_total", Help: "Log streams opened."})
	rotationsTotal = promauto.NewCounter(prometheus.CounterOpts{
		Name: "gofollower_rotations_total", Help: "Log streams closed by the rotation timer (fixed)."})
	streamErrors = promauto.NewCounter(prometheus.CounterOpts{
		Name: "gofollower_stream_errors_total", Help: "Log streams that failed (open or read)."})
	linesTotal = promauto.NewCounter(prometheus.CounterOpts{
		Name: "gofollower_lines_total", Help: "Log lines written to stdout."})
	containersFollowed = promauto.NewGauge(prometheus.GaugeOpts{
		Name: "gofollower_containers_followed", Help: "Containers with a follower goroutine."})
	buildInfo = promauto.NewGaugeVec(prometheus.GaugeOpts{
		Name: "gofollower_info", Help: "Always 1; the build's mode."}, []string{"mode"})
)

// serveDebug listens on addr (so a bad address fails at start) and serves
// /metrics and /debug/pprof/ in the background.
func serveDebug(addr, mode string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	buildInfo.WithLabelValues(mode).Set(1)
	http.Handle("/metrics", promhttp.Handler())
	go func() {
		if err := http.Serve(ln, nil); err != nil {
			logf("error", "msg=%q err=%q", "metrics server stopped", err.Error())
		}
	}()
	return nil
}
