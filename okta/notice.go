package okta

import (
	"context"
	"time"
)

// Notice is something the client did on its own that a person watching a run should see:
// waiting for a rate limit, or looking an object up because a write lost its answer. The
// screen is only the truth when these are shown, not silent.
type Notice struct {
	Kind         NoticeKind
	Method, Path string
	// Wait is how long the client waits before sending (NoticeRateLimitWait).
	Wait time.Duration
	// Detail is a short human sentence ("found: the policy exists", "bucket 3/600 left").
	Detail string
}

// NoticeKind says what a Notice is about.
type NoticeKind int

const (
	// NoticeRateLimitWait: a 429 was answered, or a bucket is nearly empty; the client waits
	// Wait before sending.
	NoticeRateLimitWait NoticeKind = iota + 1
	// NoticeReconciled: a write lost its answer and the client looked the object up.
	NoticeReconciled
)

type notifierKey struct{}

// WithNotifier returns a context whose calls report their notices to fn (from the goroutine
// making the call; fn must not block).
func WithNotifier(ctx context.Context, fn func(Notice)) context.Context {
	return context.WithValue(ctx, notifierKey{}, fn)
}

// notify reports n to the context's notifier, if any.
func notify(ctx context.Context, n Notice) {
	if fn, ok := ctx.Value(notifierKey{}).(func(Notice)); ok && fn != nil {
		fn(n)
	}
}
