// Command greeter serves greetings over HTTP on $PORT (8080 by default).
package main

import (
	"log"
	"net/http"
	"os"

	"example.invalid/greeter/v2/internal/greet"
)

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(greet.For(r.URL.Query().Get("name"))))
	})
	log.Printf("listening on :%s", port)
	log.Fatal(http.ListenAndServe(":"+port, nil))
}
