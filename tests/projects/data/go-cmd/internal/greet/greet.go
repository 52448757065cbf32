// Package greet builds the greeting the server answers with.
package greet

import "fmt"

// For returns the greeting for name, or for the world when name is empty.
func For(name string) string {
	if name == "" {
		name = "world"
	}
	return fmt.Sprintf("hello, %s\n", name)
}
