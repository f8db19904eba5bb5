package serve_test

import (
	"context"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"

	"github.com/darkgo/darkgo/serve"
)

// A DeepStack-compatible server for the bundled face detector, stopped
// gracefully by Ctrl-C.
func Example() {
	face, err := serve.BundledFace(nil)
	if err != nil {
		log.Fatal(err)
	}
	srv, err := serve.New(serve.Config{Models: []*serve.Model{face}, APIKey: os.Getenv("DARKGO_API_KEY")})
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:5000")
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := srv.Serve(ctx, ln); err != nil {
		log.Fatal(err)
	}
}

// The routes inside an existing HTTP server, under a prefix.
func ExampleServer_Handler() {
	face, err := serve.BundledFace(nil)
	if err != nil {
		log.Fatal(err)
	}
	srv, err := serve.New(serve.Config{Models: []*serve.Model{face}})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	mux := http.NewServeMux()
	mux.Handle("/detector/", http.StripPrefix("/detector", srv.Handler()))
	_ = mux // serve it with your own http.Server
}
