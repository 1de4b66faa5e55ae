package httpapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm"
	"hotline/telephony/screenpop"
)

// ScreenPopDeps wire the agent console's API: the socket that carries
// pops, the card actions (close, wrap-up) and the dialplan's routing hint.
type ScreenPopDeps struct {
	Hub      screenpop.Hub              // required
	Popper   *screenpop.Popper          // required
	Cards    *screenpop.CardBuilder     // for the routing hint; optional
	Timeline screenpop.InteractionSaver // where wrap-up notes go; required
	Metrics  *screenpop.Metrics
	// Status is the agent status board (the same one the Popper was given);
	// optional: without it the status operations are not registered.
	Status screenpop.StatusBoard
	// Calls lists an agent's calls for "today's calls"; optional.
	Calls AgentCalls
	// OriginPatterns are extra origins (host patterns) allowed to open the
	// socket; the server's own host is always allowed.
	OriginPatterns []string
	// LookupRoles may call GET /api/v1/lookup (the dialplan's token belongs
	// to a user with one of them); default AnyRole.
	LookupRoles []crm.Role
	// LookupTimeout bounds a routing lookup; default 300ms. A slower or
	// failed lookup answers the default so calls are never held up.
	LookupTimeout time.Duration
	// PingEvery is the socket keepalive interval; default 25s.
	PingEvery time.Duration
	// WriteTimeout bounds one socket write; default 5s.
	WriteTimeout time.Duration
	Now          func() time.Time
}

// PopJSON is a live pop as the API returns it (the same JSON the socket sends).
type PopJSON = json.RawMessage

type livePopsInput struct {
	Agent string `query:"agent" maxLength:"64" doc:"supervisors and admins: whose pops; agents may only see their own"`
}

type livePopsOutput struct {
	Body struct {
		Agent string    `json:"agent"`
		Pops  []PopJSON `json:"pops"`
	}
}

type popActionInput struct {
	CallID string `path:"call_id" minLength:"1" maxLength:"200"`
}

type wrapUpInput struct {
	CallID string `path:"call_id" minLength:"1" maxLength:"200"`
	Body   struct {
		ClientID int64  `json:"client_id" minimum:"1"`
		Note     string `json:"note" minLength:"1" maxLength:"10000"`
	}
}

type popOutput struct{ Body screenpop.Pop }

type lookupInput struct {
	Number string `query:"number" maxLength:"64" doc:"the caller's number as received"`
}

type lookupOutput struct {
	ContentType  string `header:"Content-Type"`
	CacheControl string `header:"Cache-Control"`
	Body         []byte
}

// popHandlers serve the console's operations.
type popHandlers struct {
	srv *Server // the logger, the centre's zone and the problem mapping
	o   ScreenPopDeps
}

// RegisterScreenPop adds the console socket and the pop operations: live
// pops, closing, refreshing and wrapping them up, the dialplan's routing
// hint and, with their sources, agent statuses and today's calls.
func RegisterScreenPop(srv *Server, deps ScreenPopDeps) {
	h := &popHandlers{srv: srv, o: deps.withDefaults(srv)}
	api, tags := srv.api, []string{"console"}
	Register(api, AnyRole, huma.Operation{OperationID: "list-live-pops", Method: http.MethodGet, Path: "/api/v1/console/pops",
		Tags: tags, Summary: "The live pops (cards) of my console, or of an agent's for supervisors"}, h.livePops)
	Register(api, AnyRole, huma.Operation{OperationID: "close-pop", Method: http.MethodPost, Path: "/api/v1/console/pops/{call_id}/close",
		Tags: tags, Summary: "Close my card for a call (on all my consoles)", DefaultStatus: http.StatusNoContent}, h.closePop)
	Register(api, AnyRole, huma.Operation{OperationID: "refresh-pop", Method: http.MethodPost, Path: "/api/v1/console/pops/{call_id}/refresh",
		Tags: tags, Summary: "Look the caller of my card up again (after creating the client)"}, h.refreshPop)
	Register(api, AnyRole, huma.Operation{OperationID: "wrap-up-pop", Method: http.MethodPost, Path: "/api/v1/console/pops/{call_id}/wrap-up",
		Tags: tags, Summary: "Save my wrap-up note for an ended call on the client's timeline"}, h.wrapUp)
	Register(api, h.o.LookupRoles, huma.Operation{OperationID: "routing-lookup", Method: http.MethodGet, Path: "/api/v1/lookup",
		Tags: tags, Summary: "Routing hint for the dialplan: \"QUEUE_PRIORITY,OWNER_ENDPOINT\" as text/plain",
		Description: "For Asterisk's CURL(): the caller's client priority as a queue priority (0 for unknown " +
			"callers) and the owner's endpoint for sticky-agent routing. Unknown, malformed or slow lookups " +
			"answer the default \"0,\" at once, so calls are never held up."}, h.lookup)
	if deps.Status != nil {
		registerAgentStatus(api, h)
	}
	if deps.Calls != nil {
		Register(api, AnyRole, huma.Operation{OperationID: "list-today-calls", Method: http.MethodGet, Path: "/api/v1/console/calls",
			Tags: tags, Summary: "My calls today with their durations (supervisors: any agent's)"}, h.todayCalls)
	}
	sock := &consoleSocket{opts: h.o, log: srv.log.With(slog.String("component", "console-socket"))}
	srv.router.Get(ConsoleSocketPath, sock.serve)
}

// withDefaults checks the required deps and fills in the defaults.
func (o ScreenPopDeps) withDefaults(srv *Server) ScreenPopDeps {
	if o.Hub == nil || o.Popper == nil || o.Timeline == nil {
		panic("httpapi: ScreenPopDeps needs Hub, Popper and Timeline")
	}
	if len(o.LookupRoles) == 0 {
		o.LookupRoles = AnyRole
	}
	if o.LookupTimeout <= 0 {
		o.LookupTimeout = 300 * time.Millisecond
	}
	if o.PingEvery <= 0 {
		o.PingEvery = 25 * time.Second
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 5 * time.Second
	}
	if o.Now == nil {
		o.Now = srv.now
	}
	return o
}

func (h *popHandlers) livePops(ctx context.Context, in *livePopsInput) (*livePopsOutput, error) {
	agent, _, err := watchTarget(PrincipalFrom(ctx), in.Agent)
	if err != nil {
		return nil, h.srv.problem(ctx, err)
	}
	msgs, err := h.o.Hub.Live(ctx, agent)
	if err != nil && len(msgs) == 0 {
		return nil, h.srv.problem(ctx, &crm.Error{Kind: crm.KindUnavailable, Message: "live pops unavailable", Err: err})
	}
	out := &livePopsOutput{}
	out.Body.Agent = agent
	out.Body.Pops = make([]PopJSON, 0, len(msgs))
	for _, m := range msgs {
		out.Body.Pops = append(out.Body.Pops, PopJSON(m.Data))
	}
	return out, nil
}

func (h *popHandlers) closePop(ctx context.Context, in *popActionInput) (*struct{}, error) {
	p := PrincipalFrom(ctx)
	if err := h.o.Popper.Close(ctx, p.User.Login, in.CallID); err != nil {
		return nil, h.srv.problem(ctx, err)
	}
	return nil, nil
}

func (h *popHandlers) refreshPop(ctx context.Context, in *popActionInput) (*popOutput, error) {
	pop, err := h.o.Popper.Refresh(ctx, PrincipalFrom(ctx).User.Login, in.CallID)
	if err != nil {
		return nil, h.srv.problem(ctx, err)
	}
	return &popOutput{Body: pop}, nil
}

func (h *popHandlers) wrapUp(ctx context.Context, in *wrapUpInput) (*popOutput, error) {
	p := PrincipalFrom(ctx)
	pop, err := h.o.Popper.WrapUp(ctx, screenpop.WrapUpInput{Agent: p.User.Login, UserID: p.User.ID,
		CallID: in.CallID, ClientID: in.Body.ClientID, Note: in.Body.Note}, h.o.Timeline)
	if err != nil {
		return nil, h.srv.problem(ctx, err)
	}
	return &popOutput{Body: pop}, nil
}

func (h *popHandlers) lookup(ctx context.Context, in *lookupInput) (*lookupOutput, error) {
	hint := screenpop.RouteHint{}
	if h.o.Cards != nil {
		lctx, cancel := context.WithTimeout(ctx, h.o.LookupTimeout)
		r, err := h.o.Cards.Route(lctx, plusFromQuery(in.Number))
		cancel()
		if err != nil {
			h.srv.log.WarnContext(ctx, "routing lookup failed; answering the default", slog.Any("err", err))
		} else {
			hint = r
		}
	}
	return &lookupOutput{ContentType: "text/plain; charset=utf-8", CacheControl: "no-store",
		Body: []byte(hint.Text())}, nil
}

// plusFromQuery restores the leading "+" of an E.164 number that reached
// the query string unencoded (CURL() without URIENCODE turns it into a space).
func plusFromQuery(n string) string {
	if strings.HasPrefix(n, " ") {
		return "+" + strings.TrimLeft(n, " ")
	}
	return n
}

// watchTarget returns whose pops the principal asks to see: their own, or,
// for supervisors and admins, any agent's (read-only). Agents asking for
// someone else are refused.
func watchTarget(p *Principal, agent string) (target string, readOnly bool, err error) {
	if p == nil {
		return "", false, crm.Errorf(crm.KindUnauthorized, "sign in first")
	}
	if agent == "" || agent == p.User.Login {
		return p.User.Login, false, nil
	}
	if !slices.Contains(SupervisorOrAdmin, p.User.Role) {
		return "", false, crm.Errorf(crm.KindForbidden, "agents see only their own pops")
	}
	return agent, true, nil
}
