package stream_test

import (
	"encoding/json"
	"image"
	"log"

	"github.com/darkgo/darkgo/video/stream"
)

// A pipeline publishing its annotated frames and detections for browsers
// (http://127.0.0.1:8090/view) and JSON clients (curl 127.0.0.1:8090/stream.json).
func Example() {
	srv, err := stream.Listen(stream.Addr("", 8090), stream.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	frames := make(chan image.Image) // the pipeline's annotated frames
	for img := range frames {
		if err := srv.PublishFrame(img); err != nil { // copied; encoded only if someone watches
			log.Print(err)
		}
		line, _ := json.Marshal(map[string]any{"objects": []string{}})
		srv.PublishJSON(line)
	}
}
