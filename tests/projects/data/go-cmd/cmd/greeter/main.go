// Command greeter serves greetings over HTTP on $PORT (8080 by default), as an html page from a template it reads
// at start from web/templates, relative to its working folder (not embedded in the binary).
package main

import (
	"html/template"
	"log"
	"net/http"
	"os"

	"example.invalid/greeter/v2/internal/greet"
)

var page = template.Must(template.ParseFiles("web/templates/page.html"))

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if err := page.Execute(w, greet.For(r.URL.Query().Get("name"))); err != nil {
			log.Print(err)
		}
	})
	log.Printf("listening on :%s", port)
	log.Fatal(http.ListenAndServe(":"+port, nil))
}
