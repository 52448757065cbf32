// Command migrate is a one-off maintenance tool beside the server (not what the image runs).
package main

import "fmt"

func main() {
	fmt.Println("nothing to migrate")
}
