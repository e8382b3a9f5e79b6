package artifact

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestList(t *testing.T) {
	t.Parallel()
	f, srv := newFakeServer(t)
	c := newTestClient(t, srv)

	tests := []struct {
		name     string
		path     string
		wantBody string
		want     Listing
	}{
		{
			name:     "root",
			path:     "",
			wantBody: `{"deleted":false,"repo_id":1495097876821574}`,
			want: Listing{Pre: ".", Entries: []Entry{
				{Dir: true, Name: "aa", Path: "basic/aa"},
				{Dir: true, Name: "test", Path: "basic/test"},
				{Dir: true, Name: "ubuntu", Path: "basic/ubuntu"},
			}},
		},
		{
			name:     "image keeps the server's order",
			path:     "/basic/aa/",
			wantBody: `{"deleted":false,"repo_id":1495097876821574,"path":"basic/aa"}`,
			want: Listing{Pre: "basic", Entries: []Entry{
				{Dir: true, Name: "06", Path: "basic/aa/06"},
				{Dir: true, Name: "100", Path: "basic/aa/100"},
				{Dir: true, Name: "V5", Path: "basic/aa/V5"},
				{Dir: true, Name: "aa01", Path: "basic/aa/aa01"},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.List(context.Background(), testRepoID, tt.path, false)
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("listing mismatch (-want +got):\n%s", diff)
			}

			f.mu.Lock()
			body := string(f.bodies[len(f.bodies)-1])
			req := f.requests[len(f.requests)-1]
			f.mu.Unlock()
			if body != tt.wantBody {
				t.Errorf("request body = %s, want %s", body, tt.wantBody)
			}
			if ct := req.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
			if a := req.Header.Get("Accept"); a != "application/json" {
				t.Errorf("Accept = %q", a)
			}
		})
	}
}

func TestListRepoIDPastJSONSafeInteger(t *testing.T) {
	t.Parallel()
	const id = int64(9007199254740993) // 2^53 + 1: a float64 would round it
	bodies := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies <- string(b)
		fmt.Fprint(w, `{"code":"OK","body":{"pre":".","list":[]}}`)
	}))
	t.Cleanup(srv.Close)
	c := newTestClient(t, srv)

	l, err := c.List(context.Background(), id, "", true)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if got, want := <-bodies, `{"deleted":true,"repo_id":9007199254740993}`; got != want {
		t.Errorf("request body = %s, want %s", got, want)
	}
	if l.Entries == nil || len(l.Entries) != 0 {
		t.Errorf("entries = %#v, want an empty non-nil slice", l.Entries)
	}
}

func TestListFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		status      int
		body        string
		maxList     int64
		want        error
		wantCode    string
		wantMessage string
	}{
		{name: "html page with 200", status: 200,
			body: "<!DOCTYPE html><html><body>login</body></html>", want: ErrNotJSON},
		{name: "garbage", status: 200, body: "\x00\x01garbage", want: ErrNotJSON},
		{name: "empty", status: 200, body: "", want: ErrNotJSON},
		{name: "json array", status: 200, body: `[1,2]`, want: ErrNotJSON},
		{name: "two objects", status: 200,
			body: `{"code":"OK","body":{"pre":".","list":[]}}{}`, want: ErrNotJSON},
		{name: "no code", status: 200, body: `{"body":{"pre":".","list":[]}}`,
			want: ErrNotJSON},
		{name: "bad dir flag", status: 200,
			body: `{"code":"OK","body":{"pre":".","list":[{"dir":2,"name":"a","path":"a"}]}}`,
			want: ErrNotJSON},
		{name: "server code", status: 200,
			body: `{"code":"REPO_NOT_FOUND","msg":"仓库不存在"}`, want: ErrAPI,
			wantCode: "REPO_NOT_FOUND", wantMessage: "仓库不存在"},
		{name: "forbidden", status: 403, body: "no", want: ErrUnauthorized},
		{name: "not found", status: 404, body: "", want: ErrNotFound},
		{name: "server json error", status: 502,
			body: `{"code":"UPSTREAM","message":"gateway down"}`, want: ErrServer,
			wantCode: "UPSTREAM", wantMessage: "gateway down"},
		{name: "teapot", status: 418, body: "", want: ErrStatus},
		{name: "too large", status: 200, maxList: 16,
			body: `{"code":"OK","body":{"pre":".","list":[]}}`, want: ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter,
				r *http.Request) {
				w.WriteHeader(tt.status)
				fmt.Fprint(w, tt.body)
			}))
			t.Cleanup(srv.Close)
			var opts []Option
			if tt.maxList > 0 {
				opts = append(opts, WithMaxBytes(tt.maxList, 1<<20))
			}
			c := newTestClient(t, srv, opts...)

			_, err := c.List(context.Background(), testRepoID, "basic/aa", false)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not an *Error", err)
			}
			if e.Method != http.MethodPost || !strings.HasSuffix(e.URL, listPath) ||
				e.Status != tt.status {
				t.Errorf("*Error = %+v, want POST …%s status %d", e, listPath, tt.status)
			}
			if e.Code != tt.wantCode || e.Message != tt.wantMessage {
				t.Errorf("code, message = %q, %q; want %q, %q",
					e.Code, e.Message, tt.wantCode, tt.wantMessage)
			}
			if !strings.HasPrefix(err.Error(), `listing "basic/aa" in repository`) {
				t.Errorf("error does not say what was listed: %v", err)
			}
		})
	}
}
