package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// Serve runs the server on ln until ctx ends, then shuts down gracefully:
// it stops accepting, lets in-flight requests finish within
// ShutdownTimeout, and stops the workers. It returns nil after a clean
// shutdown, and an error if it could not serve or had to cut requests off.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	c := s.cfg
	readHeader := orDefault(c.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	read := orDefault(c.ReadTimeout, DefaultReadTimeout)
	srv := &http.Server{
		Handler:           s.mux,
		ReadHeaderTimeout: readHeader,
		ReadTimeout:       read,
		WriteTimeout:      orDefault(c.WriteTimeout, read+c.Timeout+5*time.Second),
		IdleTimeout:       orDefault(c.IdleTimeout, DefaultIdleTimeout),
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	maxConns := c.MaxConns
	if maxConns <= 0 {
		maxConns = DefaultMaxConns
	}
	ln = limitListener(ln, maxConns)
	errc := make(chan error, 1)
	go func() {
		if c.TLSCert != "" || c.TLSKey != "" {
			errc <- srv.ServeTLS(ln, c.TLSCert, c.TLSKey)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		s.pool.close()
		return err
	case <-ctx.Done():
	}
	s.stopping.Store(true)
	sctx, cancel := context.WithTimeout(context.Background(), orDefault(c.ShutdownTimeout, DefaultShutdownTimeout))
	defer cancel()
	err := srv.Shutdown(sctx)
	if err != nil {
		srv.Close() // cut the requests still running; their contexts end
		err = fmt.Errorf("shutdown: in-flight requests cut off after %v: %w", orDefault(c.ShutdownTimeout, DefaultShutdownTimeout), err)
	}
	s.pool.close()
	if e := <-errc; !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	return err
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// limitListener accepts at most n connections at a time: Accept waits for
// one to close (the kernel's backlog holds the others), so a flood of idle
// connections cannot exhaust file descriptors or memory.
func limitListener(ln net.Listener, n int) net.Listener {
	return &limitedListener{Listener: ln, sem: make(chan struct{}, n), done: make(chan struct{})}
}

type limitedListener struct {
	net.Listener
	sem       chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

func (l *limitedListener) Accept() (net.Conn, error) {
	select {
	case l.sem <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	return &limitedConn{Conn: c, release: func() { <-l.sem }}, nil
}

func (l *limitedListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
