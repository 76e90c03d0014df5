package runtime

import (
	"context"
	"log/slog"
)

// WithLogger logs the run to l: one record per event, with the flat
// attribute keys graph, node, path, thread, attempt, duration and error
// (those that apply; path only inside a branch, thread only when the run
// has one). Levels:
//
//	Debug  a node's (or route's) start, a branch's start and delivery
//	Info   a node's (or route's) completion, a fork, a join, the run's end
//	Warn   a retry (with attempt, error and the backoff as delay)
//	Error  a node's, route's, branch's, fork's or run's failure
//
// Records are built only for the levels l is enabled for. A nil l logs
// nothing. It is a hook (see WithHook): a run without one pays nothing.
func WithLogger(l *slog.Logger) Option {
	if l == nil {
		return nil
	}
	return WithHook(func(ctx context.Context, s Scope) (context.Context, func(Report)) {
		lg := &scopeLog{l: l, ctx: ctx, s: s}
		switch s.Kind {
		case NodeScope:
			lg.log(slog.LevelDebug, "node started", nil)
		case RouteScope:
			lg.log(slog.LevelDebug, "route started", nil)
		case BranchScope:
			lg.log(slog.LevelDebug, "branch started", nil)
		case ForkScope:
			lg.log(slog.LevelInfo, "fork", nil, slog.Int("branches", s.Branches))
		case RunScope:
			lg.log(slog.LevelDebug, "run started", nil)
		}
		return ctx, lg.report
	})
}

// scopeLog logs the reports of one scope.
type scopeLog struct {
	l   *slog.Logger
	ctx context.Context
	s   Scope
}

// messages per scope kind: ended well, failed.
var endMessages = [...][2]string{
	RunScope:    {"run finished", "run failed"},
	ForkScope:   {"join", "fork failed"},
	BranchScope: {"branch delivered", "branch failed"},
	NodeScope:   {"node finished", "node failed"},
	RouteScope:  {"route finished", "route failed"},
}

func (lg *scopeLog) report(r Report) {
	if r.Retrying {
		lg.log(slog.LevelWarn, "node retrying", r.Err, slog.Int("attempt", r.Attempt), slog.Duration("delay", r.Delay))
		return
	}
	msgs := endMessages[lg.s.Kind]
	level, msg := slog.LevelInfo, msgs[0]
	if lg.s.Kind == BranchScope {
		level = slog.LevelDebug
	}
	if r.Err != nil {
		level, msg = slog.LevelError, msgs[1]
	}
	var attempt []slog.Attr
	if r.Attempt > 0 {
		attempt = []slog.Attr{slog.Int("attempt", r.Attempt)}
	}
	lg.log(level, msg, r.Err, append(attempt, slog.Duration("duration", r.Duration))...)
}

// log writes one record with the scope's attributes, then extra, then err.
func (lg *scopeLog) log(level slog.Level, msg string, err error, extra ...slog.Attr) {
	if !lg.l.Enabled(lg.ctx, level) {
		return
	}
	s := &lg.s
	attrs := make([]slog.Attr, 0, 6+len(extra))
	attrs = append(attrs, slog.String("graph", s.Graph))
	if s.Node != "" {
		attrs = append(attrs, slog.String("node", s.Node))
	}
	if s.Path != "" {
		attrs = append(attrs, slog.String("path", s.Path))
	}
	if s.Thread != "" {
		attrs = append(attrs, slog.String("thread", s.Thread))
	}
	attrs = append(attrs, extra...)
	if err != nil {
		attrs = append(attrs, slog.Any("error", err))
	}
	lg.l.LogAttrs(lg.ctx, level, msg, attrs...)
}
