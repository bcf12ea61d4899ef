// A minimal agentwire client in Go: connect to the hub's Unix socket, say hub/hello, send one request, print
// the answer. Run: go run client.go [METHOD] [PARAMS-JSON]. The socket: $AGENTWIRE_HOME/hub.sock, else
// ~/.agentwire/hub.sock.
package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	method, params := "hub/ping", "{}"
	if len(os.Args) > 1 {
		method = os.Args[1]
	}
	if len(os.Args) > 2 {
		params = os.Args[2]
	}
	home := os.Getenv("AGENTWIRE_HOME")
	if home == "" {
		h, _ := os.UserHomeDir()
		home = filepath.Join(h, ".agentwire")
	}
	path := filepath.Join(home, "hub.sock")
	conn, err := net.Dial("unix", path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "cannot connect to %s: %v (is the hub running? aw hub)\n", path, err)
		os.Exit(3)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hub/hello\",\"params\":{\"name\":\"go-client\"}}\n")
	fmt.Fprintf(conn, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":%q,\"params\":%s}\n", method, params)
	in := bufio.NewReader(conn)
	hello, err := in.ReadString('\n')
	if err != nil || strings.Contains(hello, "\"error\"") {
		fmt.Fprintf(os.Stderr, "hub/hello failed: %s %v\n", hello, err)
		os.Exit(4)
	}
	answer, err := in.ReadString('\n')
	if err != nil {
		fmt.Fprintln(os.Stderr, "the hub closed the connection")
		os.Exit(1)
	}
	fmt.Print(answer)
	if strings.Contains(answer, "\"error\"") {
		os.Exit(1)
	}
}
