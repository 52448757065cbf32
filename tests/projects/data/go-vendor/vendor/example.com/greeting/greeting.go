// Package greeting makes the shop's greetings.
package greeting

import "fmt"

// For greets a visitor by name.
func For(name string) string {
	if name == "" {
		name = "visitor"
	}
	return fmt.Sprintf("hello, %s, from the go shop", name)
}
