// Command floor reads one file and prints it: the least a credential helper can do per call.
// The benchmarks measure aadcred's warm-cache answers against it.
package main

import (
	"os"
)

func main() {
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		os.Exit(1)
	}
	os.Stdout.Write(data)
}
