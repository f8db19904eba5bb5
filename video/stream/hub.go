package stream

import "sync"

// item is one published frame or JSON object; never modified once
// published, so all clients share it.
type item struct {
	seq  uint64
	data []byte
}

// hub broadcasts the newest item to its clients. Each client's wake channel
// (capacity 1) is its mailbox: publish replaces the hub's newest item and
// pokes every mailbox without waiting, so a client that is busy writing
// finds only the newest item when it comes back; the ones in between are
// skipped.
type hub struct {
	mu      sync.Mutex
	latest  *item
	clients map[chan struct{}]struct{}
	seq     uint64 // of the last item published; never reused
	closed  bool
}

func newHub() *hub { return &hub{clients: make(map[chan struct{}]struct{})} }

func (h *hub) publish(data []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.seq++
	h.latest = &item{seq: h.seq, data: data}
	for wake := range h.clients {
		select {
		case wake <- struct{}{}:
		default: // already poked: the client will read the newest item
		}
	}
}

// join registers a client. If others are watching, its mailbox already
// holds the newest item, so a new viewer sees the current frame at once.
func (h *hub) join() chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	wake := make(chan struct{}, 1)
	if h.latest != nil {
		wake <- struct{}{}
	}
	h.clients[wake] = struct{}{}
	return wake
}

// leave unregisters a client. The last one to leave clears the newest item:
// nothing is published while nobody watches, so it would be stale for the
// next viewer.
func (h *hub) leave(wake chan struct{}) {
	h.mu.Lock()
	delete(h.clients, wake)
	if len(h.clients) == 0 {
		h.latest = nil
	}
	h.mu.Unlock()
}

// next returns the newest item if it is newer than seq, else nil.
func (h *hub) next(seq uint64) *item {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.latest == nil || h.latest.seq <= seq {
		return nil
	}
	return h.latest
}

func (h *hub) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients)
}

func (h *hub) close() {
	h.mu.Lock()
	h.closed = true
	h.mu.Unlock()
}
