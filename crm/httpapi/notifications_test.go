package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"hotline/crm"
	"hotline/crm/httpapi"
	"hotline/crm/notify"
	"hotline/crm/service"
)

// TestUsersHaveAnEmail: the users API sets, shows and checks a user's
// e-mail address.
func TestUsersHaveAnEmail(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.tokenClient(crm.RoleAdmin)
	resp, body := admin.do("POST", "/api/v1/users", map[string]any{"login": "mailer", "role": "agent", "password": "long-enough-1",
		"email": "mailer@example.ru"})
	var u httpapi.UserJSON
	mustJSON(t, body, &u)
	if resp.StatusCode != http.StatusCreated || u.Email != "mailer@example.ru" {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	resp, body = admin.do("PATCH", fmt.Sprintf("/api/v1/users/%d", u.ID), map[string]any{"email": "not an address"})
	mustProblem(t, resp, body, http.StatusUnprocessableEntity)
	resp, body = admin.do("PATCH", fmt.Sprintf("/api/v1/users/%d", u.ID), map[string]any{"email": ""})
	mustJSON(t, body, &u)
	if resp.StatusCode != http.StatusOK || u.Email != "" {
		t.Fatalf("clear: %d %s", resp.StatusCode, body)
	}
	if got, _ := e.store.Users.GetUser(context.Background(), u.ID); got.Email != "" {
		t.Fatalf("stored %q", got.Email)
	}
}

// TestCustomerReplyThreadsAndTellsTheOwner: a reply to Hotline's e-mail
// threads into its request by the References header (whatever its
// subject), and the request's owner gets a notice in their language,
// which the notifications API lists and marks read; the bell's socket
// counts it live.
func TestCustomerReplyThreadsAndTellsTheOwner(t *testing.T) {
	t.Parallel()
	d := newDeskEnv(t)
	ctx := context.Background()
	agent := d.users[crm.RoleAgent]
	agent.Language = "en"
	if err := d.store.Users.UpdateUser(ctx, &agent); err != nil {
		t.Fatal(err)
	}
	httpapi.RegisterBell(d.srv, httpapi.BellDeps{Notices: d.store.Notify, Bell: bell(t, d)})
	tk := d.teamTicket("Router down")
	if _, err := d.store.Tickets.UpdateTicket(ctx, tk.ID, service.TicketUpdate{AssigneeID: &agent.ID}, nil); err != nil {
		t.Fatal(err)
	}
	ac := d.login(crm.RoleAgent)
	sock := dialBell(t, d, ac)
	if n := readUnread(t, sock); n != 1 { // the assignment
		t.Fatalf("unread on connect %d, want 1", n)
	}
	gw := d.tokenClient(crm.RoleSupervisor)
	resp, body := gw.do("POST", "/api/v1/inbound-email", map[string]any{"from": "customer@example.ru", "subject": "Re: still down",
		"body": "Still nothing", "references": fmt.Sprintf("<outbox-9@desk.example.ru> <ticket-%d@desk.example.ru>", tk.ID)})
	var in struct {
		TicketID int64 `json:"ticket_id"`
		Created  bool  `json:"created"`
	}
	mustJSON(t, body, &in)
	if resp.StatusCode != http.StatusOK || in.TicketID != tk.ID || in.Created {
		t.Fatalf("inbound: %d %s", resp.StatusCode, body)
	}
	if n := readUnread(t, sock); n != 2 {
		t.Fatalf("unread after the reply %d, want 2", n)
	}
	resp, body = ac.do("GET", "/api/v1/notifications", nil)
	var list struct {
		Unread int                        `json:"unread"`
		Items  []httpapi.NotificationJSON `json:"items"`
	}
	mustJSON(t, body, &list)
	if resp.StatusCode != http.StatusOK || list.Unread != 2 || len(list.Items) != 2 {
		t.Fatalf("notifications: %d %s", resp.StatusCode, body)
	}
	reply := list.Items[0]
	if reply.Kind != "reply" || reply.TicketID != tk.ID || reply.Text != fmt.Sprintf("The customer replied to request #%d \"Router down\"", tk.ID) {
		t.Fatalf("newest notice %+v", reply)
	}
	resp, body = ac.do("POST", "/api/v1/notifications/read", map[string]any{"up_to": reply.ID})
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"unread":0`) {
		t.Fatalf("read: %d %s", resp.StatusCode, body)
	}
	if n := readUnread(t, sock); n != 0 {
		t.Fatalf("unread after reading %d, want 0", n)
	}
	// Another user's socket is not rung, and an anonymous one is refused.
	if resp, _ := d.anon().do("GET", httpapi.NotificationSocketPath, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("anonymous socket: %d", resp.StatusCode)
	}
}

// bell starts the listener that rings this server's bells and returns its Bell.
func bell(t *testing.T, d *deskEnv) *notify.Bell {
	t.Helper()
	b := notify.NewBell()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = d.store.Notify.ListenNotifications(ctx, b.Wake) }()
	t.Cleanup(func() { cancel(); <-done })
	return b
}

func dialBell(t *testing.T, d *deskEnv, c *client) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	u := "ws" + strings.TrimPrefix(d.ts.URL, "http") + httpapi.NotificationSocketPath
	conn, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: c.hc, HTTPHeader: http.Header{"Origin": {d.ts.URL}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	return conn
}

func readUnread(t *testing.T, conn *websocket.Conn) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, data, err := conn.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Type  string `json:"type"`
		Count int    `json:"count"`
	}
	mustJSON(t, data, &m)
	if m.Type != "unread" {
		t.Fatalf("frame %s", data)
	}
	return m.Count
}

// TestClientNotifyAPI: any role reads and sets how a client hears of their
// requests; an unknown value is 422, an unknown client 404.
func TestClientNotifyAPI(t *testing.T) {
	t.Parallel()
	d := newDeskEnv(t)
	c := d.newClient("Opting out", "")
	agent := d.tokenClient(crm.RoleAgent)
	path := fmt.Sprintf("/api/v1/clients/%d/notify", c.ID)
	resp, body := agent.do("GET", path, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"notify":"auto"`) {
		t.Fatalf("get: %d %s", resp.StatusCode, body)
	}
	resp, body = agent.do("PUT", path, map[string]any{"notify": "none"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("put: %d %s", resp.StatusCode, body)
	}
	if p, _ := d.store.Notify.ClientNotify(context.Background(), c.ID); p != "none" {
		t.Fatalf("stored %q", p)
	}
	resp, body = agent.do("PUT", path, map[string]any{"notify": "pigeon"})
	mustProblem(t, resp, body, http.StatusUnprocessableEntity)
	resp, body = agent.do("PUT", "/api/v1/clients/99999999/notify", map[string]any{"notify": "sms"})
	mustProblem(t, resp, body, http.StatusNotFound)
}
