//go:build ignore

// slowbody opens n connections to addr, each sending a request whose body trickles one byte a
// second, and reports how many are still open after wait.
package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"sync/atomic"
	"time"
)

func main() {
	addr := os.Args[1]
	n, _ := strconv.Atoi(os.Args[2])
	wait, _ := time.ParseDuration(os.Args[3])
	var closed atomic.Int64
	for range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			panic(err)
		}
		fmt.Fprintf(c, "POST /api/v2/auth/token HTTP/1.1\r\nHost: x\r\nX-Plex-Client-Identifier: m\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
		go func() {
			for {
				time.Sleep(time.Second)
				if _, err := c.Write([]byte(" ")); err != nil {
					closed.Add(1)
					return
				}
			}
		}()
		go func() {
			buf := make([]byte, 1024)
			for {
				if _, err := c.Read(buf); err != nil {
					return
				}
			}
		}()
	}
	time.Sleep(wait)
	fmt.Printf("%d of %d slow-body connections still open after %s\n", int64(n)-closed.Load(), n, wait)
}
