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
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return
	}
	// Each MJPEG part is followed by the next boundary rather than preceded
	// by it, so a reader that finds parts by their boundary (browsers do)
	// has a frame complete as soon as it is sent, not one frame later.
	var head []byte
	if k == MJPEG {
		head = []byte("--" + boundary + "\r\n")
	}
	if s.send(w, rc, head) != nil {
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
		var err error
		if k == MJPEG {
			err = s.send(w, rc,
				[]byte("Content-Type: image/jpeg\r\nContent-Length: "+strconv.Itoa(len(it.data))+"\r\n\r\n"),
				it.data, []byte("\r\n--"+boundary+"\r\n"))
		} else {
			err = s.send(w, rc, it.data)
		}
		if err != nil {
			return
		}
	}
}

// send writes data to the client and flushes it, within WriteTimeout: a
// client that does not take it in time (stalled, or a dead peer whose TCP
// buffers are full) gets an error and is dropped.
func (s *Server) send(w http.ResponseWriter, rc *http.ResponseController, data ...[]byte) error {
	if err := rc.SetWriteDeadline(time.Now().Add(s.opts.WriteTimeout)); err != nil {
		return err
	}
	for _, b := range data {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return rc.Flush()
}
