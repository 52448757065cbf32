package main

import (
	"log"
	"net/http"
	"os"

	"example.com/greeting"
)

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(greeting.For(r.URL.Query().Get("name")) + "\n"))
	})
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ready")) })
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	log.Printf("shop listening on :%s", port)
	log.Fatal(http.ListenAndServe(":"+port, mux))
}
