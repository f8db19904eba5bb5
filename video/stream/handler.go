package stream

import (
	"net/http"
	"strconv"
	"time"
)

// boundary separates the MJPEG parts. Parts carry Content-Length, so
// readers need not scan for it in the JPEG data.
const boundary = "darkgoframe"

// serveStream streams kind k to one client until it goes away, a write
// fails or times out, or the server closes.
func (s *Server) serveStream(w http.ResponseWriter, r *http.Request, k Kind) {
	select {
	case s.slots <- struct{}{}:
	default:
		w.Header().Set("Retry-After", "5")
		http.Error(w, "too many clients", http.StatusServiceUnavailable)
		return
	}
	defer func() { <-s.slots }()
	if !s.enter() {
		http.Error(w, "server closing", http.StatusServiceUnavailable)
		return
	}
	defer s.handlers.Done()

	h := s.mjpeg
	ctype := "multipart/x-mixed-replace; boundary=" + boundary
	if k == JSON {
		h = s.json
		ctype = "application/x-ndjson"
	}
	wake := h.join()
	defer h.leave(wake)

	hd := w.Header()
	hd.Set("Content-Type", ctype)
	hd.Set("Cache-Control", "no-cache, no-store, must-revalidate")
	hd.Set("Pragma", "no-cache")
	hd.Set("X-Content-Type-Options", "nosniff")
	// An endless body: sent as is (no chunked encoding, which some MJPEG
	// readers do not undo) and ended by closing the connection.
	hd.Set("Connection", "close")
	hd.Set("Transfer-Encoding", "identity")
	rc := http.NewResponseController(w)
	if err := rc.SetWriteDeadline(time.Now().Add(s.opts.WriteTimeout)); err != nil {
		return
	}
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	// Each MJPEG part is followed by the next boundary rather than preceded
	// by it, so a reader that finds parts by their boundary (browsers do)
	// has a frame complete as soon as it is sent, not one frame later.
	if k == MJPEG {
		if _, err := w.Write([]byte("--" + boundary + "\r\n")); err != nil {
			return
		}
	}
	if rc.Flush() != nil {
		return
	}

	var seq uint64
	for {
		select {
		case <-wake:
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		}
		it := h.next(seq)
		if it == nil {
			continue
		}
		seq = it.seq
		if err := rc.SetWriteDeadline(time.Now().Add(s.opts.WriteTimeout)); err != nil {
			return
		}
		if k == MJPEG {
			head := "Content-Type: image/jpeg\r\nContent-Length: " + strconv.Itoa(len(it.data)) + "\r\n\r\n"
			if _, err := w.Write([]byte(head)); err != nil {
				return
			}
		}
		if _, err := w.Write(it.data); err != nil {
			return
		}
		if k == MJPEG {
			if _, err := w.Write([]byte("\r\n--" + boundary + "\r\n")); err != nil {
				return
			}
		}
		if rc.Flush() != nil {
			return
		}
	}
}
