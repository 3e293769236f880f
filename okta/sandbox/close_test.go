package sandbox

import (
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// closeHangBound is far below the 5 s net/http waits for a connection that never sent a
// request, and far above what a prompt Close takes: a liveness bound, not a speed target.
const closeHangBound = 3 * time.Second

// closeWithin closes srv and fails if Close has not returned within closeHangBound.
func closeWithin(t *testing.T, srv *Server) {
	t.Helper()
	closed := make(chan error, 1)
	go func() { closed <- srv.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatalf("Close: %v", err)
		}
	case <-time.After(closeHangBound):
		t.Fatalf("Close still waiting after %v", closeHangBound)
	}
}

// A client that opened a connection and never used it must not hold Close up; the server
// closes that connection.
func TestCloseDoesNotWaitForUnusedConnection(t *testing.T) {
	srv := startServer(t, Options{Token: "t"})
	conn := dialUnused(t, srv)
	closeWithin(t, srv)
	_ = conn.SetReadDeadline(time.Now().Add(closeHangBound))
	if _, err := conn.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Fatalf("the unused connection should be closed by the server, read gave %v", err)
	}
}

// An idle keep-alive connection (one request answered, then nothing) does not hold Close up.
func TestCloseWithIdleKeepAliveConnection(t *testing.T) {
	srv := startServer(t, Options{Token: "t"})
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	req, _ := http.NewRequest("GET", srv.URL()+"/api/v1/zones", nil)
	req.Header.Set("Authorization", "SSWS t")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	// And one more connection the client never used.
	dialUnused(t, srv)
	closeWithin(t, srv)
	if _, err := hc.Do(req); err == nil {
		t.Fatal("the server should be closed")
	}
}

// dialUnused opens a connection to srv that sends nothing, and waits until the server has
// accepted it. The test's end closes it.
func dialUnused(t *testing.T, srv *Server) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", srv.URL()[len("http://"):])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	waitFor(t, func() bool { srv.connMu.Lock(); defer srv.connMu.Unlock(); return len(srv.fresh) == 1 })
	return conn
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(closeHangBound)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
