package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

// referenceCommand is the hidden first argument that makes octobench run the reference server,
// in a process of its own so that its memory is measured as octoinvite's is.
const referenceCommand = "reference"

// runReference serves the reference: a bare net/http handler that answers a GET with the bytes
// of octoinvite's answer for one invitation, and a POST, after reading its body, with a fixed 201
// carrying the bytes of octoinvite's answer for a created one. It prints its address, then
// serves until killed.
func runReference(args []string, stdout io.Writer) error {
	f := flag.NewFlagSet(referenceCommand, flag.ContinueOnError)
	getFile := f.String("get", "", "file with the body of a GET answer")
	postFile := f.String("post", "", "file with the body of a POST answer")
	if err := f.Parse(args); err != nil {
		return err
	}
	getBody, err := os.ReadFile(*getFile)
	if err != nil {
		return err
	}
	postBody, err := os.ReadFile(*postFile)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "http://%s\n", ln.Addr())
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json; charset=utf-8")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-store")
		if r.Method == http.MethodPost {
			_, _ = io.Copy(io.Discard, r.Body)
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write(postBody)
			return
		}
		_, _ = w.Write(getBody)
	})
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	return srv.Serve(ln)
}
