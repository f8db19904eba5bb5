// Package serve is darkgo's detection server: the HTTP API that
// `detect serve` runs, usable from any Go program as an http.Handler.
//
// It speaks the DeepStack / CodeProject.AI Server protocol that camera
// software (Frigate's deepstack detector, Home Assistant's integrations,
// Blue Iris, Agent DVR) already uses:
//
//	POST /v1/vision/detection     multipart field "image"; "min_confidence" (0.4), "api_key"
//	POST /v1/vision/face          the same, on the face model
//	POST /v1/vision/custom/NAME   the same, on model NAME
//
// answered with {"success": true, "predictions": [{"label", "confidence",
// "x_min", "y_min", "x_max", "y_max"}, ...], "count", "inferenceMs",
// "processMs"}: integer pixel coordinates in the uploaded image, highest
// confidence first. Face predictions carry "label": "face" as well as
// DeepStack's face fields (clients of DeepStack's label-less face shape
// ignore the extra key). Models named with Darknet's coco.names answer
// with COCO's official names (motorcycle, not motorbike), as DeepStack
// does and Frigate's labelmap expects. And darkgo's own:
//
//	POST /v1/detect?model=&thresh=&nms=&classes=   the object `detect -json` prints for one image
//	GET  /v1/models, /healthz, /readyz, /metrics (Prometheus)
//
// Errors are {"success": false, "error": "..."} with a 4xx status for bad
// requests and 5xx only for the server's own trouble (503 when the queue is
// full, with Retry-After).
//
// Inference runs on a fixed set of workers, each owning an engine.Session
// per model, fed by a bounded queue: a full queue answers 503 at once, and
// a request whose deadline passes while it waits is dropped before it
// reaches the network.
package serve
