package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Println("cannot start: missing configuration")
	os.Exit(3)
}
