// Command kuard-go is a small demo service modelled on kuard: it serves a bundled front-end and
// reports its environment, with a liveness (/healthz) and a readiness (/readyz) endpoint.
package main

import (
	"context"
	"embed"
	"encoding/json"
	"io/fs"
	"log"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

//go:embed dist
var bundle embed.FS

var ready atomic.Bool

func writeJSON(w http.ResponseWriter, code int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}

func newMux(static fs.FS, started time.Time) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "alive"})
	})
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		if !ready.Load() {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "warming up"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	mux.HandleFunc("/api/info", func(w http.ResponseWriter, r *http.Request) {
		host, _ := os.Hostname()
		writeJSON(w, http.StatusOK, map[string]any{
			"hostname": host, "uptime": time.Since(started).Round(time.Second).String(),
			"uid": os.Getuid(), "ready": ready.Load(),
		})
	})
	mux.HandleFunc("/api/env", func(w http.ResponseWriter, r *http.Request) {
		env := os.Environ()
		sort.Strings(env)
		keys := make([]string, 0, len(env))
		for _, kv := range env {
			// Only names: values may hold secrets.
			keys = append(keys, strings.SplitN(kv, "=", 2)[0])
		}
		writeJSON(w, http.StatusOK, map[string]any{"env": keys})
	})
	mux.Handle("/", http.FileServer(http.FS(static)))
	return mux
}

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	static, err := fs.Sub(bundle, "dist")
	if err != nil {
		log.Fatal(err)
	}
	started := time.Now()
	srv := &http.Server{Addr: ":" + port, Handler: newMux(static, started), ReadHeaderTimeout: 5 * time.Second}
	time.AfterFunc(time.Second, func() { ready.Store(true) })

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, os.Interrupt)
	go func() {
		<-stop
		ready.Store(false)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}()
	log.Printf("kuard-go listening on :%s", port)
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
