package stream

import "net/http"

// viewPage shows the MJPEG stream scaled to the window, reconnecting when
// it breaks. The image URL is relative so the page also works behind a
// reverse proxy's path prefix.
const viewPage = `<!doctype html>
<html><head><meta charset="utf-8"><title>darkgo live view</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
html, body { margin: 0; height: 100%; background: #111; }
img { display: block; width: 100%; height: 100%; object-fit: contain; }
</style></head>
<body><img src="stream.mjpg" alt="live view">
<script>
// When the stream breaks (the server restarted, the network dropped),
// reconnect after a second instead of showing a broken image.
const img = document.querySelector("img");
img.onerror = () => setTimeout(() => { img.src = "stream.mjpg?t=" + Date.now(); }, 1000);
</script></body></html>
`

func serveView(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write([]byte(viewPage))
}
